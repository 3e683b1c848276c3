// The overlay's coordinator logic against a real SQLite store and a fake clock: address
// management (next-fit, exhaustion, release), worker → gateway assignment, rebalancing with
// bounded moves, failover, and the desired configs it produces.
#include "coordinator/network/network.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/keys.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::network {
namespace {

using std::chrono::seconds;

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override { Open({}); }
  void TearDown() override {
    net_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(Config config) {
    if (!dir_.empty()) TearDown();  // a test re-opening with another config
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-net-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db").value());
    config.gateway_down_after = seconds(90);
    net_ = std::make_unique<Network>(config, *store_, clock_, notifier_);
    ASSERT_TRUE(net_->Init().ok());
    ASSERT_TRUE(store_
                    ->CreateAccount({AccountId("acc_admin"), "admin@example.com", "h",
                                     store::Role::kAdmin, clock_.Now()})
                    .ok());
  }

  // Enrolls a device of `role` through the store (as the enroll handler does) and attaches it.
  DeviceId Add(const std::string& role, bool attach = true,
               const std::string& evidence_json = "{}") {
    const std::string n = std::to_string(++count_);
    store::InstallKeyRecord k;
    k.id = InstallKeyId("ik_" + n);
    k.owner_id = AccountId("acc_admin");
    k.key_hash = "hash" + n;
    k.hint = "w";
    k.created_at = clock_.Now();
    k.expires_at = clock_.Now() + seconds(3600);
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    store::Device d;
    d.id = DeviceId("dev_" + std::string(4 - std::min<size_t>(4, n.size()), '0') + n);
    d.name = role + n;
    d.role = role;
    d.credential_hash = "cred" + n;
    d.wg_public_key = WgPrivateKey::Generate().Public().ToString();
    d.identity_public_key = "ed25519:x";
    d.inventory_json = "{}";
    d.placement_evidence_json = evidence_json;
    d.enrolled_at = d.last_seen = clock_.Now();
    if (role == "gateway") d.endpoint = "203.0.113." + n + ":51820";
    EXPECT_TRUE(store_->EnrollDevice(k.key_hash, clock_.Now(), d).ok());
    if (attach) last_ = net_->Attach(d.id);
    return d.id;
  }

  store::Device Get(const DeviceId& id) { return store_->GetDevice(id).value(); }

  std::map<DeviceId, int64_t> Loads() {
    std::map<DeviceId, int64_t> loads;
    const std::vector<store::Device> all = store_->ListDevices(std::nullopt).value();
    for (const auto& d : all) {
      if (d.role == "gateway") loads[d.id] += 0;
      if (d.role == "worker" && d.home_gateway) ++loads[*d.home_gateway];
    }
    return loads;
  }
  static int64_t Spread(const std::map<DeviceId, int64_t>& loads) {
    int64_t lo = INT64_MAX, hi = 0;
    for (const auto& [g, n] : loads) {
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
    return hi - lo;
  }
  // Keeps every gateway except `silent` heartbeating while time passes.
  void Heartbeat(const std::vector<DeviceId>& ids) {
    for (const auto& id : ids) {
      ASSERT_TRUE(store_->RecordHeartbeat(id, {clock_.Now(), "test", "{}"}).ok());
    }
  }

  FakeClock clock_;
  http::Notifier notifier_;
  std::string dir_;
  store::StorePtr store_;
  std::unique_ptr<Network> net_;
  StatusOr<ChangeSet> last_ = ChangeSet();
  int count_ = 0;
};

TEST_F(NetworkTest, AddressesAreUniqueNextFitAndReleasedOnRemoval) {
  Config small;
  small.default_overlay_prefix = "100.64.0.0/29";  // indexes 1..6
  small.default_pod_prefix = "10.42.0.0/22";       // four /24s
  Open(small);
  std::vector<DeviceId> ids;
  std::set<std::string> ips, pods;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(Add("worker"));
    ASSERT_TRUE(last_.ok()) << last_.status().ToString();
    ips.insert(Get(ids.back()).overlay_ip);
    pods.insert(Get(ids.back()).pod_cidr);
  }
  EXPECT_EQ(ips, (std::set<std::string>{"100.64.0.1", "100.64.0.2", "100.64.0.3", "100.64.0.4"}));
  EXPECT_EQ(pods, (std::set<std::string>{"10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24",
                                         "10.42.3.0/24"}));
  // The pod prefix is exhausted: a clear error naming the prefix, and the device stays unattached.
  const DeviceId fifth = Add("worker");
  ASSERT_FALSE(last_.ok());
  EXPECT_EQ(last_.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(last_.status().field(), "pod_prefix");
  EXPECT_NE(last_.status().message().find("10.42.0.0/22"), std::string::npos);
  EXPECT_TRUE(Get(fifth).overlay_ip.empty()) << "a failed attach must write nothing";
  // Ticks retry it while the pod pool is full and claim nothing for it (a leaked overlay claim
  // per waiting device and tick once filled a 10,000-device region's overlay pool).
  auto overlay_claims = [&] {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                      HEARTH_ASSIGN_OR_RETURN(n, tx.ClaimedCount("default/overlay"));
                      return Status::Ok();
                    })
                    .ok());
    return n;
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(net_->Tick().ok());
  EXPECT_EQ(overlay_claims(), 4);
  EXPECT_TRUE(Get(fifth).overlay_ip.empty());
  // Removing a worker releases its pod CIDR; the waiting device gets attached by the next tick.
  ASSERT_TRUE(net_->Remove(ids[1]).ok());
  ASSERT_TRUE(net_->Tick().ok());
  EXPECT_EQ(Get(fifth).pod_cidr, "10.42.1.0/24");
  // Next-fit: the released overlay address .2 is not handed out again before the pool wraps.
  EXPECT_EQ(Get(fifth).overlay_ip, "100.64.0.5");
  const DeviceId gw = Add("gateway");
  EXPECT_EQ(Get(gw).overlay_ip, "100.64.0.6");
  const DeviceId gw2 = Add("gateway");
  EXPECT_EQ(Get(gw2).overlay_ip, "100.64.0.2") << "wrapped round to the released address";
  Add("gateway");
  EXPECT_EQ(last_.status().field(), "overlay_prefix");
}

