#include "coordinator/akash/policy.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "coordinator/akash/test_util.h"

namespace hearth::akash {
namespace {

using testing::HomeFleet;
using testing::kGi;
using testing::TestConfig;

const Timestamp kNow = FromUnixMillis(1'800'000'000'000);

constexpr const char* kContractExample = R"({
  "resources": [{"memory": 1073741824, "cpu": 500,
    "gpu": {"units": 1, "attributes": {"vendor": {"nvidia": {"model": "rtx4090", "ram": "24Gi", "interface": "pcie"}}}},
    "storage": [{"class": "ephemeral", "size": 1073741824}, {"class": "beta2", "size": 10737418240}],
    "count": 1, "endpoint_quantity": 1, "ip_lease_quantity": 0}],
  "price": {"denom": "uact", "amount": "10000.000000000000000000"},
  "price_precision": 6})";

Order Parse(const std::string& s) {
  auto o = ParseOrder(s, "");
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return o.ok() ? *o : Order{};
}

TEST(OrderTest, ParsesTheContractExample) {
  Order o = Parse(kContractExample);
  ASSERT_EQ(o.resources.size(), 1u);
  const ResourceReq& r = o.resources[0];
  EXPECT_EQ(r.cpu_millicores, 500);
  EXPECT_EQ(r.memory_bytes, kGi);
  EXPECT_EQ(r.gpu_units, 1);
  ASSERT_EQ(r.gpu_models.size(), 1u);
  EXPECT_EQ(r.gpu_models[0].model, "rtx4090");
  ASSERT_EQ(r.storage.size(), 2u);
  EXPECT_FALSE(r.storage[0].persistent());
  EXPECT_TRUE(r.storage[1].persistent());
  EXPECT_EQ(o.denom, "uact");
  EXPECT_EQ(o.max_amount, "10000.000000000000000000");
  EXPECT_EQ(o.precision, 6);
}

TEST(OrderTest, OptionalFieldsMayBeMissingOrNull) {
  Order o = Parse(R"({"resources":[{"cpu":100,"memory":1000,"gpu":null,"storage":null,
                      "count":null}],"price":{"denom":"uact","amount":"5"}})");
  ASSERT_EQ(o.resources.size(), 1u);
  EXPECT_EQ(o.resources[0].count, 1);
  EXPECT_EQ(o.resources[0].gpu_units, 0);
  EXPECT_EQ(o.precision, 6);
  // No price object: the denomination comes from AKASH_DENOM.
  auto o2 = ParseOrder(R"({"resources":[{"cpu":100,"memory":1000}]})", "uakt");
  ASSERT_TRUE(o2.ok());
  EXPECT_EQ(o2->denom, "uakt");
}

TEST(OrderTest, UnreadableInputsAreErrorsNamingTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {"", "stdin"},
      {"[]", "order"},
      {"{}", "resources"},
      {R"({"resources":[]})", "resources"},
      {R"({"resources":[{"memory":1}]})", "resources[0].cpu"},
      {R"({"resources":[{"cpu":-1,"memory":1}]})", "resources[0].cpu"},
      {R"({"resources":[{"cpu":1,"memory":18446744073709551615}]})", "resources[0].memory"},
      {R"({"resources":[{"cpu":1,"memory":1e300}]})", "resources[0].memory"},
      {R"({"resources":[{"cpu":"lots","memory":1}]})", "resources[0].cpu"},
      {R"({"resources":[{"cpu":1,"memory":1,"storage":{}}]})", "resources[0].storage"},
      {R"({"resources":[{"cpu":1,"memory":1}],"price":{"denom":"uact","amount":"-3"}})",
       "price.amount"},
      {R"({"resources":[{"cpu":1,"memory":1}]})", "price.denom"},
      {R"({"resources":[{"cpu":1,"memory":1}],"price":{"denom":"u"},"price_precision":40})",
       "price_precision"},
  };
  for (const auto& c : cases) {
    auto o = ParseOrder(c.json, "");
    ASSERT_FALSE(o.ok()) << c.json;
    EXPECT_EQ(o.status().field(), c.field) << c.json << " → " << o.status().ToString();
  }
}

