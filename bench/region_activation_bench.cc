// Time from a region's activation to all its waitlisted devices placed: 100 devices wait for a
// country no active region serves (real SQLite store, regions configured); the bootstrapping
// region serving it is activated and one Network::Tick (what `hearth serve`'s liveness loop runs
// every --liveness-tick) places them all (addresses, version bumps, notifications). The loop's
// period (1 s by default) adds at most one tick of delay on top of the measured time.
//
//   build/bench/region_activation_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "api/regions.h"
#include "common/keys.h"
#include "coordinator/network/network.h"
#include "coordinator/regions/catalog.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth {
namespace {

constexpr int kWaiting = 100;

void BM_ActivateRegionPlacesWaitlist(benchmark::State& state) {
  int round = 0;
  int64_t placed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir =
        std::filesystem::temp_directory_path() /
        ("hearth-bench-activate-" + std::to_string(getpid()) + "-" + std::to_string(++round));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
      FakeClock clock;
      http::Notifier notifier;
      store::StorePtr store = std::move(store::OpenSqliteStore(dir + "/hearth.db").value());
      network::Network net({}, *store, clock, notifier);
      if (!net.Init().ok()) std::abort();
      (void)store->CreateAccount(
          {AccountId("acc_admin"), "a@example.com", "h", store::Role::kAdmin, clock.Now()});
      auto spec = api::DecodeRegionSpec(
          R"({"id":"eu-berlin","name":"Berlin","location_region":"eu-central","lat":52.5,
              "lon":13.4,"countries":["DE"]})",
          true);
      if (!regions::Create(*store, clock.Now(), spec.value()).ok()) std::abort();
      // The region for the waiting devices exists but is still bootstrapping.
      auto nairobi = api::DecodeRegionSpec(
          R"({"id":"af-nairobi","name":"Nairobi","location_region":"af-east","lat":-1.29,
              "lon":36.82,"countries":["KE"]})",
          true);
      if (!regions::Create(*store, clock.Now(), nairobi.value(), "bootstrapping").ok()) {
        std::abort();
      }
      for (int i = 0; i < kWaiting; ++i) {
        const std::string n = std::to_string(i);
        store::InstallKeyRecord k;
        k.id = InstallKeyId("ik_" + n);
        k.owner_id = AccountId("acc_admin");
        k.key_hash = "h" + n;
        k.hint = "w";
        k.created_at = clock.Now();
        k.expires_at = clock.Now() + std::chrono::hours(1);
        (void)store->CreateInstallKey(k);
        store::Device d;
        d.id = DeviceId("dev_" + n);
        d.name = n;
        d.credential_hash = "c" + n;
        d.wg_public_key = WgPrivateKey::Generate().Public().ToString();
        d.identity_public_key = "ed25519:x";
        d.inventory_json = "{}";
        d.placement_evidence_json = R"({"country":"KE"})";
        d.enrolled_at = d.last_seen = clock.Now();
        (void)store->EnrollDevice(k.key_hash, clock.Now(), d);
        (void)net.Attach(d.id);  // waitlisted: no region serves KE
      }
      state.ResumeTiming();
      if (!regions::SetStatus(*store, clock.Now(), "af-nairobi", "active").ok()) std::abort();
      auto cs = net.Tick();
      state.PauseTiming();
      if (!cs.ok()) std::abort();
      const std::vector<store::Device> all = store->ListDevices(std::nullopt).value();
      for (const auto& d : all) {
        placed += d.region_id == "af-nairobi" ? 1 : 0;
      }
    }
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["placed_per_round"] =
      static_cast<double>(placed) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ActivateRegionPlacesWaitlist)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hearth
