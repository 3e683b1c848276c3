#include "common/ip.h"

#include <charconv>

namespace hearth {

StatusOr<Ipv4> Ipv4::Parse(std::string_view text, const std::string& field) {
  auto bad = [&] {
    return Status::InvalidArgument(
        field, "'" + std::string(text) + "' is not an IPv4 address; write e.g. 100.64.0.1");
  };
  uint32_t value = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = rest.find('.');
    // Three dots exactly: parts 0..2 end at a dot, part 3 at the end of the text.
    if ((i < 3) == (dot == std::string_view::npos)) return bad();
    const std::string_view part = rest.substr(0, dot);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return bad();
    unsigned v = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || end != part.data() + part.size() || v > 255) return bad();
    value = (value << 8) | v;
    if (i < 3) rest.remove_prefix(dot + 1);
  }
  return Ipv4(value);
}

std::string Ipv4::ToString() const {
  return std::to_string(value_ >> 24) + "." + std::to_string((value_ >> 16) & 255) + "." +
         std::to_string((value_ >> 8) & 255) + "." + std::to_string(value_ & 255);
}

Ipv4Prefix::Ipv4Prefix(Ipv4 address, int length) : length_(length) {
  address_ = Ipv4(address.value() & mask());
}

StatusOr<Ipv4Prefix> Ipv4Prefix::Parse(std::string_view text, const std::string& field,
                                       bool allow_host_bits) {
  const size_t slash = text.find('/');
  HEARTH_ASSIGN_OR_RETURN(Ipv4 a, Ipv4::Parse(text.substr(0, slash), field));
  int length = 32;
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), length);
    if (len.empty() || ec != std::errc() || end != len.data() + len.size() || length < 0 ||
        length > 32) {
      return Status::InvalidArgument(field, "'" + std::string(text) +
                                                "' has a bad prefix length; write e.g. "
                                                "100.64.0.0/16 (length 0..32)");
    }
  }
  Ipv4Prefix p(a, length);
  if (!allow_host_bits && p.address() != a) {
    return Status::InvalidArgument(field, "'" + std::string(text) +
                                              "' has host bits set; did you mean " +
                                              p.ToString() + "?");
  }
  p.address_ = allow_host_bits ? a : p.address_;
  return p;
}

Ipv4Prefix Ipv4Prefix::Subnet(uint64_t i, int sub_length) const {
  const uint32_t step = sub_length == 0 ? 0 : uint32_t{1} << (32 - sub_length);
  return {Ipv4(address_.value() + static_cast<uint32_t>(i) * step), sub_length};
}

std::string Ipv4Prefix::ToString() const {
  return address_.ToString() + "/" + std::to_string(length_);
}

}  // namespace hearth
