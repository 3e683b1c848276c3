// IPv4 addresses and prefixes: parsing with errors that name the field, containment, overlap.
// Values are plain and thread-safe. Hearth's overlay and pod networks are IPv4 (100.64.0.0/10
// for the overlay, RFC 1918 for pods), as in the Kubernetes clusters they serve.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hearth {

class Ipv4 {
 public:
  Ipv4() = default;
  explicit constexpr Ipv4(uint32_t value) : value_(value) {}
  // Dotted quad, e.g. "100.64.0.1". Errors name `field`.
  static StatusOr<Ipv4> Parse(std::string_view text, const std::string& field);
  uint32_t value() const { return value_; }
  std::string ToString() const;
  auto operator<=>(const Ipv4&) const = default;

 private:
  uint32_t value_ = 0;
};

class Ipv4Prefix {
 public:
  Ipv4Prefix() = default;
  // The address is masked to the prefix length.
  Ipv4Prefix(Ipv4 address, int length);
  // "100.64.0.0/16"; host bits must be zero unless `allow_host_bits` (e.g. "100.64.0.5/16" as an
  // interface address). A bare address means /32.
  static StatusOr<Ipv4Prefix> Parse(std::string_view text, const std::string& field,
                                    bool allow_host_bits = false);
  Ipv4 address() const { return address_; }
  int length() const { return length_; }
  uint32_t mask() const { return length_ == 0 ? 0 : ~uint32_t{0} << (32 - length_); }
  // Number of addresses (2^(32-length)), as 64 bits so /0 fits.
  uint64_t size() const { return uint64_t{1} << (32 - length_); }
  bool Contains(Ipv4 a) const { return (a.value() & mask()) == address_.value(); }
  bool Contains(const Ipv4Prefix& p) const { return p.length_ >= length_ && Contains(p.address_); }
  bool Overlaps(const Ipv4Prefix& p) const { return Contains(p) || p.Contains(*this); }
  // The i-th subnet of length `sub_length` inside this prefix (i < 2^(sub_length-length)).
  Ipv4Prefix Subnet(uint64_t i, int sub_length) const;
  std::string ToString() const;
  auto operator<=>(const Ipv4Prefix&) const = default;

 private:
  Ipv4 address_;
  int length_ = 32;
};

}  // namespace hearth
