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
constexpr int64_t kS = kCarryScale;

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
  SplitDevice Device(const std::string& id, bool carry) {
    SplitDevice d;
    d.id = DeviceId(id);
    d.online_seconds = Chance(30) ? kEpoch : Int(0, kEpoch);
    d.capacity_weight = Chance(5) ? 0 : Int(1, 5'000'000);
    d.attributed_revenue = Amount::Micro(Chance(50) ? 0 : Money());
    d.eligible = Chance(85);
    if (!d.eligible) d.ineligible_reason = "probation";
    if (carry && Chance(70)) d.carry_in = Int(0, kS - 1);
    return d;
  }
  SplitInput Epoch(bool carry = false) {
    SplitInput in;
    in.revenue = Amount::Micro(Money());
    in.op.fixed_cost = Amount::Micro(Chance(30) ? 0 : Money() / (Int(1, 10)));
    in.op.fee_bps = Chance(20) ? 0 : Int(0, kMaxBps);
    in.usage_share_bps = Int(0, kMaxBps);
    in.epoch_seconds = kEpoch;
    in.carry = carry;
    const int64_t n = Chance(5) ? Int(100, 400) : Int(0, 12);
    for (int64_t i = 0; i < n; ++i) {
      in.devices.push_back(
          Device("dev_" + std::to_string(Int(0, 1'000'000)) + "_" + std::to_string(i), carry));
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

const Allocation& AllocOf(const SplitResult& r, const DeviceId& id) {
  for (const Allocation& a : r.allocations) {
    if (a.id == id) return a;
  }
  ADD_FAILURE() << "no allocation for " << id;
  static const Allocation kNone;
  return kNone;
}

Amount TotalOf(const SplitResult& r, const DeviceId& id) { return AllocOf(r, id).total; }

// The pools and per-device floors of the split, recomputed independently from the rules.
struct Expected {
  int64_t operator_share = 0, usage = 0, participation = 0;
  Int128 attributed = 0, weight = 0;
  // ⌊U·a/A⌋ and ⌊Q·w/W⌋ of one device (0 when ineligible).
  Int128 UsageFloor(const SplitDevice& d) const {
    return d.eligible && usage > 0
               ? usage * static_cast<Int128>(d.attributed_revenue.micro()) / attributed
               : 0;
  }
  Int128 PartFloor(const SplitDevice& d) const {
    return d.eligible && participation > 0
               ? participation * (static_cast<Int128>(d.capacity_weight) * d.online_seconds) /
                     weight
               : 0;
  }
  // e as a long double, for bounds that do not need exactness.
  long double Share(const SplitDevice& d) const {
    if (!d.eligible) return 0;
    long double e = 0;
    if (usage > 0) {
      e += static_cast<long double>(usage) * d.attributed_revenue.micro() /
           static_cast<long double>(attributed);
    }
    if (participation > 0) {
      e += static_cast<long double>(participation) * d.capacity_weight * d.online_seconds /
           static_cast<long double>(weight);
    }
    return e;
  }
};

Expected ExpectedOf(const SplitInput& in) {
  Expected x;
  const int64_t revenue = in.revenue.micro();
  const auto fee = static_cast<int64_t>(static_cast<Int128>(revenue) * in.op.fee_bps / 10000);
  x.operator_share = std::min(revenue, in.op.fixed_cost.micro() + fee);
  const int64_t rest = revenue - x.operator_share;
  x.usage = static_cast<int64_t>(static_cast<Int128>(rest) * in.usage_share_bps / 10000);
  x.participation = rest - x.usage;
  for (const SplitDevice& d : in.devices) {
    if (!d.eligible) continue;
    x.attributed += d.attributed_revenue.micro();
    x.weight += static_cast<Int128>(d.capacity_weight) * d.online_seconds;
  }
  if (x.attributed == 0) {
    x.participation += x.usage;
    x.usage = 0;
  }
  if (x.weight == 0) {
    x.operator_share += x.participation;
    x.participation = 0;
  }
  return x;
}

TEST(SplitProperty, ClosedEpochConservesEachPoolToTheUnitAndNeverGoesNegative) {
  for (int c = 0; c < kCases; ++c) {
    Gen g(1000 + c);
    const SplitInput in = g.Epoch();
    const SplitResult r = MustSplit(in);
    SCOPED_TRACE("seed " + std::to_string(1000 + c));
    ASSERT_EQ(r.allocations.size(), in.devices.size());
    const Expected x = ExpectedOf(in);
    EXPECT_EQ(r.operator_share.micro(), x.operator_share);
    EXPECT_EQ(r.carried, Amount::Zero());
    Int128 sum = r.operator_share.micro(), usage = 0, part = 0;
    for (const SplitDevice& d : in.devices) {
      const Allocation& a = AllocOf(r, d.id);
      EXPECT_GE(a.usage.micro(), 0);
      EXPECT_GE(a.participation.micro(), 0);
      EXPECT_EQ(a.total, a.usage + a.participation);
      // usage ≥ ⌊U·a/A⌋, participation ≥ ⌊Q·w/W⌋, total within one unit of the exact share.
      EXPECT_TRUE(a.usage.micro() >= x.UsageFloor(d));
      EXPECT_TRUE(a.participation.micro() >= x.PartFloor(d));
      const long double e = x.Share(d);
      EXPECT_LT(std::abs(static_cast<long double>(a.total.micro()) - e), 1 + e * 1e-15L);
      sum += a.total.micro();
      usage += a.usage.micro();
      part += a.participation.micro();
    }
    EXPECT_TRUE(sum == in.revenue.micro()) << "operator + devices != revenue";
    EXPECT_TRUE(usage == x.usage) << "usage pool does not balance";
    EXPECT_TRUE(part == x.participation) << "participation pool does not balance";
    EXPECT_EQ(r.usage_pool.micro(), x.usage);
    EXPECT_EQ(r.participation_pool.micro(), x.participation);
  }
}

TEST(SplitProperty, CarryEpochConservesValueWithTheCarryAccount) {
  int carried_out = 0;
  for (int c = 0; c < kCases; ++c) {
    Gen g(1500 + c);
    const SplitInput in = g.Epoch(/*carry=*/true);
    const SplitResult r = MustSplit(in);
    SCOPED_TRACE("seed " + std::to_string(1500 + c));
    const Expected x = ExpectedOf(in);
    EXPECT_EQ(r.operator_share.micro(), x.operator_share);
    Int128 sum = r.operator_share.micro() + r.carried.micro(), carry_delta = 0;
    for (const SplitDevice& d : in.devices) {
      const Allocation& a = AllocOf(r, d.id);
      EXPECT_GE(a.participation.micro(), 0);
      EXPECT_EQ(a.total, a.usage + a.participation);
      EXPECT_TRUE(a.usage.micro() == x.UsageFloor(d)) << "usage is ⌊U·a/A⌋ in carry epochs";
      EXPECT_TRUE(a.participation.micro() >= x.PartFloor(d));
      EXPECT_GE(a.carry_out, 0);
      EXPECT_LT(a.carry_out, kS);
      // What the device accrued this epoch (f) is within one 1/S of its exact share.
      const Int128 accrued = static_cast<Int128>(a.total.micro()) * kS + a.carry_out - d.carry_in;
      const long double e = x.Share(d) * kS;
      EXPECT_LT(std::abs(static_cast<long double>(accrued) - e), 1 + e * 1e-15L);
      if (!d.eligible) {
        EXPECT_EQ(a.carry_out, d.carry_in);
        EXPECT_EQ(a.total, Amount::Zero());
      }
      sum += a.total.micro();
      carry_delta += a.carry_out - d.carry_in;
    }
    EXPECT_TRUE(sum == in.revenue.micro()) << "operator + devices + carried != revenue";
    EXPECT_TRUE(carry_delta == static_cast<Int128>(r.carried.micro()) * kS)
        << "the carry account does not hold the carries";
    if (r.carried.is_negative()) ++carried_out;
  }
  EXPECT_GT(carried_out, 0) << "no case paid a carried unit out";
}

TEST(SplitProperty, IneligibleDevicesEarnNothing) {
  for (int c = 0; c < kCases; ++c) {
    Gen g(2000 + c);
    const SplitInput in = g.Epoch(/*carry=*/c % 2 == 1);
    const SplitResult r = MustSplit(in);
    for (const SplitDevice& d : in.devices) {
      if (!d.eligible) {
        EXPECT_EQ(TotalOf(r, d.id), Amount::Zero()) << "seed " << 2000 + c;
      }
    }
  }
}

TEST(SplitProperty, MoreOnlineSecondsNeverEarnsLess) {
  int exercised = 0, raised = 0;
  for (int c = 0; c < kCases; ++c) {
    Gen g(3000 + c);
    SplitInput in = g.Epoch(/*carry=*/c % 2 == 1);
    if (in.devices.empty()) continue;
    const size_t i = static_cast<size_t>(g.Int(0, static_cast<int64_t>(in.devices.size()) - 1));
    const Amount before = TotalOf(MustSplit(in), in.devices[i].id);
    in.devices[i].online_seconds = g.Int(in.devices[i].online_seconds, kEpoch);
    const Amount after = TotalOf(MustSplit(in), in.devices[i].id);
    EXPECT_GE(after, before) << "seed " << 3000 + c;
    if (after > before) ++raised;
    ++exercised;
  }
  EXPECT_GT(exercised, kCases / 2);
  EXPECT_GT(raised, kCases / 10);
}

// Replaces device i by two halves (ids "<id>-a", "<id>-b") and returns the whole's and the
// pair's totals. The whole's capacity, attributed revenue and carry are made even first.
std::pair<int64_t, int64_t> SplitInTwo(SplitInput in, size_t i) {
  SplitDevice whole = in.devices[i];
  whole.capacity_weight -= whole.capacity_weight % 2;
  whole.attributed_revenue = Amount::Micro(whole.attributed_revenue.micro() / 2 * 2);
  whole.carry_in -= whole.carry_in % 2;
  in.devices[i] = whole;
  const int64_t before = TotalOf(MustSplit(in), whole.id).micro();
  SplitDevice a = whole, b = whole;
  a.id = DeviceId(whole.id.str() + "-a");
  b.id = DeviceId(whole.id.str() + "-b");
  a.capacity_weight = b.capacity_weight = whole.capacity_weight / 2;
  a.attributed_revenue = b.attributed_revenue = Amount::Micro(whole.attributed_revenue.micro() / 2);
  a.carry_in = b.carry_in = whole.carry_in / 2;
  in.devices.erase(in.devices.begin() + static_cast<ptrdiff_t>(i));
  in.devices.push_back(a);
  in.devices.push_back(b);
  const SplitResult r = MustSplit(in);
  return {before, TotalOf(r, a.id).micro() + TotalOf(r, b.id).micro()};
}

TEST(SplitProperty, SplittingADeviceInTwoGainsAtMostOneUnit) {
  for (const bool carry : {false, true}) {
    int exercised = 0, gained = 0, lost = 0;
    for (int c = 0; c < kCases; ++c) {
      Gen g(4000 + c);
      const SplitInput in = g.Epoch(carry);
      if (in.devices.empty()) continue;
      const size_t i = static_cast<size_t>(g.Int(0, static_cast<int64_t>(in.devices.size()) - 1));
      const auto [before, after] = SplitInTwo(in, i);
      EXPECT_LE(after, before + 1) << "seed " << 4000 + c << (carry ? " carry" : " closed");
      if (after > before) ++gained;
      if (after < before) ++lost;
      ++exercised;
    }
    EXPECT_GT(exercised, kCases / 2);
    EXPECT_GT(gained + lost, 0) << "no case exercised rounding";
    RecordProperty(carry ? "carry_cases_gaining_a_unit" : "closed_cases_gaining_a_unit", gained);
  }
}

TEST(SplitProperty, SplittingInTwoAcrossManyEpochsGainsAtMostOneUnitInTotal) {
  // The same fleet over 300 carry epochs, once with the machine as one device and once as two
  // halves; each world carries its own remainders forward.
  int gained = 0;
  for (int c = 0; c < 60; ++c) {
    Gen g(4500 + c);
    SplitInput world = g.Epoch(/*carry=*/true);
    for (SplitDevice& d : world.devices) d.carry_in = 0;
    SplitDevice whole = g.Device("machine", true);
    whole.eligible = true;
    whole.ineligible_reason.clear();
    whole.carry_in = 0;
    whole.capacity_weight = g.Int(1, 3000) * 2;
    whole.attributed_revenue = Amount::Micro(g.Chance(50) ? 0 : g.Int(0, 100) * 2);
    SplitInput one = world, two = world;
    one.devices.push_back(whole);
    SplitDevice a = whole, b = whole;
    a.id = DeviceId("machine-a");
    b.id = DeviceId("machine-b");
    a.capacity_weight = b.capacity_weight = whole.capacity_weight / 2;
    a.attributed_revenue = b.attributed_revenue =
        Amount::Micro(whole.attributed_revenue.micro() / 2);
    two.devices.push_back(a);
    two.devices.push_back(b);
    int64_t sum_one = 0, sum_two = 0;
    for (int epoch = 0; epoch < 300; ++epoch) {
      const int64_t revenue = g.Int(0, 400);
      const int64_t seconds = g.Int(0, kEpoch);
      for (SplitInput* in : {&one, &two}) {
        in->revenue = Amount::Micro(revenue);
        in->devices.back().online_seconds = seconds;
        if (in == &two) in->devices[in->devices.size() - 2].online_seconds = seconds;
      }
      const SplitResult r1 = MustSplit(one), r2 = MustSplit(two);
      sum_one += TotalOf(r1, whole.id).micro();
      sum_two += TotalOf(r2, a.id).micro() + TotalOf(r2, b.id).micro();
      for (auto [in, r] : {std::pair{&one, &r1}, std::pair{&two, &r2}}) {
        for (SplitDevice& d : in->devices) d.carry_in = AllocOf(*r, d.id).carry_out;
      }
      ASSERT_LE(sum_two, sum_one + 1) << "seed " << 4500 + c << " epoch " << epoch;
    }
    if (sum_two > sum_one) ++gained;
  }
  RecordProperty("runs_gaining_a_unit", gained);
}

TEST(SplitProperty, ClosedEpochPaysParticipationWhenTheExactShareIsAUnit) {
  // A pool of P units cannot give a positive amount to more than P devices, so a closed epoch
  // promises: whenever the device's exact participation share is at least one unit, it is paid.
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
    const Expected x = ExpectedOf(in);
    if (x.participation == 0) continue;
    const Int128 exact_num = static_cast<Int128>(x.participation) * idle.capacity_weight * kEpoch;
    if (exact_num < x.weight) continue;  // less than one unit: rounding may give it to others
    EXPECT_GT(AllocOf(r, idle.id).participation.micro(), 0) << "seed " << 5000 + c;
    ++exercised;
  }
  EXPECT_GT(exercised, kCases / 4);
}

TEST(SplitProperty, CarryEpochsPayAnIdleDeviceOnceItsAccruedShareReachesAUnit) {
  // Small pools among large fleets: the idle device's exact share is often far below one unit
  // per epoch. With carries, its cumulative participation is ⌊accrued⌋ at every epoch, and the
  // accrued share is at least Σ ⌊S·Q·w/W⌋ / S.
  int paid_by_carry = 0, runs = 0;
  for (int c = 0; c < 300; ++c) {
    Gen g(5500 + c);
    SplitInput in;
    in.carry = true;
    in.epoch_seconds = kEpoch;
    in.usage_share_bps = g.Int(0, kMaxBps);
    const int64_t fleet = g.Int(1, 60);
    for (int64_t i = 0; i < fleet; ++i) {
      in.devices.push_back(g.Device("dev_" + std::to_string(i), true));
      in.devices.back().carry_in = 0;
      // Weights within a few orders of the idle device's, so its share is often a small
      // fraction of a unit per epoch but reaches a unit within the run.
      in.devices.back().capacity_weight = g.Int(0, 50'000);
    }
    SplitDevice idle;
    idle.id = DeviceId("idle");
    idle.online_seconds = kEpoch;
    idle.capacity_weight = g.Int(1, 2000);
    idle.eligible = true;
    in.devices.push_back(idle);
    Int128 lower = 0;  // Σ ⌊S·Q·w/W⌋ over the epochs so far
    int64_t paid = 0;  // cumulative participation of the idle device
    bool ever_share_a_unit = false;
    bool accrued_a_unit = false;
    for (int epoch = 0; epoch < 200; ++epoch) {
      in.revenue = Amount::Micro(g.Int(1, 30));
      for (size_t i = 0; i + 1 < in.devices.size(); ++i) {
        in.devices[i].online_seconds = g.Int(0, kEpoch);
      }
      const SplitResult r = MustSplit(in);
      const Expected x = ExpectedOf(in);
      const Allocation& a = AllocOf(r, idle.id);
      ASSERT_EQ(a.usage.micro(), 0);
      paid += a.participation.micro();
      if (x.participation > 0) {
        const Int128 num = static_cast<Int128>(x.participation) * idle.capacity_weight * kEpoch;
        const Int128 whole = num / x.weight, rem = num % x.weight;
        lower += whole * kS + rem * kS / x.weight;
        if (whole >= 1) {
          ever_share_a_unit = true;
          EXPECT_GE(a.participation.micro(), 1) << "seed " << 5500 + c;
        }
      }
      // accrued = paid + carry: never less than the lower bound, never a unit short of paid.
      const Int128 accrued = static_cast<Int128>(paid) * kS + a.carry_out;
      ASSERT_TRUE(accrued >= lower) << "seed " << 5500 + c << " epoch " << epoch;
      ASSERT_LT(a.carry_out, kS);
      if (lower >= kS) {
        accrued_a_unit = true;
        ASSERT_GE(paid, 1) << "accrued a unit but was not paid; seed " << 5500 + c;
      }
      for (SplitDevice& d : in.devices) d.carry_in = AllocOf(r, d.id).carry_out;
    }
    ++runs;
    if (accrued_a_unit && !ever_share_a_unit) ++paid_by_carry;
  }
  EXPECT_GT(paid_by_carry, 100) << "too few runs where only the carry got the idle device paid";
  RecordProperty("runs_paid_only_through_the_carry", paid_by_carry);
}

TEST(SplitProperty, PermutingTheInputChangesNothing) {
  for (int c = 0; c < kCases; ++c) {
    Gen g(6000 + c);
    SplitInput in = g.Epoch(/*carry=*/c % 2 == 1);
    const SplitResult before = MustSplit(in);
    std::shuffle(in.devices.begin(), in.devices.end(), g.rng());
    const SplitResult after = MustSplit(in);
    EXPECT_EQ(after.operator_share, before.operator_share) << "seed " << 6000 + c;
    EXPECT_EQ(after.carried, before.carried) << "seed " << 6000 + c;
    EXPECT_EQ(after.allocations, before.allocations) << "seed " << 6000 + c;
  }
}

SplitDevice Dev(const std::string& id, int64_t seconds, int64_t weight, int64_t attributed,
                bool eligible = true) {
  SplitDevice d;
  d.id = DeviceId(id);
  d.online_seconds = seconds;
  d.capacity_weight = weight;
  d.attributed_revenue = Amount::Micro(attributed);
  d.eligible = eligible;
  return d;
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

TEST(Split, JointRoundingRemovesTheSecondUnitASplitUsedToGain) {
  // Per-pool rounding: the whole (usage 1.2, participation 1.2) got 1 + 1; its halves (0.6
  // each in each pool) beat the others' 0.4 remainders in both pools and got 2 + 2.
  EXPECT_EQ(Apportion(4, {12, 14, 14}), (std::vector<int64_t>{1, 2, 1}));
  EXPECT_EQ(Apportion(4, {6, 6, 14, 14}), (std::vector<int64_t>{1, 1, 1, 1}));
  // Joint rounding of e = 2.4 (whole) or 1.2 + 1.2 (halves) against 2.8 + 2.8: 2 either way.
  SplitInput in;
  in.revenue = Amount::Micro(8);
  in.usage_share_bps = 5000;  // U = Q = 4
  in.devices = {Dev("d", 1, 12, 12), Dev("o1", 1, 14, 14), Dev("o2", 1, 14, 14)};
  SplitResult r = MustSplit(in);
  EXPECT_EQ(TotalOf(r, DeviceId("d")).micro(), 2);
  in.devices = {Dev("d-a", 1, 6, 6), Dev("d-b", 1, 6, 6), Dev("o1", 1, 14, 14),
                Dev("o2", 1, 14, 14)};
  r = MustSplit(in);
  EXPECT_EQ(TotalOf(r, DeviceId("d-a")).micro() + TotalOf(r, DeviceId("d-b")).micro(), 2);
  EXPECT_EQ(r.usage_pool.micro(), 4);
  EXPECT_EQ(r.participation_pool.micro(), 4);
}

TEST(Split, UsageUnitsAreRelabelledOnlyFromRoundedUpUnits) {
  // U = 1 over ten devices with 0.1 each and no uptime; Q = 2 over three idle devices with
  // exact shares 0.7, 0.7, 0.6. The three win all three leftover units, so one of their
  // rounded-up units is labelled usage (the usage pool still balances); nobody's
  // participation drops below ⌊Q·w/W⌋ = 0.
  SplitInput in;
  in.revenue = Amount::Micro(3);
  in.usage_share_bps = 3334;
  for (int i = 0; i < 10; ++i) in.devices.push_back(Dev("u" + std::to_string(i), 0, 1, 1));
  in.devices.push_back(Dev("p1", 1, 7, 0));
  in.devices.push_back(Dev("p2", 1, 7, 0));
  in.devices.push_back(Dev("p3", 1, 6, 0));
  const SplitResult r = MustSplit(in);
  EXPECT_EQ(r.usage_pool.micro(), 1);
  EXPECT_EQ(r.participation_pool.micro(), 2);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(TotalOf(r, DeviceId("u" + std::to_string(i))).micro(), 0);
  EXPECT_EQ(AllocOf(r, DeviceId("p1")),
            (Allocation{DeviceId("p1"), Amount::Micro(1), Amount::Micro(0), Amount::Micro(1)}));
  EXPECT_EQ(AllocOf(r, DeviceId("p2")).participation.micro(), 1);
  EXPECT_EQ(AllocOf(r, DeviceId("p3")).participation.micro(), 1);
  // A device with a usage remainder that holds a rounded-up unit takes the usage label: U = 1
  // over a and c (0.5 each), Q = 2 over a and b (0.5 and 1.5). a = 1.0 exactly, b = 1.5 wins
  // the tie with c = 0.5 by id; a's unit is labelled usage (its usage share is 0.5).
  in.devices = {Dev("a", 1, 1, 1), Dev("b", 1, 3, 0), Dev("c", 0, 1, 1)};
  const SplitResult mixed = MustSplit(in);
  EXPECT_EQ(AllocOf(mixed, DeviceId("a")),
            (Allocation{DeviceId("a"), Amount::Micro(1), Amount::Micro(0), Amount::Micro(1)}));
  EXPECT_EQ(AllocOf(mixed, DeviceId("b")),
            (Allocation{DeviceId("b"), Amount::Micro(0), Amount::Micro(2), Amount::Micro(2)}));
  EXPECT_EQ(TotalOf(mixed, DeviceId("c")).micro(), 0);
}

TEST(Split, CarryEpochsAccrueSubUnitSharesUntilTheyAreAUnit) {
  // One unit among three equal idle devices: each accrues S/3 per epoch (the one sub-unit left
  // goes to the smallest id); nobody is paid until an accrued share reaches a unit.
  SplitInput in;
  in.revenue = Amount::Micro(1);
  in.carry = true;
  in.devices = {Dev("c", 3600, 1, 0), Dev("b", 3600, 1, 0), Dev("a", 3600, 1, 0)};
  std::vector<int64_t> paid(3, 0);
  int64_t reserve = 0;
  for (int epoch = 0; epoch < 3; ++epoch) {
    const SplitResult r = MustSplit(in);
    reserve += r.carried.micro();
    for (size_t k = 0; k < 3; ++k) {
      paid[k] += r.allocations[k].total.micro();  // sorted: a, b, c
      for (SplitDevice& d : in.devices) {
        if (d.id == r.allocations[k].id) d.carry_in = r.allocations[k].carry_out;
      }
    }
    if (epoch < 2) {
      EXPECT_EQ(r.carried.micro(), 1);
      EXPECT_EQ(r.allocations[0].carry_out, (epoch + 1) * (kS / 3 + 1));
    }
  }
  // Three epochs: a accrued 3·(S/3 + 1) > S and was paid; b and c accrued 3·(S/3) = S − 1.
  EXPECT_EQ(paid, (std::vector<int64_t>{1, 0, 0}));
  EXPECT_EQ(reserve, 2);
  const SplitResult fourth = MustSplit(in);
  EXPECT_EQ(fourth.allocations[1].participation.micro(), 1);
  EXPECT_EQ(fourth.allocations[2].participation.micro(), 1);
  EXPECT_EQ(fourth.carried.micro(), -1);  // two paid from one unit of new revenue
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
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"carry":1,"devices":[]})", "carry"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":true,"carry_in":5}]})",
       "devices[0].carry_in"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"carry":true,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":true,"carry_in":1000000000000}]})",
       "devices[0].carry_in"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"carry":true,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":true,"carry_in":-1}]})",
       "devices[0].carry_in"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":true,"ineligible_reason":"banned"}]})",
       "devices[0].ineligible_reason"},
      {R"({"revenue":1,"operator":{},"usage_share_bps":0,"devices":[{"id":"a","online_seconds":1,"capacity_weight":1,"eligible":false,"ineligible_reason":7}]})",
       "devices[0].ineligible_reason"},
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
  // A closed epoch prints exactly the issue's shape: no carry fields anywhere.
  EXPECT_EQ(out.size(), 2U);
  for (const auto& a : out["allocations"]) {
    EXPECT_EQ(a.size(), 4U) << a.dump();
  }
  EXPECT_FALSE(EncodeSplitInput(in).contains("carry"));

  // A carry epoch round-trips its carries and prints carry_out and carried.
  const SplitInput carry = g.Epoch(/*carry=*/true);
  auto carry_back = DecodeSplitInput(EncodeSplitInput(carry));
  ASSERT_TRUE(carry_back.ok()) << carry_back.status().ToString();
  EXPECT_EQ(EncodeSplitInput(*carry_back), EncodeSplitInput(carry));
  const SplitResult cr = MustSplit(carry);
  const nlohmann::json cout = EncodeSplitResult(cr);
  EXPECT_EQ(cout["carried"].get<int64_t>(), cr.carried.micro());
  for (size_t i = 0; i < cr.allocations.size(); ++i) {
    EXPECT_EQ(cout["allocations"][i]["carry_out"].get<int64_t>(), cr.allocations[i].carry_out);
  }
}

TEST(SplitCodec, DecodesTheIssuesExampleShape) {
  auto in = DecodeSplitInput(std::string(
      R"({"revenue":1000000,"operator":{"fixed_cost":100000,"fee_bps":1000},"usage_share_bps":5000,)"
      R"("devices":[{"id":"b","online_seconds":3600,"capacity_weight":2,"attributed_revenue":300,"eligible":true},)"
      R"({"id":"a","online_seconds":3600,"capacity_weight":1,"attributed_revenue":100,"eligible":true},)"
      R"({"id":"c","online_seconds":1800,"capacity_weight":2,"attributed_revenue":0,"eligible":false,"ineligible_reason":"banned"}]})"));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_FALSE(in->carry);
  EXPECT_EQ(in->devices[2].ineligible_reason, "banned");
  EXPECT_EQ(EncodeSplitResult(MustSplit(*in)).dump(),
            R"({"allocations":[{"id":"a","participation":133333,"total":233333,"usage":100000},)"
            R"({"id":"b","participation":266667,"total":566667,"usage":300000},)"
            R"({"id":"c","participation":0,"total":0,"usage":0}],"operator":200000})");
}

}  // namespace
}  // namespace hearth::rewards
