// Bech32 (BIP-173) encoding and the Akash account address built on it.
//
// Decode enforces every rule of BIP-173: length ≤ 90, printable US-ASCII, no mixed case, a
// non-empty human-readable part, data characters from the bech32 alphabet and a valid 6-character
// checksum (the original bech32 constant, not bech32m). Errors say what is wrong so a user who
// mistyped an address can tell. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hearth::bech32 {

struct Decoded {
  std::string hrp;            // lowercase
  std::vector<uint8_t> data;  // 5-bit values, checksum removed
};

// `field` names the input in errors (e.g. "address").
StatusOr<Decoded> Decode(std::string_view text, const std::string& field = "address");
// Lowercase bech32 string of `hrp` (lowercase, 1..83 chars) and 5-bit `data`.
std::string Encode(std::string_view hrp, const std::vector<uint8_t>& data);

// Regroups bits (e.g. 8 → 5 to encode bytes, 5 → 8 to decode). With pad=false, leftover bits
// must be zero padding of fewer than `from` bits, else kInvalidArgument.
StatusOr<std::vector<uint8_t>> ConvertBits(const std::vector<uint8_t>& in, int from, int to,
                                           bool pad);

}  // namespace hearth::bech32

namespace hearth {

// An Akash account address: bech32 with prefix "akash" and a 20-byte (account) or 32-byte
// (module/contract) payload. Always held in its canonical lowercase form.
class AkashAddress {
 public:
  // kInvalidArgument naming `field` with what is wrong (checksum, prefix, length, characters).
  static StatusOr<AkashAddress> Parse(std::string_view text, const std::string& field = "address");
  static AkashAddress FromBytes(const std::vector<uint8_t>& payload);
  const std::string& str() const { return text_; }
  bool operator==(const AkashAddress&) const = default;

 private:
  explicit AkashAddress(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace hearth
