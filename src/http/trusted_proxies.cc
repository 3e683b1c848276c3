#include "http/trusted_proxies.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace hearth::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An X-Forwarded-For entry may carry a port ("192.0.2.1:443", "[2001:db8::1]:443").
std::string_view WithoutPort(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    const size_t close = s.find(']');
    return close == std::string_view::npos ? s : s.substr(0, close + 1);
  }
  const size_t colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos &&
      s.find('.') != std::string_view::npos) {
    return s.substr(0, colon);
  }
  return s;
}

bool Matches(const IpBytes& a, const IpBytes& p, int length) {
  const int full = length / 8;
  if (std::memcmp(a.b.data(), p.b.data(), static_cast<size_t>(full)) != 0) return false;
  const int rest = length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.b[static_cast<size_t>(full)] & mask) == (p.b[static_cast<size_t>(full)] & mask);
}

}  // namespace

std::optional<IpBytes> IpBytes::Parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  IpBytes out;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out.b[10] = out.b[11] = 0xff;
    std::memcpy(out.b.data() + 12, &v4, 4);
    out.v4 = true;
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) != 1) return std::nullopt;
  std::memcpy(out.b.data(), &v6, 16);
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  out.v4 = std::memcmp(out.b.data(), kMapped, 12) == 0;
  return out;
}

std::string IpBytes::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) {
    inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  }
  return buf;
}

StatusOr<TrustedProxies> TrustedProxies::Parse(std::string_view csv, const std::string& field) {
  TrustedProxies out;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string_view::npos) comma = csv.size();
    const std::string_view item = Trim(csv.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    const size_t slash = item.find('/');
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(field, "'" + std::string(item) + "' " + why +
                                                "; give CIDRs such as 10.0.0.0/8 or "
                                                "2001:db8::/32, comma-separated");
    };
    std::optional<IpBytes> addr = IpBytes::Parse(item.substr(0, slash));
    if (!addr) return bad("is not an IP address or CIDR");
    const int max_len = addr->v4 ? 32 : 128;
    int len = max_len;
    if (slash != std::string_view::npos) {
      const std::string_view digits = item.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad("has no valid prefix length");
      }
      len = std::stoi(std::string(digits));
      if (len > max_len) return bad("has a prefix length above " + std::to_string(max_len));
    }
    Prefix p{*addr, addr->v4 ? 96 + len : len};
    // Host bits must be zero, so a typo like 10.1.2.3/8 does not trust more than was meant.
    IpBytes masked{};
    for (int bit = 0; bit < p.length; ++bit) {
      const auto byte = static_cast<size_t>(bit / 8);
      masked.b[byte] =
          static_cast<uint8_t>(masked.b[byte] | (p.addr.b[byte] & (0x80 >> (bit % 8))));
    }
    if (masked.b != p.addr.b) return bad("has host bits set beyond the prefix length");
    out.prefixes_.push_back(p);
  }
  return out;
}

bool TrustedProxies::Contains(const IpBytes& a) const {
  return std::any_of(prefixes_.begin(), prefixes_.end(),
                     [&](const Prefix& p) { return Matches(a, p.addr, p.length); });
}

std::string TrustedProxies::ClientAddress(const std::string& peer,
                                          const std::vector<std::string>& forwarded_for) const {
  std::optional<IpBytes> p = IpBytes::Parse(peer);
  if (!p || !Contains(*p)) return peer;
  std::vector<std::string_view> hops;
  for (const std::string& value : forwarded_for) {
    std::string_view v(value);
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string_view::npos) comma = v.size();
      hops.push_back(Trim(v.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  std::string client = p->ToString();
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::optional<IpBytes> hop = IpBytes::Parse(WithoutPort(*it));
    if (!hop) break;  // garbage: nothing left of it can be believed
    client = hop->ToString();
    if (!Contains(*hop)) break;  // the first untrusted hop from the right is the client
  }
  return client;
}

}  // namespace hearth::http