TEST_F(NetworkTest, BadPrefixesAreRefusedByFlagName) {
  for (auto [field, mutate] : std::vector<std::pair<std::string, std::function<void(Config&)>>>{
           {"--overlay-prefix", [](Config& c) { c.default_overlay_prefix = "10.0.0.0/16"; }},
           {"--overlay-prefix", [](Config& c) { c.default_overlay_prefix = "100.64.0.1/16"; }},
           {"--pod-prefix", [](Config& c) { c.default_pod_prefix = "100.64.0.0/16"; }},
           {"--pod-cidr-length", [](Config& c) { c.pod_cidr_length = 8; }},
       }) {
    Config c;
    mutate(c);
    Network n(c, *store_, clock_, notifier_);
    Status st = n.Init();
    EXPECT_EQ(st.field(), field) << st.ToString();
  }
}

TEST_F(NetworkTest, WorkersGoToTheLeastLoadedGatewayAndAJoinTouchesOnlyGateways) {
  const DeviceId g1 = Add("gateway"), g2 = Add("gateway"), g3 = Add("gateway");
  for (int i = 0; i < 10; ++i) {
    const DeviceId w = Add("worker");
    ASSERT_TRUE(last_.ok());
    // The worker itself and the region's gateways; never another worker.
    std::set<DeviceId> expected = {w, g1, g2, g3};
    EXPECT_EQ(last_->bumped, expected);
  }
  EXPECT_LE(Spread(Loads()), 1);
  EXPECT_EQ(Loads()[g1], 4);
}

TEST_F(NetworkTest, WorkersWithoutGatewayWaitAndAreHomedWhenOneComes) {
  const DeviceId w1 = Add("worker"), w2 = Add("worker");
  EXPECT_FALSE(Get(w1).home_gateway);
  auto before = net_->DesiredConfig(w1).value();
  EXPECT_TRUE(before.peers.empty());
  const DeviceId g = Add("gateway");
  EXPECT_EQ(Get(w1).home_gateway, g);
  EXPECT_EQ(Get(w2).home_gateway, g);
  auto after = net_->DesiredConfig(w1).value();
  EXPECT_GT(after.version, before.version);
  ASSERT_EQ(after.peers.size(), 1u);
  EXPECT_EQ(after.peers[0].public_key, Get(g).wg_public_key);
}

