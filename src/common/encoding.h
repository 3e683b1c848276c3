// Byte encodings: standard base64 (padded, as WireGuard keys are written), URL-safe base64
// without padding (tokens), lowercase hex (hashes), percent-encoding (query values) and SHA-256.
// Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hearth {

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string HexEncode(std::string_view bytes);
// RFC 3986 percent-encoding of a query parameter value: everything but unreserved characters.
std::string PercentEncode(std::string_view text);

// Raw 32-byte SHA-256 digest, and its lowercase hex form.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);

// Compares without an early exit, for secrets.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace hearth
