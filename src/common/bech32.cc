#include "common/bech32.h"

#include <array>

namespace hearth::bech32 {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr size_t kMaxLength = 90;
constexpr size_t kChecksumLength = 6;

constexpr std::array<int8_t, 128> MakeReverse() {
  std::array<int8_t, 128> rev{};
  for (auto& v : rev) v = -1;
  for (size_t i = 0; i < kCharset.size(); ++i) {
    const auto c = static_cast<unsigned char>(kCharset[i]);
    rev[c] = static_cast<int8_t>(i);
    if (c >= 'a' && c <= 'z') rev[c - 32U] = static_cast<int8_t>(i);  // upper case too
  }
  return rev;
}
constexpr std::array<int8_t, 128> kReverse = MakeReverse();

uint32_t Polymod(const std::vector<uint8_t>& values) {
  constexpr std::array<uint32_t, 5> kGen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                            0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (size_t i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

std::vector<uint8_t> ExpandHrp(std::string_view hrp) {
  std::vector<uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) >> 5));
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) & 31));
  return out;
}

}  // namespace

StatusOr<Decoded> Decode(std::string_view text, const std::string& field) {
  if (text.size() > kMaxLength) {
    return Status::InvalidArgument(field, "is " + std::to_string(text.size()) +
                                              " characters long; a bech32 string has at most 90");
  }
  bool lower = false, upper = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 33 || c > 126) {
      return Status::InvalidArgument(field, "has an invalid character at position " +
                                                std::to_string(i + 1) +
                                                " (spaces and non-ASCII are not allowed)");
    }
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  if (lower && upper) {
    return Status::InvalidArgument(field, "mixes upper and lower case; write it in one case");
  }
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos) {
    return Status::InvalidArgument(field, "has no '1' separator between prefix and data");
  }
  if (sep == 0) return Status::InvalidArgument(field, "has an empty prefix before the '1'");
  if (text.size() - sep - 1 < kChecksumLength) {
    return Status::InvalidArgument(field,
                                   "is too short: the data after the '1' must hold a "
                                   "6-character checksum");
  }
  Decoded out;
  out.hrp.reserve(sep);
  for (size_t i = 0; i < sep; ++i) {
    const char c = text[i];
    out.hrp.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  std::vector<uint8_t> values = ExpandHrp(out.hrp);
  for (size_t i = sep + 1; i < text.size(); ++i) {
    const int8_t v = kReverse[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return Status::InvalidArgument(
          field, "has '" + std::string(1, text[i]) + "' at position " + std::to_string(i + 1) +
                     ", which is not a bech32 data character (b, i, o and 1 are never used)");
    }
    values.push_back(static_cast<uint8_t>(v));
  }
  if (Polymod(values) != 1) {
    return Status(Code::kInvalidArgument,
                  "has a wrong checksum: it is mistyped or incomplete; copy the address again "
                  "from your wallet",
                  "invalid_checksum", field);
  }
  const size_t data_start = out.hrp.size() * 2 + 1;
  out.data.assign(values.begin() + static_cast<ptrdiff_t>(data_start),
                  values.end() - static_cast<ptrdiff_t>(kChecksumLength));
  return out;
}

std::string Encode(std::string_view hrp, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> values = ExpandHrp(hrp);
  values.insert(values.end(), data.begin(), data.end());
  values.insert(values.end(), kChecksumLength, 0);
  const uint32_t mod = Polymod(values) ^ 1;
  std::string out(hrp);
  out.push_back('1');
  for (uint8_t v : data) out.push_back(kCharset[v & 31]);
  for (size_t i = 0; i < kChecksumLength; ++i) {
    out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
  }
  return out;
}

StatusOr<std::vector<uint8_t>> ConvertBits(const std::vector<uint8_t>& in, int from, int to,
                                           bool pad) {
  uint32_t acc = 0;
  int bits = 0;
  std::vector<uint8_t> out;
  const uint32_t maxv = (1U << to) - 1;
  for (uint8_t v : in) {
    if ((v >> from) != 0) return Status::InvalidArgument("data", "value out of range");
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push_back(static_cast<uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (to - bits)) & maxv));
  } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
    return Status::InvalidArgument("data", "has non-zero padding bits");
  }
  return out;
}

}  // namespace hearth::bech32

namespace hearth {

StatusOr<AkashAddress> AkashAddress::Parse(std::string_view text, const std::string& field) {
  HEARTH_ASSIGN_OR_RETURN(bech32::Decoded d, bech32::Decode(text, field));
  if (d.hrp != "akash") {
    return Status::InvalidArgument(
        field, "has the prefix '" + d.hrp + "'; an Akash address starts with 'akash1'");
  }
  auto bytes = bech32::ConvertBits(d.data, 5, 8, false);
  if (!bytes.ok() || (bytes->size() != 20 && bytes->size() != 32)) {
    return Status::InvalidArgument(field,
                                   "has a valid checksum but the wrong length for an Akash "
                                   "account (20 or 32 bytes); check that it is a wallet address");
  }
  return AkashAddress(bech32::Encode(d.hrp, d.data));
}

AkashAddress AkashAddress::FromBytes(const std::vector<uint8_t>& payload) {
  auto five = bech32::ConvertBits(payload, 8, 5, true);
  return AkashAddress(bech32::Encode("akash", *five));
}

}  // namespace hearth