TEST(PolicyTest, PlainOrderGetsAPositivePriceWithinTheMaximum) {
  const AkashConfig config = TestConfig();
  Order o = Parse(R"({"resources":[{"cpu":1000,"memory":1073741824,
      "storage":[{"class":"ephemeral","size":1073741824}],"count":2,"endpoint_quantity":1}],
      "price":{"denom":"uact","amount":"10000"},"price_precision":6})");
  Decision d = Decide(o, config.Region("default"), HomeFleet(kNow));
  ASSERT_TRUE(d.bid) << d.ReasonLine();
  // (100 + 50 + 2) × 2 + 10 = 314.
  EXPECT_EQ(d.price, "314.000000");
}

TEST(PolicyTest, DeclinesIpLeasesPersistentStorageAbsentGpusAndTooLarge) {
  const AkashConfig config = TestConfig();
  const RegionConfig region = config.Region("default");
  const auto reasons = [&](const std::string& json, bool gpu_online = true) {
    Decision d = Decide(Parse(json), region, HomeFleet(kNow, gpu_online));
    EXPECT_FALSE(d.bid);
    std::vector<std::string> codes;
    for (const auto& r : d.reasons) codes.push_back(r.code);
    return codes;
  };
  const std::string price = R"(,"price":{"denom":"uact","amount":"1000000"}})";
  EXPECT_EQ(reasons(R"({"resources":[{"cpu":100,"memory":1,"ip_lease_quantity":1}])" + price),
            std::vector<std::string>{"ip_lease"});
  EXPECT_EQ(
      reasons(R"({"resources":[{"cpu":100,"memory":1,"storage":[{"class":"beta3","size":1}]}])" +
              price),
      std::vector<std::string>{"persistent_storage"});
  EXPECT_EQ(
      reasons(
          R"({"resources":[{"cpu":100,"memory":1,"gpu":{"units":1,"attributes":{"vendor":{"nvidia":{"model":"h100"}}}}}])" +
          price),
      std::vector<std::string>{"gpu_unavailable"});
  EXPECT_EQ(reasons(R"({"resources":[{"cpu":100,"memory":1,"gpu":{"units":1}}])" + price, false),
            std::vector<std::string>{"gpu_unavailable"});
  EXPECT_EQ(
      reasons(
          R"({"resources":[{"cpu":100,"memory":1,"gpu":{"units":2,"attributes":{"vendor":{"nvidia":{"model":"*"}}}}}])" +
          price),
      std::vector<std::string>{"too_large"});
  EXPECT_EQ(reasons(R"({"resources":[{"cpu":17000,"memory":1}])" + price),
            std::vector<std::string>{"too_large"});
  EXPECT_EQ(reasons(R"({"resources":[{"cpu":1000,"memory":68719476737}])" + price),
            std::vector<std::string>{"too_large"});
  EXPECT_EQ(
      reasons(R"({"resources":[{"cpu":1000,"memory":1}],"price":{"denom":"uatom","amount":"9"}})"),
      std::vector<std::string>{"no_price"});
  EXPECT_EQ(
      reasons(
          R"({"resources":[{"cpu":1000,"memory":1}],"price":{"denom":"uact","amount":"99.999999"}})"),
      std::vector<std::string>{"over_max_price"});
}