TEST_F(NetworkTest, DesiredConfigsFollowTheHubAndSpokeDesign) {
  const DeviceId g1 = Add("gateway"), g2 = Add("gateway");
  const DeviceId w1 = Add("worker"), w2 = Add("worker"), ctl = Add("control");
  // w1 → g1, w2 → g2, control → g1 (fewest workers, ties by id).
  ASSERT_EQ(Get(w1).home_gateway, g1);
  ASSERT_EQ(Get(w2).home_gateway, g2);
  ASSERT_EQ(Get(ctl).home_gateway, g1);

  const api::NetworkConfig wc = net_->DesiredConfig(w1).value();
  EXPECT_EQ(wc.role, "worker");
  EXPECT_EQ(wc.address.ToString(), Get(w1).overlay_ip + "/32");
  EXPECT_EQ(wc.pod_cidr->ToString(), Get(w1).pod_cidr);
  EXPECT_EQ(wc.mtu, 1280);
  ASSERT_EQ(wc.peers.size(), 1u);
  const api::PeerConfig& gp = wc.peers[0];
  EXPECT_EQ(gp.endpoint, Get(g1).endpoint);
  EXPECT_EQ(gp.persistent_keepalive_seconds, 25);
  std::vector<std::string> allowed;
  for (const auto& p : gp.allowed_ips) allowed.push_back(p.ToString());
  EXPECT_EQ(allowed, (std::vector<std::string>{"10.42.0.0/16", "10.43.0.0/16", "100.64.0.0/16"}));
  ASSERT_EQ(wc.standby_gateways.size(), 1u);
  EXPECT_EQ(wc.standby_gateways[0].name, g2.str());
  EXPECT_TRUE(api::DecodeNetworkConfig(api::EncodeNetworkConfig(wc)).ok());

  const api::NetworkConfig gc = net_->DesiredConfig(g1).value();
  EXPECT_TRUE(gc.forwarding);
  EXPECT_EQ(gc.listen_port, 51820);
  ASSERT_EQ(gc.peers.size(), 3u);  // w1, control, sibling g2
  std::map<std::string, std::set<std::string>> by_name;
  for (const auto& p : gc.peers) {
    for (const auto& a : p.allowed_ips) by_name[p.name].insert(a.ToString());
  }
  EXPECT_EQ(by_name[w1.str()],
            (std::set<std::string>{Get(w1).pod_cidr, Get(w1).overlay_ip + "/32"}));
  EXPECT_EQ(by_name[ctl.str()], (std::set<std::string>{Get(ctl).overlay_ip + "/32"}));
  // The sibling carries itself and the devices homed on it (w2 and its pod CIDR).
  EXPECT_EQ(by_name[g2.str()], (std::set<std::string>{Get(w2).pod_cidr, Get(w2).overlay_ip + "/32",
                                                      Get(g2).overlay_ip + "/32"}));
  EXPECT_TRUE(api::DecodeNetworkConfig(api::EncodeNetworkConfig(gc)).ok());
}

TEST_F(NetworkTest, FailoverRehomesAndReturnRebalancesWithBoundedMoves) {
  const DeviceId g1 = Add("gateway"), g2 = Add("gateway"), g3 = Add("gateway");
  const int n = 30;
  std::vector<DeviceId> workers;
  for (int i = 0; i < n; ++i) workers.push_back(Add("worker"));
  ASSERT_EQ(Loads()[g3], 10);

  // g3 goes silent; g1 and g2 keep heartbeating.
  clock_.Advance(seconds(60));
  Heartbeat({g1, g2});
  ASSERT_TRUE(net_->Tick().ok());
  EXPECT_FALSE(Get(g3).gateway_down_at) << "not silent for long enough yet";
  clock_.Advance(seconds(40));
  Heartbeat({g1, g2});
  auto down = net_->Tick();
  ASSERT_TRUE(down.ok());
  EXPECT_TRUE(Get(g3).gateway_down_at);
  EXPECT_EQ(down->moved_workers, 10);
  auto loads = Loads();
  EXPECT_EQ(loads[g3], 0);
  EXPECT_EQ(loads[g1] + loads[g2], n);
  EXPECT_LE(std::abs(loads[g1] - loads[g2]), 1);
  for (const auto& w : workers) {
    EXPECT_NE(Get(w).home_gateway, g3);
    EXPECT_EQ(net_->DesiredConfig(w)->peers.size(), 1u);
  }

  // g3 returns: balance is restored moving only the workers needed (at most ceil(n/3)).
  clock_.Advance(seconds(5));
  Heartbeat({g1, g2, g3});
  auto up = net_->Tick();
  ASSERT_TRUE(up.ok());
  EXPECT_FALSE(Get(g3).gateway_down_at);
  EXPECT_LE(up->moved_workers, (n + 2) / 3);
  EXPECT_EQ(up->moved_workers, 10);
  EXPECT_LE(Spread(Loads()), 1);
  // Nothing changes on a quiet tick.
  auto quiet = net_->Tick();
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->bumped.empty());
}

