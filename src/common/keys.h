// Typed keys shared by the agent and the coordinator.
//
// WireGuard keys are 32-byte Curve25519 keys written as standard base64 (44 characters), exactly
// as `wg genkey` / `wg pubkey` print them. The device identity key is Ed25519 (libsodium),
// written "ed25519:<base64>". Private keys print as <redacted>, cannot be compared with ==, and
// are reachable as text only through an explicit Secret. Private key files are written with
// mode 0600 atomically, and refused when readable by others. All functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "common/secret.h"
#include "common/status.h"

namespace hearth {

class WgPublicKey {
 public:
  // Parses base64 text; errors name `field`.
  static StatusOr<WgPublicKey> Parse(std::string_view text, const std::string& field);
  std::string ToString() const;  // base64, 44 characters
  const std::array<uint8_t, 32>& bytes() const { return bytes_; }
  bool operator==(const WgPublicKey&) const = default;

 private:
  std::array<uint8_t, 32> bytes_{};
  friend class WgPrivateKey;
};

class WgPrivateKey {
 public:
  // A new random key, clamped as `wg genkey` does (RFC 7748).
  static WgPrivateKey Generate();
  static StatusOr<WgPrivateKey> Parse(std::string_view text, const std::string& field);
  WgPublicKey Public() const;
  Secret<std::string> ToBase64() const;
  bool operator==(const WgPrivateKey&) const = delete;
  friend std::ostream& operator<<(std::ostream& os, const WgPrivateKey&) {
    return os << "<redacted>";
  }
  ~WgPrivateKey();
  WgPrivateKey(const WgPrivateKey&) = default;
  WgPrivateKey& operator=(const WgPrivateKey&) = default;

 private:
  WgPrivateKey() = default;
  std::array<uint8_t, 32> bytes_{};
};

class IdentityPublicKey {
 public:
  static StatusOr<IdentityPublicKey> Parse(std::string_view text, const std::string& field);
  std::string ToString() const;  // "ed25519:<base64>"
  bool Verify(std::string_view message, std::string_view signature) const;
  bool operator==(const IdentityPublicKey&) const = default;

 private:
  std::array<uint8_t, 32> bytes_{};
  friend class IdentityPrivateKey;
};

class IdentityPrivateKey {
 public:
  static IdentityPrivateKey Generate();
  static StatusOr<IdentityPrivateKey> Parse(std::string_view text, const std::string& field);
  IdentityPublicKey Public() const;
  Secret<std::string> ToText() const;  // "ed25519-private:<base64 of the 32-byte seed>"
  std::string Sign(std::string_view message) const;  // 64-byte detached signature
  bool operator==(const IdentityPrivateKey&) const = delete;
  friend std::ostream& operator<<(std::ostream& os, const IdentityPrivateKey&) {
    return os << "<redacted>";
  }
  ~IdentityPrivateKey();
  IdentityPrivateKey(const IdentityPrivateKey&) = default;
  IdentityPrivateKey& operator=(const IdentityPrivateKey&) = default;

 private:
  IdentityPrivateKey() = default;
  std::array<uint8_t, 32> seed_{};
};

// Writes `contents` to `path` atomically (temp file, fsync, rename) with mode 0600 from the start.
Status WritePrivateFile(const std::string& path, std::string_view contents);
// Reads a private file; refuses one that group or others can read or write.
StatusOr<std::string> ReadPrivateFile(const std::string& path);

}  // namespace hearth
