// Reward split throughput: one epoch for 10k and 100k devices, and a year of hourly epochs for
// 1,000 devices. Inputs are seeded, so runs are comparable.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "coordinator/rewards/split.h"
#include "coordinator/rewards/split_codec.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::rewards {
namespace {

SplitInput MakeEpoch(int64_t devices, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  SplitInput in;
  in.revenue = Amount::Micro(uni(1'000'000'000, 100'000'000'000));
  in.op = {Amount::Micro(50'000'000), 1500};
  in.usage_share_bps = 6000;
  in.epoch_seconds = 3600;
  in.carry = true;  // as the ledger splits
  in.devices.reserve(static_cast<size_t>(devices));
  for (int64_t i = 0; i < devices; ++i) {
    SplitDevice d;
    d.id = DeviceId("dev_" + std::to_string(uni(0, int64_t{1} << 40)) + std::to_string(i));
    d.online_seconds = uni(0, 10) < 7 ? 3600 : uni(0, 3600);
    d.capacity_weight = uni(1'000, 500'000);
    d.attributed_revenue = Amount::Micro(uni(0, 3) == 0 ? uni(0, 10'000'000) : 0);
    d.eligible = uni(0, 19) != 0;
    in.devices.push_back(std::move(d));
  }
  return in;
}

// Feeds each device's carry_out back as its next carry_in, as the ledger does across epochs.
bool ChainCarries(const SplitResult& r, SplitInput& in) {
  if (r.allocations.size() != in.devices.size()) return false;
  for (size_t k = 0; k < in.devices.size(); ++k) {
    if (r.allocations[k].id != in.devices[k].id) return false;
    in.devices[k].carry_in = r.allocations[k].carry_out;
  }
  return true;
}

// Devices in id order, the order of the split's allocations (so carries chain by index).
SplitInput SortedEpoch(int64_t devices, uint64_t seed) {
  SplitInput in = MakeEpoch(devices, seed);
  std::sort(in.devices.begin(), in.devices.end(),
            [](const SplitDevice& a, const SplitDevice& b) { return a.id < b.id; });
  return in;
}

void BM_SplitEpoch(benchmark::State& state) {
  const SplitInput in = MakeEpoch(state.range(0), 42);
  for (auto _ : state) {
    auto r = Split(in);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SplitEpoch)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// 8760 hourly epochs of 1,000 devices: the same fleet with fresh uptime and revenue each hour.
void BM_SplitYearOfHourlyEpochs(benchmark::State& state) {
  std::mt19937_64 rng(9);
  for (auto _ : state) {
    SplitInput in = SortedEpoch(state.range(0), 7);
    int64_t paid = 0;
    for (int hour = 0; hour < 8760; ++hour) {
      in.revenue = Amount::Micro(static_cast<int64_t>(rng() % 100'000'000'000));
      for (SplitDevice& d : in.devices) d.online_seconds = static_cast<int64_t>(rng() % 3601);
      auto r = Split(in);
      if (!r.ok() || !ChainCarries(*r, in)) state.SkipWithError("split failed");
      paid += r->operator_share.micro();
    }
    benchmark::DoNotOptimize(paid);
  }
}
BENCHMARK(BM_SplitYearOfHourlyEpochs)->Arg(1'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The ledger legs of one split, as Ledger::SettleEpoch books them (one owner per device).
std::vector<store::LedgerEntry> Entries(const SplitResult& r, Timestamp start) {
  const std::string txn = "epoch:" + std::to_string(ToUnixMillis(start));
  std::vector<store::LedgerEntry> out;
  out.reserve(r.allocations.size() * 2 + 2);
  Amount revenue = r.operator_share;
  for (const Allocation& a : r.allocations) {
    const std::string account = "owner:acc_" + a.id.str();
    if (!a.usage.is_zero()) out.push_back({0, txn, account, "usage", a.usage, a.id, start, start});
    if (!a.participation.is_zero()) {
      out.push_back({0, txn, account, "participation", a.participation, a.id, start, start});
    }
    revenue += a.total;
  }
  out.push_back({0, txn, "operator", "operator", r.operator_share, std::nullopt, start, start});
  out.push_back({0, txn, "carry", "carry", r.carried, std::nullopt, start, start});
  revenue += r.carried;
  out.push_back({0, txn, "provider_revenue", "revenue", Amount::Zero() - revenue, std::nullopt,
                 start, start});
  return out;
}

// Every device's new carry, as the ledger books them (each one changes almost every epoch).
store::CarryUpdate Carries(const SplitResult& r, Timestamp start, int64_t generation) {
  store::CarryUpdate u{generation, {}};
  u.carries.reserve(r.allocations.size());
  for (const Allocation& a : r.allocations) u.carries.push_back({a.id, a.carry_out, start});
  return u;
}

class TempStore {
 public:
  TempStore() {
    dir_ = std::filesystem::temp_directory_path() / ("hearth-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db")).value();
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::Store& get() { return *store_; }

 private:
  std::string dir_;
  store::StorePtr store_;
};

// Split + booking in one SQLite transaction (WAL, synchronous=FULL) on a temp file.
void BM_SettleEpoch(benchmark::State& state) {
  const SplitInput in = MakeEpoch(state.range(0), 42);
  TempStore store;
  int64_t epoch = 0;
  for (auto _ : state) {
    const Timestamp start = FromUnixMillis(epoch++ * 3'600'000);
    auto r = Split(in);
    // The input and result JSON are stored for audit, as Ledger::SettleEpoch does.
    const store::CarryUpdate carry = Carries(*r, start, epoch - 1);
    auto booked =
        store.get().SettleEpoch({start, start + std::chrono::hours(1), "pol_bench",
                                 EncodeSplitInput(in).dump(), EncodeSplitResult(*r).dump(), start},
                                Entries(*r, start), &carry);
    if (!booked.ok() || !*booked) state.SkipWithError("booking failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SettleEpoch)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// A year of hourly epochs for 1,000 devices, split and booked.
void BM_SettleYearOfHourlyEpochs(benchmark::State& state) {
  std::mt19937_64 rng(9);
  for (auto _ : state) {
    SplitInput in = SortedEpoch(state.range(0), 7);
    TempStore store;
    for (int hour = 0; hour < 8760; ++hour) {
      in.revenue = Amount::Micro(static_cast<int64_t>(rng() % 100'000'000'000));
      for (SplitDevice& d : in.devices) d.online_seconds = static_cast<int64_t>(rng() % 3601);
      const Timestamp start = FromUnixMillis(int64_t{hour} * 3'600'000);
      auto r = Split(in);
      const store::CarryUpdate carry = Carries(*r, start, hour);
      auto booked = store.get().SettleEpoch(
          {start, start + std::chrono::hours(1), "pol_bench", "{}", "{}", start},
          Entries(*r, start), &carry);
      if (!booked.ok() || !ChainCarries(*r, in)) state.SkipWithError("booking failed");
    }
  }
}
BENCHMARK(BM_SettleYearOfHourlyEpochs)->Arg(1'000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace hearth::rewards