TEST(PolicyTest, GpuModelStarOrEmptyVendorMapMatchesAny) {
  const RegionConfig region = TestConfig().Region("default");
  for (const char* gpu :
       {R"({"units":1,"attributes":{"vendor":{"nvidia":{"model":"*"}}}})",
        R"({"units":1,"attributes":{"vendor":{}}})", R"({"units":1})",
        R"({"units":1,"attributes":{"vendor":{"nvidia":{"model":"rtx4090"}}}})"}) {
    Decision d = Decide(Parse(std::string(R"({"resources":[{"cpu":100,"memory":1,"gpu":)") + gpu +
                              R"(}],"price":{"denom":"uact","amount":"100000"}})"),
                        region, HomeFleet(kNow));
    EXPECT_TRUE(d.bid) << gpu << ": " << d.ReasonLine();
    EXPECT_EQ(CompareDecimal(d.price, "3000", 6), 1) << "the rtx4090 rate applies";
  }
}

TEST(PolicyTest, PersistentStorageWithinPolicyIsAcceptedAndPriced) {
  const AkashConfig config = TestConfig(
      "    persistent_storage: {classes: [beta3], max_size: 10Gi}\n    ram_storage_max: 1Gi\n");
  const RegionConfig region = config.Region("default");
  const std::string base = R"({"resources":[{"cpu":100,"memory":1,"storage":[)";
  const std::string tail = R"(]}],"price":{"denom":"uact","amount":"100000"}})";
  Decision ok = Decide(Parse(base + R"({"class":"beta3","size":10737418240})" + tail), region,
                       HomeFleet(kNow));
  EXPECT_TRUE(ok.bid) << ok.ReasonLine();
  EXPECT_FALSE(Decide(Parse(base + R"({"class":"beta3","size":10737418241})" + tail), region,
                      HomeFleet(kNow))
                   .bid);
  EXPECT_FALSE(
      Decide(Parse(base + R"({"class":"beta2","size":1})" + tail), region, HomeFleet(kNow)).bid);
  Decision ram =
      Decide(Parse(base + R"({"class":"ram","size":2147483648})" + tail), region, HomeFleet(kNow));
  ASSERT_FALSE(ram.bid);
  EXPECT_EQ(ram.reasons[0].code, "too_large");
}

TEST(PolicyTest, BidAboveMaxWhenConfigured) {
  const AkashConfig config = TestConfig("    bid_above_max: true\n");
  Decision d = Decide(Parse(R"({"resources":[{"cpu":1000,"memory":1}],
                                "price":{"denom":"uact","amount":"1"}})"),
                      config.Region("default"), HomeFleet(kNow));
  ASSERT_TRUE(d.bid) << d.ReasonLine();
  EXPECT_EQ(d.price, "100.000001");
}

TEST(PolicyTest, PriceIsNeverZeroAndHonoursPrecision) {
  const AkashConfig config = TestConfig();
  Decision d = Decide(Parse(R"({"resources":[{"cpu":0,"memory":0}],
                                "price":{"denom":"uact","amount":"1"},"price_precision":3})"),
                      config.Region("default"), HomeFleet(kNow));
  ASSERT_TRUE(d.bid);
  EXPECT_EQ(d.price, "0.001");
  d = Decide(Parse(R"({"resources":[{"cpu":0,"memory":0}],
                       "price":{"denom":"uact","amount":"1"},"price_precision":0})"),
             config.Region("default"), HomeFleet(kNow));
  ASSERT_TRUE(d.bid);
  EXPECT_EQ(d.price, "1");
}

TEST(PolicyTest, DecimalHelpers) {
  EXPECT_EQ(CompareDecimal("1.0000001", "1", 6), 0);
  EXPECT_EQ(CompareDecimal("1.000001", "1", 6), 1);
  EXPECT_EQ(CompareDecimal("0.5", "10000.000000000000000000", 6), -1);
  EXPECT_EQ(SumDecimal({{"1000", 2}, {"0.5", 3}}), "2001.500000000000000000");
}

