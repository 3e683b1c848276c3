// Placement decisions per second: 100,000 devices over 50 regions (the pure decision of
// coordinator/placement, no store). Each device carries RTT samples to 3 regions' 2 gateways
// (5 samples each), GeoIP coordinates and a declared country; a tenth of the regions are full and
// a fifth are GPU-only, so the decision walks every branch.
//
//   build/bench/placement_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "coordinator/placement/placement.h"

namespace hearth::placement {
namespace {

constexpr int kRegions = 50;
constexpr int kDevices = 100'000;

std::vector<Candidate> MakeRegions(std::mt19937& rng) {
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170);
  std::vector<Candidate> regions;
  for (int i = 0; i < kRegions; ++i) {
    Candidate c;
    c.id = "region-" + std::to_string(i);
    c.centre = {lat(rng), lon(rng)};
    c.countries = {std::string{static_cast<char>('A' + i % 26), static_cast<char>('A' + i / 26)}};
    c.max_workers = 10'000;
    c.used = i % 10 == 0 ? c.max_workers : int64_t{i} * 100;
    c.policy = i % 5 == 0 ? HardwarePolicy::kGpuOnly : HardwarePolicy::kMixed;
    regions.push_back(c);
  }
  return regions;
}

std::vector<Evidence> MakeDevices(std::mt19937& rng) {
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170), ms(5, 200);
  std::uniform_int_distribution<int> region(0, kRegions - 1), gpu(0, 3);
  std::vector<Evidence> devices;
  devices.reserve(kDevices);
  for (int i = 0; i < kDevices; ++i) {
    Evidence e;
    e.hardware = gpu(rng) == 0 ? HardwareClass::kGpu : HardwareClass::kCpu;
    for (int r = 0; r < 3; ++r) {
      std::string id = "region-" + std::to_string(region(rng));
      for (int g = 0; g < 2; ++g) {
        e.rtt.push_back(
            {id, "gw" + std::to_string(g), {ms(rng), ms(rng), ms(rng), ms(rng), ms(rng)}});
      }
    }
    e.geoip_location = GeoPoint{lat(rng), lon(rng)};
    e.geoip_country = "AB";
    e.declared_country = "CD";
    devices.push_back(std::move(e));
  }
  return devices;
}

void BM_Place100kDevices50Regions(benchmark::State& state) {
  std::mt19937 rng(42);
  auto regions = MakeRegions(rng);
  auto devices = MakeDevices(rng);
  Bounds bounds;
  int64_t placed = 0;
  for (auto _ : state) {
    for (const Evidence& e : devices) {
      Decision d = Place(regions, e, bounds);
      placed += d.region ? 1 : 0;
      benchmark::DoNotOptimize(d);
    }
  }
  state.counters["decisions_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kDevices, benchmark::Counter::kIsRate);
  state.counters["placed_fraction"] =
      static_cast<double>(placed) / (static_cast<double>(state.iterations()) * kDevices);
}
BENCHMARK(BM_Place100kDevices50Regions)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hearth::placement
