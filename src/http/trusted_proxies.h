// TrustedProxies: which TCP peers may tell the server the client's address (X-Forwarded-For).
//
// Behind a load balancer every request arrives from the balancer, so rate limits, GeoIP and logs
// would all see one address. The balancer appends the address it received the connection from to
// X-Forwarded-For, but anyone can send that header, so it is believed only when the TCP peer is a
// configured trusted proxy (`hearth serve --trusted-proxies CIDR[,CIDR]`). Then the client is the
// rightmost address in the header that is not itself a trusted proxy: the hops right of it were
// added by our own proxies, everything left of it was written by the client and may be forged.
// An entry that is not an address stops the walk (the last trusted hop is the client then).
// IPv4 and IPv6; IPv4-mapped IPv6 addresses ("::ffff:192.0.2.1") count as IPv4.
// Immutable after Parse; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hearth::http {

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d) — enough to match prefixes.
struct IpBytes {
  std::array<uint8_t, 16> b{};
  bool v4 = false;
  // "192.0.2.1", "2001:db8::1", "[2001:db8::1]"; nullopt when it is not an address.
  static std::optional<IpBytes> Parse(std::string_view text);
  std::string ToString() const;  // canonical text (IPv4 dotted quad for mapped addresses)
};

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody: X-Forwarded-For is ignored
  // "10.0.0.0/8,192.168.1.7,2001:db8::/32"; a bare address is a /32 (/128). Errors name `field`.
  static StatusOr<TrustedProxies> Parse(std::string_view csv, const std::string& field);

  bool empty() const { return prefixes_.empty(); }
  bool Contains(const IpBytes& a) const;
  // The client's address for a request from TCP peer `peer` carrying these X-Forwarded-For
  // header values (all occurrences, in order): `peer` unless it is trusted.
  std::string ClientAddress(const std::string& peer,
                            const std::vector<std::string>& forwarded_for) const;

 private:
  struct Prefix {
    IpBytes addr;
    int length = 0;  // in bits of the 16-byte form (IPv4 /n is 96 + n)
  };
  std::vector<Prefix> prefixes_;
};

}  // namespace hearth::http
