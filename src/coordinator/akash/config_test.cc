#include "coordinator/akash/config.h"

#include <gtest/gtest.h>

#include "coordinator/akash/test_util.h"

namespace hearth::akash {
namespace {

TEST(AkashConfigTest, ParsesTheDocumentedShape) {
  auto c = ParseAkashConfig(R"(
provider: {organization: Example, email: ops@example.com}
coordinator: {url: "http://127.0.0.1:8080", token: s3cret, timeout: 250ms}
cache: {path: /tmp/x.json, max_age: 2h}
regions:
  default:
    location_region: eu-west
    ip_leases: false
    persistent_storage: {classes: [beta3], max_size: 50Gi}
    ram_storage_max: 8Gi
    bid_above_max: true
    prices:
      uact:
        cpu_per_core: 100.5
        gpu_per_unit: {"*": 2000}
        storage_per_gib: {ephemeral: 2}
)",
                            "cfg");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->host, "akash");
  EXPECT_EQ(c->tier, "community");
  EXPECT_EQ(c->organization, "Example");
  EXPECT_EQ(c->token.Reveal(), "s3cret");
  EXPECT_EQ(c->timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c->cache_max_age, std::chrono::hours(2));
  const RegionConfig r = c->Region("default");
  EXPECT_TRUE(r.policy.persistent_classes.count("beta3"));
  EXPECT_EQ(r.policy.persistent_max_bytes, 50 * testing::kGi);
  EXPECT_EQ(*r.policy.ram_max_bytes, 8 * testing::kGi);
  EXPECT_TRUE(r.policy.bid_above_max);
  EXPECT_DOUBLE_EQ(static_cast<double>(r.policy.prices.at("uact").cpu_per_core), 100.5);
  // A region without its own entry inherits the default policy.
  EXPECT_EQ(c->Region("eu-1").id, "eu-1");
  EXPECT_TRUE(c->Region("eu-1").policy.persistent_classes.count("beta3"));
}

TEST(AkashConfigTest, ErrorsNameTheKeyAndLine) {
  struct Case {
    const char* text;
    const char* field;
  } cases[] = {
      {"regions:\n  default:\n    prices:\n      uact: {cpu_per_core: -1}\n",
       "regions.default.prices.uact.cpu_per_core"},
      {"regions:\n  default:\n    persistent_storage: {classes: [ram], max_size: 1Gi}\n",
       "regions.default.persistent_storage.classes"},
      {"regions:\n  default:\n    persistent_storage: {classes: [beta3]}\n",
       "regions.default.persistent_storage.max_size"},
      {"regions:\n  default:\n    ip_leases: maybe\n", "regions.default.ip_leases"},
      {"coordinator: {timeout: soon}\n", "coordinator.timeout"},
      {"regions: [\n", "cfg"},
  };
  for (const auto& c : cases) {
    auto r = ParseAkashConfig(c.text, "cfg");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
    EXPECT_NE(r.status().message().find("line"), std::string::npos) << r.status().ToString();
  }
  EXPECT_FALSE(LoadAkashConfig("/nonexistent/akash.yaml").ok());
}

}  // namespace
}  // namespace hearth::akash

namespace hearth::akash {
namespace {

TEST(AkashConfigTest, TheDocumentedExampleParses) {
  auto c = LoadAkashConfig(testing::SourceDir() + "/docs/akash-example.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Region("default").policy.prices.at("uact").gpu_per_unit.at("rtx4090"), 3000);
  EXPECT_FALSE(c->token.empty());
}

}  // namespace
}  // namespace hearth::akash
