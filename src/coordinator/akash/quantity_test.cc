#include "coordinator/akash/quantity.h"

#include <gtest/gtest.h>

namespace hearth::akash {
namespace {

TEST(QuantityTest, ByteUnits) {
  EXPECT_EQ(*ParseByteQuantity("1024", "f"), 1024);
  EXPECT_EQ(*ParseByteQuantity("1Ki", "f"), 1024);
  EXPECT_EQ(*ParseByteQuantity("512Mi", "f"), 512LL << 20);
  EXPECT_EQ(*ParseByteQuantity("128Gi", "f"), 128LL << 30);
  EXPECT_EQ(*ParseByteQuantity("1Ti", "f"), 1LL << 40);
  EXPECT_EQ(*ParseByteQuantity("5G", "f"), 5'000'000'000LL);
  EXPECT_EQ(*ParseByteQuantity("10k", "f"), 10'000);
  EXPECT_EQ(*ParseByteQuantity("2M", "f"), 2'000'000);
  EXPECT_EQ(*ParseByteQuantity("1T", "f"), 1'000'000'000'000LL);
  EXPECT_EQ(*ParseByteQuantity("1.5Gi", "f"), 3LL << 29);
  EXPECT_EQ(*ParseByteQuantity("10gb", "f"), 10'000'000'000LL);
  EXPECT_EQ(*ParseByteQuantity(" 1Gi ", "f"), 1LL << 30);
}

TEST(QuantityTest, BadBytesNameTheFieldAndTheFix) {
  for (const char* bad : {"", "Gi", "1Xi", "1.2.3G", "-1Gi", "1 Gi Gi", "1Gii", "abc"}) {
    auto r = ParseByteQuantity(bad, "memory.size");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "memory.size");
    EXPECT_NE(r.status().message().find("Gi"), std::string::npos);
  }
  EXPECT_FALSE(ParseByteQuantity("99999999Ei", "f").ok());
  EXPECT_FALSE(ParseByteQuantity(std::string(100, '9'), "f").ok());
}

TEST(QuantityTest, Cpu) {
  EXPECT_EQ(*ParseCpuQuantity("500m", "f"), 500);
  EXPECT_EQ(*ParseCpuQuantity("0.5", "f"), 500);
  EXPECT_EQ(*ParseCpuQuantity("1.0", "f"), 1000);
  EXPECT_EQ(*ParseCpuQuantity("32", "f"), 32000);
  EXPECT_FALSE(ParseCpuQuantity("half", "f").ok());
  EXPECT_FALSE(ParseCpuQuantity("-1", "f").ok());
  EXPECT_FALSE(ParseCpuQuantity("m", "f").ok());
}

TEST(QuantityTest, Format) {
  EXPECT_EQ(FormatBytes(1LL << 30), "1Gi");
  EXPECT_EQ(FormatBytes(3LL << 29), "1.5Gi");
  EXPECT_EQ(FormatBytes(12), "12");
  EXPECT_EQ(FormatCores(2000), "2");
  EXPECT_EQ(FormatCores(1500), "1.5");
  EXPECT_EQ(FormatCores(250), "0.25");
}

}  // namespace
}  // namespace hearth::akash