TEST_F(NetworkTest, RemovingAGatewayRehomesItsWorkers) {
  const DeviceId g1 = Add("gateway"), g2 = Add("gateway");
  for (int i = 0; i < 6; ++i) Add("worker");
  auto cs = net_->Remove(g2);
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->moved_workers, 3);
  EXPECT_EQ(Loads()[g1], 6);
  EXPECT_FALSE(net_->DesiredConfig(g2).ok());
}

TEST_F(NetworkTest, VersionsIncreaseAndNotifyWakesTheDevice) {
  const DeviceId w = Add("worker");
  std::atomic<int> woken{0};
  auto token = notifier_.Subscribe(w.str(), [&] { ++woken; });
  const int64_t v0 = net_->DesiredConfig(w)->version;
  Add("gateway");
  EXPECT_GT(net_->DesiredConfig(w)->version, v0);
  EXPECT_EQ(woken.load(), 1);
  notifier_.Unsubscribe(token);
}

TEST_F(NetworkTest, ConfiguredRegionsPlaceByEvidenceAndWaitlistTheRest) {
  // Two configured regions replace "default" for placement.
  ASSERT_TRUE(
      store_
          ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
            for (auto [id, country, lat, lon, overlay, pods] :
                 {std::tuple{"eu-berlin", "DE", 52.5, 13.4, "100.65.0.0/16", "10.65.0.0/16"},
                  std::tuple{"eu-paris", "FR", 48.9, 2.35, "100.66.0.0/16", "10.66.0.0/16"}}) {
              store::Region r;
              r.id = id;
              r.name = id;
              r.overlay_prefix = overlay;
              r.pod_prefix = pods;
              r.service_prefix = "10.43.0.0/16";
              r.location_region = "eu-central";
              r.centre_lat = lat;
              r.centre_lon = lon;
              r.countries = {country};
              HEARTH_RETURN_IF_ERROR(tx.InsertRegion(r));
            }
            return Status::Ok();
          })
          .ok());
  DeviceId by_country = Add("worker", true, R"({"country":"FR"})");
  ASSERT_TRUE(last_.ok()) << last_.status().ToString();
  EXPECT_EQ(Get(by_country).region_id, "eu-paris");
  EXPECT_EQ(Get(by_country).overlay_ip.rfind("100.66.", 0), 0u);
  EXPECT_NE(Get(by_country).placement_json.find("declared_country"), std::string::npos);

  // RTT beats the declared country.
  DeviceId by_rtt = Add("worker", true,
                        R"({"country":"FR","rtt":[{"region":"eu-berlin","gateway":"g:1",
                            "samples_ms":[9,10,11]},{"region":"eu-paris","gateway":"g:2",
                            "samples_ms":[30,31,32]}]})");
  EXPECT_EQ(Get(by_rtt).region_id, "eu-berlin");

  // No acceptable region: waitlisted in a cell, not attached, no config.
  DeviceId waiting = Add("worker", true, R"({"country":"KE"})");
  ASSERT_TRUE(last_.ok());
  EXPECT_EQ(Get(waiting).region_id, "");
  EXPECT_EQ(Get(waiting).waitlist_cell, "KE/-/-");
  EXPECT_EQ(Get(waiting).config_version, 0);
  EXPECT_NE(Get(waiting).placement_json.find("no_region_serves"), std::string::npos);

  // A region serving KE is configured: the next tick places the waiting device and bumps it.
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    store::Region r;
                    r.id = "af-nairobi";
                    r.name = r.id;
                    r.overlay_prefix = "100.67.0.0/16";
                    r.pod_prefix = "10.67.0.0/16";
                    r.service_prefix = "10.43.0.0/16";
                    r.location_region = "af-east";
                    r.centre_lat = -1.29;
                    r.centre_lon = 36.82;
                    r.countries = {"KE"};
                    return tx.InsertRegion(r);
                  })
                  .ok());
  auto tick = net_->Tick();
  ASSERT_TRUE(tick.ok()) << tick.status().ToString();
  EXPECT_EQ(Get(waiting).region_id, "af-nairobi");
  EXPECT_EQ(Get(waiting).waitlist_cell, "");
  EXPECT_GT(Get(waiting).config_version, 0);
  EXPECT_TRUE(tick->bumped.count(waiting));
}

