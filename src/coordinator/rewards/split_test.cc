// Property tests of the reward split over thousands of seeded random epochs, plus worked
// examples and every invalid-input path. The seed is fixed so a failure reproduces; each case
// names its seed in the failure message.
#include "coordinator/rewards/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "coordinator/rewards/split_codec.h"

namespace hearth::rewards {
namespace {

constexpr int kCases = 4000;
constexpr int64_t kEpoch = 3600;

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int64_t Int(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Int(0, 99) < percent; }
  // Amounts across magnitudes: zero, a few units, typical, huge.
  int64_t Money() {
    switch (Int(0, 4)) {
      case 0:
        return 0;
      case 1:
        return Int(0, 50);
      case 2:
        return Int(0, 10'000'000);
      case 3:
        return Int(0, 1'000'000'000'000);
      default:
        return Int(0, kMaxAmount / 4);
    }
  }
  SplitInput Epoch() {
    SplitInput in;
    in.revenue = Amount::Micro(Money());
    in.op.fixed_cost = Amount::Micro(Chance(30) ? 0 : Money() / (Int(1, 10)));
    in.op.fee_bps = Chance(20) ? 0 : Int(0, kMaxBps);
    in.usage_share_bps = Int(0, kMaxBps);
    in.epoch_seconds = kEpoch;
    const int64_t n = Chance(5) ? Int(100, 400) : Int(0, 12);
    for (int64_t i = 0; i < n; ++i) {
      SplitDevice d;
      d.id = DeviceId("dev_" + std::to_string(Int(0, 1'000'000)) + "_" + std::to_string(i));
      d.online_seconds = Chance(30) ? kEpoch : Int(0, kEpoch);
      d.capacity_weight = Chance(5) ? 0 : Int(1, 5'000'000);
      d.attributed_revenue = Amount::Micro(Chance(50) ? 0 : Money());
      d.eligible = Chance(85);
      in.devices.push_back(std::move(d));
    }
    return in;
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

SplitResult MustSplit(const SplitInput& in) {
  auto r = Split(in);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SplitResult{};
}

Amount TotalOf(const SplitResult& r, const DeviceId& id) {
  for (const Allocation& a : r.allocations) {
    if (a.id == id) return a.total;
  }
  ADD_FAILURE() << "no allocation for " << id;
  return {};
}

TEST(SplitProperty, ConservesValueToTheUnitAndNeverGoesNegative) {
  for (int c = 0; c < kCases; ++c) {
    Gen g(1000 + c);
    const SplitInput in = g.Epoch();
    const SplitResult r = MustSplit(in);
    SCOPED_TRACE("seed " + std::to_string(1000 + c));
    ASSERT_EQ(r.allocations.size(), in.devices.size());
    Int128 sum = r.operator_share.micro();
    int64_t usage = 0, part = 0;
    EXPECT_GE(r.operator_share.micro(), 0);
    for (const Allocation& a : r.allocations) {
      EXPECT_GE(a.usage.micro(), 0);
      EXPECT_GE(a.participation.micro(), 0);
      EXPECT_EQ(a.total, a.usage + a.participation);
      sum += a.total.micro();
      usage += a.usage.micro();
      part += a.participation.micro();
    }
    EXPECT_TRUE(sum == in.revenue.micro()) << "operator + devices != revenue";
    EXPECT_EQ(usage, r.usage_pool.micro());
    EXPECT_EQ(part, r.participation_pool.micro());
  }
}

TEST(SplitProperty, IneligibleDevicesEarnNothing) {
  for (int c = 0; c < kCases; ++c) {
    Gen g(2000 + c);
    const SplitInput in = g.Epoch();
    const SplitResult r = MustSplit(in);
    for (const SplitDevice& d : in.devices) {
      if (!d.eligible) {
        EXPECT_EQ(TotalOf(r, d.id), Amount::Zero()) << "seed " << 2000 + c;
      }
    }
  }
}

TEST(SplitProperty, MoreOnlineSecondsNeverEarnsLess) {
  int exercised = 0;
  for (int c = 0; c < kCases; ++c) {
    Gen g(3000 + c);
    SplitInput in = g.Epoch();
    if (in.devices.empty()) continue;
    const size_t i = static_cast<size_t>(g.Int(0, static_cast<int64_t>(in.devices.size()) - 1));
    const Amount before = TotalOf(MustSplit(in), in.devices[i].id);
    in.devices[i].online_seconds = g.Int(in.devices[i].online_seconds, kEpoch);
    const Amount after = TotalOf(MustSplit(in), in.devices[i].id);
    EXPECT_GE(after, before) << "seed " << 3000 + c;
    ++exercised;
  }
  EXPECT_GT(exercised, kCases / 2);
}

TEST(SplitProperty, SplittingADeviceInTwoEarnsNoMore) {
  int exercised = 0, gained = 0;
  for (int c = 0; c < kCases; ++c) {
    Gen g(4000 + c);
    SplitInput in = g.Epoch();
    if (in.devices.empty()) continue;
    const size_t i = static_cast<size_t>(g.Int(0, static_cast<int64_t>(in.devices.size()) - 1));
    SplitDevice whole = in.devices[i];
    whole.capacity_weight -= whole.capacity_weight % 2;  // halves must be exact
    whole.attributed_revenue = Amount::Micro(whole.attributed_revenue.micro() / 2 * 2);
    in.devices[i] = whole;
    const Amount before = TotalOf(MustSplit(in), whole.id);

    SplitDevice a = whole, b = whole;
    a.id = DeviceId(whole.id.str() + "-a");
    b.id = DeviceId(whole.id.str() + "-b");
    a.capacity_weight = b.capacity_weight = whole.capacity_weight / 2;
    a.attributed_revenue = b.attributed_revenue =
        Amount::Micro(whole.attributed_revenue.micro() / 2);
    in.devices.erase(in.devices.begin() + static_cast<ptrdiff_t>(i));
    in.devices.push_back(a);
    in.devices.push_back(b);
    const SplitResult r = MustSplit(in);
    const Amount after = TotalOf(r, a.id) + TotalOf(r, b.id);
    // The exact quotas of the halves sum to the whole's; largest-remainder rounding can give
    // the pair at most one extra unit per pool (usage and participation round separately).
    const int64_t pools = (whole.eligible && whole.attributed_revenue.micro() > 0 ? 1 : 0) +
                          (whole.eligible && whole.capacity_weight * whole.online_seconds > 0);
    EXPECT_LE(after.micro(), before.micro() + pools) << "seed " << 4000 + c;
    if (after.micro() > before.micro()) ++gained;
    ++exercised;
  }
  EXPECT_GT(exercised, kCases / 2);
  RecordProperty("cases_gaining_a_rounding_unit", gained);
}

TEST(SplitProperty, EligibleIdleDeviceWithFullUptimeEarnsParticipation) {
  // A pool of P units cannot give a positive amount to more than P devices, so the promise is:
  // whenever the device's exact share of a positive pool is at least one unit, it gets it.
  int exercised = 0;
  for (int c = 0; c < kCases; ++c) {
    Gen g(5000 + c);
    SplitInput in = g.Epoch();
    SplitDevice idle;
    idle.id = DeviceId("idle");
    idle.online_seconds = kEpoch;
    idle.capacity_weight = g.Int(1, 5'000'000);
    idle.eligible = true;
    in.devices.push_back(idle);
    const SplitResult r = MustSplit(in);
    if (r.participation_pool.is_zero()) continue;
    Int128 total_w = 0;
    for (const SplitDevice& d : in.devices) {
      if (d.eligible) total_w += static_cast<Int128>(d.capacity_weight) * d.online_seconds;
    }
    const Int128 exact_num =
        static_cast<Int128>(r.participation_pool.micro()) * idle.capacity_weight * kEpoch;
    if (exact_num < total_w) continue;  // less than one unit: rounding may give it to others
    for (const Allocation& a : r.allocations) {
      if (a.id == idle.id) {
        EXPECT_GT(a.participation.micro(), 0) << "seed " << 5000 + c;
      }
    }
    ++exercised;
  }
  EXPECT_GT(exercised, kCases / 4);
}

TEST(SplitProperty, PermutingTheInputChangesNothing) {
  for (int c = 0; c < kCases; ++c) {
    Gen g(6000 + c);
    SplitInput in = g.Epoch();
    const SplitResult before = MustSplit(in);
    std::shuffle(in.devices.begin(), in.devices.end(), g.rng());
    const SplitResult after = MustSplit(in);
    EXPECT_EQ(after.operator_share, before.operator_share) << "seed " << 6000 + c;
    EXPECT_EQ(after.allocations, before.allocations) << "seed " << 6000 + c;
  }
}

SplitDevice Dev(const std::string& id, int64_t seconds, int64_t weight, int64_t attributed,
                bool eligible = true) {
  return SplitDevice{DeviceId(id), seconds, weight, Amount::Micro(attributed), eligible};
}

TEST(Split, WorkedExample) {
  SplitInput in;
  in.revenue = Amount::Micro(1'000'000);
  in.op = {Amount::Micro(100'000), 1000};  // 0.1 fixed + 10 % fee = 200'000
  in.usage_share_bps = 5000;               // 400'000 usage, 400'000 participation
  in.devices = {Dev("b", 3600, 2, 300), Dev("a", 3600, 1, 100), Dev("c", 1800, 2, 0)};
  const SplitResult r = MustSplit(in);
  EXPECT_EQ(r.operator_share.micro(), 200'000);
  ASSERT_EQ(r.allocations.size(), 3U);
  // Sorted by id; usage 1:3 of 400'000; participation 3600:7200:3600 of 400'000.
  EXPECT_EQ(r.allocations[0], (Allocation{DeviceId("a"), Amount::Micro(100'000),
                                          Amount::Micro(100'000), Amount::Micro(200'000)}));
  EXPECT_EQ(r.allocations[1], (Allocation{DeviceId("b"), Amount::Micro(300'000),
                                          Amount::Micro(200'000), Amount::Micro(500'000)}));
  EXPECT_EQ(r.allocations[2], (Allocation{DeviceId("c"), Amount::Micro(0), Amount::Micro(100'000),
                                          Amount::Micro(100'000)}));
}

TEST(Split, OperatorShareIsCappedAtRevenue) {
  SplitInput in;
  in.revenue = Amount::Micro(500);
  in.op = {Amount::Micro(1'000), 0};
  in.usage_share_bps = 5000;
  in.devices = {Dev("a", 3600, 1, 10)};
  const SplitResult r = MustSplit(in);
  EXPECT_EQ(r.operator_share.micro(), 500);
  EXPECT_EQ(r.allocations[0].total.micro(), 0);
}

TEST(Split, UsagePoolWithoutAttributionMovesToParticipation) {
  SplitInput in;
  in.revenue = Amount::Micro(1000);
  in.usage_share_bps = 7000;
  in.devices = {Dev("a", 3600, 1, 0), Dev("b", 3600, 1, 0)};
  const SplitResult r = MustSplit(in);
  EXPECT_EQ(r.usage_pool.micro(), 0);
  EXPECT_EQ(r.participation_pool.micro(), 1000);
  EXPECT_EQ(r.allocations[0].participation.micro(), 500);
  EXPECT_EQ(r.allocations[1].participation.micro(), 500);
}

TEST(Split, ParticipationPoolWithoutEligibleDeviceGoesToOperator) {
  SplitInput in;
  in.revenue = Amount::Micro(1000);
  in.usage_share_bps = 5000;
  in.devices = {Dev("a", 3600, 1, 100, /*eligible=*/false), Dev("b", 0, 1, 0)};
  const SplitResult r = MustSplit(in);
  EXPECT_EQ(r.operator_share.micro(), 1000);
  EXPECT_EQ(r.allocations[0].total.micro(), 0);
  EXPECT_EQ(r.allocations[1].total.micro(), 0);
}

TEST(Split, LargestRemainderTieGoesToTheSmallerId) {
  SplitInput in;
  in.revenue = Amount::Micro(2);
  in.devices = {Dev("z", 3600, 1, 0), Dev("y", 3600, 1, 0), Dev("x", 3600, 1, 0)};
  const SplitResult r = MustSplit(in);
  EXPECT_EQ(r.allocations[0].participation.micro(), 1);  // x
  EXPECT_EQ(r.allocations[1].participation.micro(), 1);  // y
  EXPECT_EQ(r.allocations[2].participation.micro(), 0);  // z
}

TEST(Split, LargestRemainderPrefersTheLargerRemainder) {
  // 10 units in weights 1:2:2 → quotas 2, 4, 4 exactly; 11 units → 2.2, 4.4, 4.4.
  EXPECT_EQ(Apportion(10, {1, 2, 2}), (std::vector<int64_t>{2, 4, 4}));
  EXPECT_EQ(Apportion(11, {1, 2, 2}), (std::vector<int64_t>{2, 5, 4}));
  EXPECT_EQ(Apportion(5, {0, 0}), (std::vector<int64_t>{0, 0}));
}

TEST(Split, ExtremeValuesDoNotOverflow) {
  SplitInput in;
  in.revenue = Amount::Micro(kMaxAmount);
  in.op = {Amount::Micro(kMaxAmount), kMaxBps};
  in.usage_share_bps = kMaxBps;
  in.devices = {Dev("a", kMaxOnlineSeconds, kMaxCapacityWeight, kMaxAmount),
                Dev("b", kMaxOnlineSeconds, kMaxCapacityWeight, kMaxAmount)};
  SplitResult r = MustSplit(in);
  EXPECT_EQ(r.operator_share.micro(), kMaxAmount);
  in.op = {Amount::Zero(), 0};
  in.usage_share_bps = 3333;
  r = MustSplit(in);
  EXPECT_EQ(
      r.operator_share.micro() + r.allocations[0].total.micro() + r.allocations[1].total.micro(),
      kMaxAmount);
  EXPECT_EQ(r.allocations[0].total.micro(), kMaxAmount / 2);
}

struct BadCase {
  std::string json;
  std::string field;
};

TEST(SplitCodec, InvalidInputNamesTheField) {
  const std::string devs =
      R"("devices":[{"id":"a","online_seconds":10,"capacity_weight":1,"attributed_revenue":0,"eligible":true}])";
  const std::vector<BadCase> cases = {
      {R"({"revenue":-1,"operator":{"fixed_cost":0,"fee_bps":0},"usage_share_bps":0,)" + devs + "}",
       "revenue"},
      {R"({"revenue":1,"operator":{"fixed_cost":-5,"fee_bps":0},"usage_share_bps":0,)" + devs + "}",
       "operator.fixed_cost"},
      {R"({"revenue":1,"operator":{"fixed_cost":0,"fee_bps":10001},"usage_share_bps":0,)" + devs +
           "}",
       "operator.fee_bps"},
      {R"({"revenue":1,"operator":{"fixed_cost":0,"fee_bps":0},"usage_share_bps":20000,)" + devs +
           "}",
       "usage_share_bps"},
      {R"({"revenue":1.5,"operator":{},"usage_share_bps":0,)" + devs + "}", "revenue"},
      {R"({"revenue":1,"usage_share_bps":0,)" + devs + "}", "operator"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0})", "devices"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":-1,"capacity_weight":1,"eligible":true}]})",
       "devices[0].online_seconds"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":"yes"}]})",
       "devices[0].eligible"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"attributed_revenue":-3,"eligible":true}]})",
       "devices[0].attributed_revenue"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":true},{"id":"b","online_seconds":1,"capacity_weight":1,"eligible":true},{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":true}]})",
       "devices[2].id"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"epoch_seconds":3600,"devices":[{"id":"a","online_seconds":3601,"capacity_weight":1,"eligible":true}]})",
       "devices[0].online_seconds"},
  };
  for (const BadCase& c : cases) {
    auto in = DecodeSplitInput(c.json);
    ASSERT_FALSE(in.ok()) << c.json;
    EXPECT_EQ(in.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(in.status().field(), c.field) << in.status().ToString();
  }
  auto bad = DecodeSplitInput(std::string("{not json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().reason(), "malformed_json");
}

TEST(SplitCodec, RoundTripsAndEncodesTheDocumentedShape) {
  Gen g(7);
  const SplitInput in = g.Epoch();
  auto back = DecodeSplitInput(EncodeSplitInput(in));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EncodeSplitInput(*back), EncodeSplitInput(in));
  const nlohmann::json out = EncodeSplitResult(MustSplit(in));
  EXPECT_TRUE(out.contains("operator"));
  EXPECT_EQ(out["allocations"].size(), in.devices.size());
}

}  // namespace
}  // namespace hearth::rewards
