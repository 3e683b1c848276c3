#include "common/ip.h"

#include <gtest/gtest.h>

namespace hearth {
namespace {

TEST(IpTest, ParsesAndFormats) {
  EXPECT_EQ(Ipv4::Parse("100.64.0.1", "a")->ToString(), "100.64.0.1");
  EXPECT_EQ(Ipv4::Parse("0.0.0.0", "a")->value(), 0u);
  EXPECT_EQ(Ipv4::Parse("255.255.255.255", "a")->value(), 0xffffffffu);
  auto p = Ipv4Prefix::Parse("10.42.0.0/16", "pod_prefix");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ToString(), "10.42.0.0/16");
  EXPECT_EQ(p->size(), 65536u);
  EXPECT_EQ(Ipv4Prefix::Parse("100.64.0.7", "a")->ToString(), "100.64.0.7/32");
  EXPECT_EQ(Ipv4Prefix::Parse("0.0.0.0/0", "a")->size(), uint64_t{1} << 32);
  EXPECT_EQ(Ipv4Prefix::Parse("100.64.0.5/16", "a", true)->ToString(), "100.64.0.5/16");
}

TEST(IpTest, RejectsJunkNamingTheField) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1..2.3",
                          "1.2.3.4 ", "-1.2.3.4"}) {
    auto r = Ipv4::Parse(bad, "endpoint");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "endpoint");
  }
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0.1/8"}) {
    auto r = Ipv4Prefix::Parse(bad, "overlay_prefix");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "overlay_prefix");
  }
  EXPECT_NE(Ipv4Prefix::Parse("10.0.0.1/8", "f").status().message().find("10.0.0.0/8"),
            std::string::npos);
}

TEST(IpTest, ContainmentOverlapAndSubnets) {
  const Ipv4Prefix overlay = *Ipv4Prefix::Parse("100.64.0.0/10", "f");
  EXPECT_TRUE(overlay.Contains(*Ipv4::Parse("100.127.255.255", "f")));
  EXPECT_FALSE(overlay.Contains(*Ipv4::Parse("100.128.0.0", "f")));
  const Ipv4Prefix region = *Ipv4Prefix::Parse("100.64.0.0/16", "f");
  EXPECT_TRUE(overlay.Contains(region));
  EXPECT_FALSE(region.Contains(overlay));
  EXPECT_TRUE(region.Overlaps(overlay));
  EXPECT_FALSE(region.Overlaps(*Ipv4Prefix::Parse("100.65.0.0/16", "f")));
  const Ipv4Prefix pods = *Ipv4Prefix::Parse("10.42.0.0/16", "f");
  EXPECT_EQ(pods.Subnet(0, 24).ToString(), "10.42.0.0/24");
  EXPECT_EQ(pods.Subnet(255, 24).ToString(), "10.42.255.0/24");
  EXPECT_EQ(region.Subnet(5, 32).ToString(), "100.64.0.5/32");
}

}  // namespace
}  // namespace hearth