TEST_F(NetworkTest, DrainingARegionReplacesItsDevicesOrWaitlistsThemAndKeepsItsGateways) {
  auto region = [](const std::string& id, const std::string& country, double lat, double lon,
                   const std::string& n) {
    store::Region r;
    r.id = id;
    r.name = id;
    r.overlay_prefix = "100." + n + ".0.0/16";
    r.pod_prefix = "10." + n + ".0.0/16";
    r.service_prefix = "10.43.0.0/16";
    r.location_region = "eu-west";
    r.centre_lat = lat;
    r.centre_lon = lon;
    r.countries = {country};
    return r;
  };
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    HEARTH_RETURN_IF_ERROR(
                        tx.InsertRegion(region("eu-paris", "FR", 48.9, 2.35, "66")));
                    return tx.InsertRegion(region("eu-berlin", "DE", 52.5, 13.4, "65"));
                  })
                  .ok());
  // Paris has a gateway (its catalog names it) and two workers, one of which could also go to
  // Berlin by RTT; the other only has France.
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> r,
                                            tx.FindRegion("eu-paris"));
                    r->gateways = {"203.0.113.1:51820"};
                    return tx.UpdateRegion(*r);
                  })
                  .ok());
  const DeviceId gw = Add("gateway");
  ASSERT_EQ(Get(gw).region_id, "eu-paris");
  const DeviceId movable = Add("worker", true,
                               R"({"country":"FR","rtt":[{"region":"eu-paris","gateway":"g:1",
                                   "samples_ms":[9]},{"region":"eu-berlin","gateway":"g:2",
                                   "samples_ms":[40]}]})");
  const DeviceId french = Add("worker", true, R"({"country":"FR"})");
  ASSERT_EQ(Get(movable).region_id, "eu-paris");
  ASSERT_EQ(Get(french).region_id, "eu-paris");
  ASSERT_EQ(Get(movable).home_gateway, gw);
  const std::string old_ip = Get(french).overlay_ip;
  std::atomic<int> woken{0};
  auto token = notifier_.Subscribe(french.str(), [&] { ++woken; });
  const int64_t v0 = Get(french).config_version;

  // Nothing happens to an active region.
  auto idle = net_->ReplaceDraining();
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(idle->replaced, 0);

  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> r,
                                            tx.FindRegion("eu-paris"));
                    r->status = "draining";
                    return tx.UpdateRegion(*r);
                  })
                  .ok());
  auto cs = net_->ReplaceDraining();
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  EXPECT_EQ(cs->replaced, 2);
  // Re-placed where it is acceptable, with an address from the new region ...
  EXPECT_EQ(Get(movable).region_id, "eu-berlin");
  EXPECT_EQ(Get(movable).overlay_ip.rfind("100.65.", 0), 0u);
  EXPECT_NE(Get(movable).placement_json.find("\"rtt\""), std::string::npos);
  // ... or waitlisted, its old addresses released and its agent woken to drop the config.
  EXPECT_EQ(Get(french).region_id, "");
  EXPECT_EQ(Get(french).overlay_ip, "");
  EXPECT_FALSE(Get(french).home_gateway.has_value());
  EXPECT_EQ(Get(french).waitlist_cell, "FR/-/-");
  EXPECT_GT(Get(french).config_version, v0);
  EXPECT_EQ(net_->DesiredConfig(french)->region, "");
  EXPECT_GE(woken.load(), 1);
  notifier_.Unsubscribe(token);
  EXPECT_EQ(Get(gw).region_id, "eu-paris");  // the region's infrastructure stays
  EXPECT_EQ(Get(gw).homed_workers, 0);
  // Nothing was lost: the devices are still enrolled, and a second pass has nothing to move.
  EXPECT_FALSE(Get(french).removed_at.has_value());
  auto again = net_->Tick();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->replaced, 0);

  // Activated again, the waitlisted device is placed back (with a fresh address).
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> r,
                                            tx.FindRegion("eu-paris"));
                    r->status = "active";
                    return tx.UpdateRegion(*r);
                  })
                  .ok());
  ASSERT_TRUE(net_->Tick().ok());
  EXPECT_EQ(Get(french).region_id, "eu-paris");
  EXPECT_FALSE(Get(french).overlay_ip.empty());
  EXPECT_NE(Get(french).overlay_ip, old_ip);  // next-fit: not handed out again at once
}