// Property: any order (random, mutated, huge) either declines with a reason or bids a price
// that is a positive decimal within the tenant's maximum. Never a crash.
TEST(PolicyPropertyTest, RandomOrdersNeverCrashOrPriceZeroOrAboveMax) {
  SeededRandom rnd(20261125);
  const AkashConfig config =
      TestConfig("    persistent_storage: {classes: [beta3], max_size: 100Gi}\n");
  const RegionConfig region = config.Region("default");
  const api::FleetSnapshot fleet = HomeFleet(kNow);
  const auto pick = [&](std::initializer_list<nlohmann::json> xs) {
    return *(xs.begin() + rnd.Uniform(static_cast<uint32_t>(xs.size())));
  };
  const auto number = [&]() -> nlohmann::json {
    if (rnd.Uniform(5) != 0) return static_cast<int64_t>(rnd.Uniform(4000));
    switch (rnd.Uniform(8)) {
      case 0:
        return nullptr;
      case 1:
        return -1;
      case 2:
        return 18446744073709551615ULL;
      case 3:
        return 1e308;
      case 4:
        return "12";
      case 5:
        return 0;
      case 6:
        return rnd.Uniform(100000);
      default:
        return static_cast<int64_t>(rnd.Uniform(1u << 31)) * 8;
    }
  };
  int bids = 0;
  for (int i = 0; i < 5000; ++i) {
    nlohmann::json res = nlohmann::json::array();
    const int n = 1 + static_cast<int>(rnd.Uniform(2));
    for (int k = 0; k < n; ++k) {
      nlohmann::json r = {{"cpu", number()}, {"memory", number()}, {"count", number()}};
      if (rnd.Uniform(2)) r["endpoint_quantity"] = number();
      if (rnd.Uniform(4) == 0) r["ip_lease_quantity"] = number();
      if (rnd.Uniform(2)) {
        r["gpu"] = {{"units", number()},
                    {"attributes",
                     {{"vendor",
                       pick({nlohmann::json::object(), nlohmann::json{{"nvidia", {{"model", "*"}}}},
                             nlohmann::json{{"nvidia", {{"model", "h100"}}}},
                             nlohmann::json{{"amd", nullptr}}, nlohmann::json(42)})}}}};
      }
      if (rnd.Uniform(2)) {
        r["storage"] = nlohmann::json::array(
            {{{"class", pick({"ephemeral", "beta3", "ram", "beta2", nullptr})},
              {"size", number()}}});
      }
      res.push_back(r);
    }
    nlohmann::json order = {{"resources", res}};
    if (rnd.Uniform(5)) {
      order["price"] = {{"denom", pick({"uact", "uact", "uakt", nullptr})},
                        {"amount", pick({"10000.000000000000000000", "0", "1", "1e5", "-1",
                                         "99999999999999999999999999999999999999999", nullptr})}};
    }
    if (rnd.Uniform(3) == 0) order["price_precision"] = number();
    std::string text = order.dump();
    if (rnd.Uniform(8) == 0 && !text.empty()) {  // byte-level mutation
      text[rnd.Uniform(static_cast<uint32_t>(text.size()))] = static_cast<char>(rnd.Uniform(256));
    }
    auto parsed = ParseOrder(text, rnd.Uniform(2) ? "uact" : "");
    if (!parsed.ok()) continue;
    Decision d = Decide(*parsed, region, fleet);
    if (!d.bid) {
      EXPECT_FALSE(d.reasons.empty()) << text;
      continue;
    }
    ++bids;
    ASSERT_FALSE(d.price.empty());
    EXPECT_EQ(d.price.find('-'), std::string::npos) << text;
    EXPECT_GT(CompareDecimal(d.price, "0", parsed->precision), 0) << text << " → " << d.price;
    if (!parsed->max_amount.empty()) {
      EXPECT_LE(CompareDecimal(d.price, parsed->max_amount, parsed->precision), 0) << text;
    }
  }
  EXPECT_GT(bids, 50) << "the generator should produce some biddable orders";
}

}  // namespace
}  // namespace hearth::akash
