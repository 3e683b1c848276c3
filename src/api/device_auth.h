// Device request signatures: a device credential is a bearer secret, so on its own a copy of it
// would let anyone impersonate the device. Every device-authenticated request therefore also
// carries a signature by the device identity key (Ed25519, private key never leaves the device)
// over the method, path, a timestamp and the body's hash. The coordinator checks it against the
// identity public key registered at enrollment, so a stolen credential is useless without the
// key file. Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/keys.h"
#include "common/status.h"

namespace hearth::api {

inline constexpr std::string_view kDeviceDateHeader = "x-hearth-date";
inline constexpr std::string_view kDeviceSignatureHeader = "x-hearth-signature";
// How far a request's timestamp may be from the coordinator's clock.
inline constexpr Duration kDeviceSignatureSkew = std::chrono::minutes(5);

// The headers to add to a device request (X-Hearth-Date, X-Hearth-Signature).
std::vector<std::pair<std::string, std::string>> SignDeviceRequest(const IdentityPrivateKey& key,
                                                                   const std::string& method,
                                                                   const std::string& path,
                                                                   const std::string& body,
                                                                   Timestamp now);

// Checks the headers' signature and freshness; kUnauthenticated with reason
// "invalid_device_signature" otherwise.
Status VerifyDeviceRequest(const IdentityPublicKey& key, const std::string& method,
                           const std::string& path, const std::string& body,
                           const std::string& date_header, const std::string& signature_header,
                           Timestamp now);

}  // namespace hearth::api
