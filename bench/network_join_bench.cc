// What one worker joining costs the coordinator, in a region of 100, 1,000 and 10,000 workers
// behind 3 gateways (real SQLite store): the time of Network::Attach (addresses, home gateway,
// version bumps, one transaction) and how many WireGuard peers change across all devices'
// desired configs. For contrast, the full-map recomputation a Headscale-style design does on
// every change: recomputing every device's config.
//
//   build/bench/network_join_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "common/keys.h"
#include "coordinator/network/network.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth {
namespace {

constexpr int kGateways = 3;

class Region {
 public:
  explicit Region(int workers) {
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-bench-net-" + std::to_string(getpid()) + "-" + std::to_string(workers));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db").value());
    network::Config c;
    c.default_overlay_prefix = "100.64.0.0/16";
    c.default_pod_prefix = "10.64.0.0/10";  // 16,384 /24s
    net_ = std::make_unique<network::Network>(c, *store_, clock_, notifier_);
    if (Status st = net_->Init(); !st.ok()) std::abort();
    (void)store_->CreateAccount(
        {AccountId("acc_admin"), "a@example.com", "h", store::Role::kAdmin, clock_.Now()});
    for (int i = 0; i < kGateways; ++i) {
      gateways_.push_back(Enroll("gateway"));
      Attach(gateways_.back());
    }
    for (int i = 0; i < workers; ++i) Attach(Enroll("worker"));
  }
  ~Region() { std::filesystem::remove_all(dir_); }

  DeviceId Enroll(const std::string& role) {
    const std::string n = std::to_string(++count_);
    store::InstallKeyRecord k;
    k.id = InstallKeyId("ik_" + n);
    k.owner_id = AccountId("acc_admin");
    k.key_hash = "h" + n;
    k.hint = "w";
    k.created_at = clock_.Now();
    k.expires_at = clock_.Now() + std::chrono::hours(1);
    (void)store_->CreateInstallKey(k);
    store::Device d;
    d.id = DeviceId("dev_" + n);
    d.name = n;
    d.role = role;
    d.credential_hash = "c" + n;
    d.wg_public_key = WgPrivateKey::Generate().Public().ToString();
    d.identity_public_key = "ed25519:x";
    d.inventory_json = "{}";
    d.enrolled_at = d.last_seen = clock_.Now();
    if (role == "gateway") d.endpoint = "203.0.113." + n + ":51820";
    (void)store_->EnrollDevice(k.key_hash, clock_.Now(), d);
    return d.id;
  }
  network::ChangeSet Attach(const DeviceId& id) { return net_->Attach(id).value(); }
  api::NetworkConfig Config(const DeviceId& id) { return net_->DesiredConfig(id).value(); }
  const std::vector<DeviceId>& gateways() const { return gateways_; }
  std::vector<DeviceId> All() {
    std::vector<DeviceId> out;
    const std::vector<store::Device> all = store_->ListDevices(std::nullopt).value();
    for (const auto& d : all) out.push_back(d.id);
    return out;
  }

 private:
  std::string dir_;
  FakeClock clock_;
  http::Notifier notifier_;
  store::StorePtr store_;
  std::unique_ptr<network::Network> net_;
  std::vector<DeviceId> gateways_;
  int count_ = 0;
};

Region& RegionOf(int workers) {
  static std::map<int, std::unique_ptr<Region>> regions;
  auto& r = regions[workers];
  if (!r) r = std::make_unique<Region>(workers);
  return *r;
}

void BM_Join(benchmark::State& state) {
  Region& region = RegionOf(static_cast<int>(state.range(0)));
  size_t peers_changed = 0, configs_changed = 0, joins = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const DeviceId id = region.Enroll("worker");
    // The gateways' configs before the join (the new worker has none yet).
    std::map<DeviceId, api::NetworkConfig> before;
    for (const auto& g : region.gateways()) before[g] = region.Config(g);
    state.ResumeTiming();
    const network::ChangeSet cs = region.Attach(id);
    state.PauseTiming();
    for (const DeviceId& d : cs.bumped) {
      const api::NetworkConfig after = region.Config(d);
      const auto it = before.find(d);
      peers_changed +=
          api::DiffPeers(it == before.end() ? std::vector<api::PeerConfig>{} : it->second.peers,
                         after.peers)
              .Total();
    }
    configs_changed += cs.bumped.size();
    ++joins;
    state.ResumeTiming();
  }
  state.counters["peers_changed_per_join"] =
      static_cast<double>(peers_changed) / static_cast<double>(joins);
  state.counters["configs_changed_per_join"] =
      static_cast<double>(configs_changed) / static_cast<double>(joins);
}
BENCHMARK(BM_Join)->Arg(100)->Arg(1000)->Arg(10000)->Iterations(30)->Unit(benchmark::kMillisecond);

// A Headscale-style full map: every device's config is recomputed on every change; in a full
// mesh every device also gains the new peer (peers changed per join = devices).
void BM_FullMapRecompute(benchmark::State& state) {
  Region& region = RegionOf(static_cast<int>(state.range(0)));
  const std::vector<DeviceId> all = region.All();
  for (auto _ : state) {
    size_t peers = 0;
    for (const auto& d : all) peers += region.Config(d).peers.size();
    benchmark::DoNotOptimize(peers);
  }
  state.counters["peers_changed_per_join"] = static_cast<double>(all.size());
  state.counters["configs_changed_per_join"] = static_cast<double>(all.size());
}
BENCHMARK(BM_FullMapRecompute)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hearth
