#include "common/bech32.h"

#include <gtest/gtest.h>

namespace hearth {
namespace {

// BIP-173 "Test vectors": valid bech32 strings.
TEST(Bech32, Bip173ValidVectors) {
  const std::vector<std::string> valid = {
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      "11" + std::string(82, 'q') + "c8247j",
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
  };
  for (const std::string& s : valid) {
    auto d = bech32::Decode(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.status().ToString();
    std::string lower = s;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(bech32::Encode(d->hrp, d->data), lower);
  }
}

// BIP-173 "Test vectors": invalid bech32 strings, each for its stated reason.
TEST(Bech32, Bip173InvalidVectors) {
  const std::vector<std::string> invalid = {
      std::string("\x20") + "1nwldj5",  // HRP character out of range
      std::string("\x7f") + "1axkwrx",  // HRP character out of range
      std::string("\x80") + "1eym55h",  // HRP character out of range
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
      "pzry9x0s0muk",                    // no separator
      "1pzry9x0s0muk",                   // empty HRP
      "x1b4n0q5v",                       // invalid data character
      "li1dgmt3",                        // too short checksum
      std::string("de1lg7wt") + "\xff",  // invalid character in checksum
      "A1G7SGD8",                        // checksum calculated with uppercase HRP
      "10a06t8",                         // empty HRP
      "1qzzfhee",                        // empty HRP
  };
  for (const std::string& s : invalid) {
    auto d = bech32::Decode(s);
    EXPECT_FALSE(d.ok()) << s;
    if (!d.ok()) {
      EXPECT_EQ(d.status().field(), "address");
    }
  }
}

TEST(Bech32, ConvertBitsRoundTripsAndRejectsBadPadding) {
  const std::vector<uint8_t> bytes = {0x75, 0x1e, 0x76, 0xe8, 0x19};
  auto five = bech32::ConvertBits(bytes, 8, 5, true);
  ASSERT_TRUE(five.ok());
  auto back = bech32::ConvertBits(*five, 5, 8, false);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(bech32::ConvertBits({31}, 5, 8, false).ok());  // 5 bits of non-zero padding
}

// The 20-byte witness program of BIP-173's first segwit vector, under the "akash" prefix
// (computed independently with the BIP's Python reference code).
constexpr const char* kAkashAddress = "akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akz";

TEST(AkashAddress, AcceptsAValidAddressInEitherCase) {
  auto a = AkashAddress::Parse(kAkashAddress);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->str(), kAkashAddress);
  auto upper = AkashAddress::Parse("AKASH1W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KHX6AKZ");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->str(), kAkashAddress);  // canonical lowercase
  const std::vector<uint8_t> program = {0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94,
                                        0x1c, 0x45, 0xd1, 0xb3, 0xa3, 0x23, 0xf1, 0x43, 0x3b, 0xd6};
  EXPECT_EQ(AkashAddress::FromBytes(program).str(), kAkashAddress);
  EXPECT_TRUE(
      AkashAddress::Parse("akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x")
          .ok());  // 32 bytes
}

TEST(AkashAddress, RefusesAWrongChecksumWithAClearMessage) {
  // Last character changed: the checksum no longer matches.
  auto a = AkashAddress::Parse("akash1w508d6qejxtdg4y5r3zarvary0c5xw7khx6akq", "payout_address");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().reason(), "invalid_checksum");
  EXPECT_EQ(a.status().field(), "payout_address");
  EXPECT_NE(a.status().message().find("checksum"), std::string::npos);
}

TEST(AkashAddress, RefusesOtherPrefixesAndLengths) {
  auto cosmos = AkashAddress::Parse("cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c");
  ASSERT_FALSE(cosmos.ok());
  EXPECT_NE(cosmos.status().message().find("akash1"), std::string::npos);
  // A valid bech32 string with the akash prefix but a 5-byte payload.
  auto five = bech32::ConvertBits({1, 2, 3, 4, 5}, 8, 5, true);
  auto short_addr = AkashAddress::Parse(bech32::Encode("akash", *five));
  ASSERT_FALSE(short_addr.ok());
  EXPECT_NE(short_addr.status().message().find("length"), std::string::npos);
  EXPECT_FALSE(AkashAddress::Parse("").ok());
  EXPECT_FALSE(AkashAddress::Parse("akash1W508d6qejxtdg4y5r3zarvary0c5xw7khx6akz").ok());
}

}  // namespace
}  // namespace hearth