TEST_F(NetworkTest, ConfiguredBoundsDecideWhatIsTooFar) {
  // `hearth serve --placement-max-rtt-ms 20`: a region measured at 30 ms is out of bound.
  Config tight;
  tight.placement.max_rtt_ms = 20;
  Open(tight);
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    store::Region r;
                    r.id = "eu-berlin";
                    r.name = r.id;
                    r.overlay_prefix = "100.65.0.0/16";
                    r.pod_prefix = "10.65.0.0/16";
                    r.service_prefix = "10.43.0.0/16";
                    r.location_region = "eu-central";
                    r.centre_lat = 52.5;
                    r.centre_lon = 13.4;
                    r.countries = {"DE"};
                    return tx.InsertRegion(r);
                  })
                  .ok());
  const std::string evidence =
      R"({"rtt":[{"region":"eu-berlin","gateway":"g:1","samples_ms":[29,30,31]}]})";
  DeviceId far = Add("worker", true, evidence);
  ASSERT_TRUE(last_.ok()) << last_.status().ToString();
  EXPECT_EQ(Get(far).region_id, "");
  EXPECT_NE(Get(far).placement_json.find("out_of_bound"), std::string::npos)
      << Get(far).placement_json;
  EXPECT_NE(Get(far).placement_json.find("bound of 20 ms"), std::string::npos);

  // The same evidence within the default bound (150 ms) is placed.
  Open({});
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    store::Region r;
                    r.id = "eu-berlin";
                    r.name = r.id;
                    r.overlay_prefix = "100.65.0.0/16";
                    r.pod_prefix = "10.65.0.0/16";
                    r.service_prefix = "10.43.0.0/16";
                    r.location_region = "eu-central";
                    r.centre_lat = 52.5;
                    r.centre_lon = 13.4;
                    return tx.InsertRegion(r);
                  })
                  .ok());
  DeviceId near = Add("worker", true, evidence);
  EXPECT_EQ(Get(near).region_id, "eu-berlin");
}

TEST(PlanRebalanceTest, MovesOnlyWhatIsNeeded) {
  auto ids = [](const std::string& p, int n) {
    std::vector<DeviceId> v;
    for (int i = 0; i < n; ++i) v.push_back(DeviceId(p + std::to_string(100 + i)));
    return v;
  };
  std::map<DeviceId, std::vector<DeviceId>> h = {
      {DeviceId("g1"), ids("a", 50)}, {DeviceId("g2"), ids("b", 50)}, {DeviceId("g3"), {}}};
  auto moves = PlanRebalance(h);
  EXPECT_EQ(moves.size(), 33u);  // to 34/33/33
  for (const auto& m : moves) EXPECT_EQ(m.to, DeviceId("g3"));
  EXPECT_TRUE(
      PlanRebalance({{DeviceId("g1"), ids("a", 3)}, {DeviceId("g2"), ids("b", 2)}}).empty());
  EXPECT_TRUE(PlanRebalance({{DeviceId("g1"), ids("a", 9)}}).empty());
  EXPECT_EQ(LeastLoaded({{DeviceId("b"), 1}, {DeviceId("a"), 1}, {DeviceId("c"), 2}}),
            DeviceId("a"));
  EXPECT_FALSE(LeastLoaded({}));
}

}  // namespace
}  // namespace hearth::network
