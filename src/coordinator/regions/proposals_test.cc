// Region proposals and bootstrapping against a real SQLite store and a fake clock: a full
// waitlist cell raises one proposal (by devices or GPUs) and an admin event; waitlisted owners
// volunteer; approval creates the region bootstrapping with the volunteer as its admin; its
// gateway heartbeating activates it and the waitlisted devices are placed in the same tick.
// Every bad input is refused by field and writes nothing.
#include "coordinator/regions/proposals.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/keys.h"
#include "coordinator/network/network.h"
#include "coordinator/regions/catalog.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::regions {
namespace {

using std::chrono::seconds;

class ProposalsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(3, 0); }
  void TearDown() override {
    net_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(int64_t min_devices, int64_t min_gpus) {
    if (!dir_.empty()) TearDown();
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-proposals-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenSqliteStore(dir_ + "/hearth.db").value());
    network::Config c;
    c.proposal_min_devices = min_devices;
    c.proposal_min_gpus = min_gpus;
    c.webhook = true;
    net_ = std::make_unique<network::Network>(c, *store_, clock_, notifier_);
    ASSERT_TRUE(net_->Init().ok());
    for (const char* who : {"acc_admin", "acc_alice", "acc_bob", "acc_eve"}) {
      ASSERT_TRUE(store_
                      ->CreateAccount({AccountId(who), std::string(who) + "@example.com", "h",
                                       std::string(who) == "acc_admin" ? store::Role::kAdmin
                                                                       : store::Role::kOwner,
                                       clock_.Now()})
                      .ok());
    }
    // One configured region, so placement decides (and Kenya has none).
    auto spec = api::DecodeRegionSpec(
        R"({"id":"eu-berlin","name":"Berlin","location_region":"eu-central","lat":52.5,
            "lon":13.4,"countries":["DE"]})",
        true);
    ASSERT_TRUE(Create(*store_, clock_.Now(), *spec).ok());
  }

  DeviceId Add(const std::string& owner, const std::string& evidence, int gpus = 0,
               const std::string& role = "worker", const std::string& endpoint = "") {
    const std::string n = std::to_string(++count_);
    store::InstallKeyRecord k;
    k.id = InstallKeyId("ik_" + n);
    k.owner_id = AccountId(role == "worker" ? owner : "acc_admin");
    k.key_hash = "hash" + n;
    k.hint = "w";
    k.created_at = clock_.Now();
    k.expires_at = clock_.Now() + seconds(3600);
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    store::Device d;
    d.id = DeviceId("dev_" + std::string(4 - std::min<size_t>(4, n.size()), '0') + n);
    d.name = "d" + n;
    d.role = role;
    d.endpoint = endpoint;
    d.credential_hash = "cred" + n;
    d.wg_public_key = WgPrivateKey::Generate().Public().ToString();
    d.identity_public_key = "ed25519:x";
    nlohmann::json inv = {{"gpus", nlohmann::json::array()}};
    for (int i = 0; i < gpus; ++i) inv["gpus"].push_back({{"vendor", "nvidia"}});
    d.inventory_json = inv.dump();
    d.placement_evidence_json = evidence;
    d.enrolled_at = d.last_seen = clock_.Now();
    EXPECT_TRUE(store_->EnrollDevice(k.key_hash, clock_.Now(), d).ok());
    EXPECT_TRUE(net_->Attach(d.id).ok());
    return d.id;
  }

  std::vector<store::RegionProposal> Proposals() {
    std::vector<store::RegionProposal> out;
    EXPECT_TRUE(store_
                    ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                      HEARTH_ASSIGN_OR_RETURN(out, tx.ListProposals());
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }
  std::vector<store::AdminEvent> Events() { return store_->ListEvents(0, 1000).value(); }
  store::Device Get(const DeviceId& id) { return store_->GetDevice(id).value(); }

  api::HostingDetails Hosting() {
    return api::DecodeHostingDetails(
               R"({"gateway_endpoint":"198.51.100.20:51820","uplink_mbps":500,
                   "control_nodes":3,"contact":"alice@example.com"})")
        .value();
  }

  FakeClock clock_;
  http::Notifier notifier_;
  std::string dir_;
  store::StorePtr store_;
  std::unique_ptr<network::Network> net_;
  int count_ = 0;
};

TEST_F(ProposalsTest, AFullCellRaisesOneProposalAndAnEvent) {
  Add("acc_alice", R"({"country":"KE"})");
  Add("acc_bob", R"({"country":"KE"})");
  Add("acc_alice", R"({"country":"DE"})");  // placed: not waiting
  EXPECT_TRUE(Proposals().empty());
  Add("acc_bob", R"({"country":"KE"})");  // the third waiting in KE/-/-
  auto props = Proposals();
  ASSERT_EQ(props.size(), 1u);
  EXPECT_EQ(props[0].cell, "KE/-/-");
  EXPECT_EQ(props[0].country, "KE");
  EXPECT_EQ(props[0].status, "open");
  EXPECT_EQ(props[0].devices, 3);
  EXPECT_EQ(props[0].id, ProposalId("KE/-/-"));
  // Once per cell: more devices and ticks raise no second one.
  Add("acc_eve", R"({"country":"KE"})");
  ASSERT_TRUE(net_->Tick().ok());
  EXPECT_EQ(Proposals().size(), 1u);
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "region_proposed");
  EXPECT_EQ(events[0].proposal_id, props[0].id);
  EXPECT_EQ(events[0].webhook_state, "pending");
  EXPECT_NE(events[0].message.find("KE/-/-"), std::string::npos);
}

TEST_F(ProposalsTest, DevicesWithoutAnyLocationNeverProposeARegion) {
  for (int i = 0; i < 4; ++i) Add("acc_alice", "{}");
  EXPECT_EQ(Get(DeviceId("dev_0001")).waitlist_cell, "ZZ/-/-");
  EXPECT_TRUE(Proposals().empty());
  EXPECT_TRUE(Events().empty());
}

TEST_F(ProposalsTest, GpusAloneCanReachTheThreshold) {
  Open(0, 4);
  Add("acc_alice", R"({"country":"KE"})", 2);
  EXPECT_TRUE(Proposals().empty());
  Add("acc_bob", R"({"country":"KE"})", 2);
  ASSERT_EQ(Proposals().size(), 1u);
  EXPECT_EQ(Proposals()[0].gpus, 4);
  EXPECT_EQ(Proposals()[0].devices, 2);
}

TEST_F(ProposalsTest, VolunteerApproveAndAGatewayActivateTheRegionAndPlaceTheWaitlist) {
  std::vector<DeviceId> waiting;
  for (const char* owner : {"acc_alice", "acc_bob", "acc_alice"}) {
    waiting.push_back(Add(owner, R"({"country":"KE"})"));
  }
  const std::string id = ProposalId("KE/-/-");
  const size_t events_before = Events().size();

  // Only an owner with a device waiting there may volunteer; unknown proposals are 404.
  auto eve = Volunteer(*store_, clock_.Now(), true, id, AccountId("acc_eve"), Hosting());
  ASSERT_FALSE(eve.ok());
  EXPECT_EQ(eve.status().reason(), "not_waitlisted_here");
  EXPECT_EQ(Volunteer(*store_, clock_.Now(), true, "rp_nope", AccountId("acc_alice"), Hosting())
                .status()
                .code(),
            Code::kNotFound);
  EXPECT_EQ(Events().size(), events_before);
  ASSERT_TRUE(Volunteer(*store_, clock_.Now(), true, id, AccountId("acc_alice"), Hosting()).ok());
  EXPECT_EQ(Events().back().kind, "region_volunteered");

  // Approval refuses a non-volunteer and bad region fields, writing nothing.
  const nlohmann::json region = {{"id", "af-nairobi"},
                                 {"name", "Nairobi"},
                                 {"location_region", "af-east"},
                                 {"lat", -1.29},
                                 {"lon", 36.82}};
  auto not_volunteer = Approve(*store_, clock_.Now(), true, id, AccountId("acc_bob"), region);
  ASSERT_FALSE(not_volunteer.ok());
  EXPECT_EQ(not_volunteer.status().field(), "volunteer");
  nlohmann::json bad = region;
  bad["location_region"] = "af-atlantis";
  auto bad_key = Approve(*store_, clock_.Now(), true, id, AccountId("acc_alice"), bad);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.status().field(), "region.location_region");
  bad = region;
  bad["lat"] = 123;
  EXPECT_EQ(Approve(*store_, clock_.Now(), true, id, AccountId("acc_alice"), bad).status().field(),
            "region.lat");
  bad = region;
  bad.erase("lat");  // the cell KE/-/- has no coordinates to default to
  EXPECT_EQ(Approve(*store_, clock_.Now(), true, id, AccountId("acc_alice"), bad).status().field(),
            "region.lat");
  EXPECT_EQ(Proposals()[0].status, "open");
  EXPECT_EQ(Events().size(), events_before + 1);

  auto r = Approve(*store_, clock_.Now(), true, id, AccountId("acc_alice"), region);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, "bootstrapping");
  EXPECT_EQ(r->admin, AccountId("acc_alice"));
  EXPECT_EQ(r->countries, std::vector<std::string>{"KE"});                  // the cell's country
  EXPECT_EQ(r->gateways, std::vector<std::string>{"198.51.100.20:51820"});  // the volunteer's
  EXPECT_EQ(Proposals()[0].status, "approved");
  EXPECT_EQ(Proposals()[0].region_id, "af-nairobi");
  EXPECT_EQ(Events().back().kind, "region_approved");
  // Approving twice is refused.
  EXPECT_EQ(
      Approve(*store_, clock_.Now(), true, id, AccountId("acc_alice"), region).status().reason(),
      "proposal_not_open");

  // Bootstrapping places nobody; a tick changes nothing until its gateway is up.
  ASSERT_TRUE(net_->Tick().ok());
  EXPECT_EQ(Get(waiting[0]).region_id, "");
  const DeviceId gw = Add("acc_admin", "{}", 0, "gateway", "198.51.100.20:51820");
  EXPECT_EQ(Get(gw).region_id, "af-nairobi");  // the region's own gateway joins it
  ASSERT_TRUE(net_->Tick().ok());
  EXPECT_EQ(Get(waiting[0]).region_id, "") << "no heartbeat from the gateway yet";
  clock_.Advance(seconds(5));
  ASSERT_TRUE(store_->RecordHeartbeat(gw, {clock_.Now(), "test", R"({"uptime_seconds":5})"}).ok());
  auto tick = net_->Tick();
  ASSERT_TRUE(tick.ok()) << tick.status().ToString();
  for (const DeviceId& d : waiting) {
    EXPECT_EQ(Get(d).region_id, "af-nairobi");
    EXPECT_EQ(Get(d).waitlist_cell, "");
    EXPECT_EQ(Get(d).home_gateway, gw);
    EXPECT_TRUE(tick->bumped.count(d));  // their long-polls are woken
  }
  EXPECT_EQ(Events().back().kind, "region_activated");
  std::vector<store::Region> regions;
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    HEARTH_ASSIGN_OR_RETURN(regions, tx.ListRegions());
                    return Status::Ok();
                  })
                  .ok());
  for (const auto& reg : regions) {
    if (reg.id == "af-nairobi") {
      EXPECT_EQ(reg.status, "active");
    }
  }
}

TEST(HostingDetailsTest, BadDetailsAreRefusedByField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"uplink_mbps":500,"control_nodes":3,"contact":"me"})", "gateway_endpoint"},
      {R"({"gateway_endpoint":"no-port","uplink_mbps":500,"control_nodes":3,"contact":"abc"})",
       "gateway_endpoint"},
      {R"({"gateway_endpoint":"h:1","uplink_mbps":20,"control_nodes":3,"contact":"abc"})",
       "uplink_mbps"},
      {R"({"gateway_endpoint":"h:1","uplink_mbps":500,"control_nodes":9,"contact":"abc"})",
       "control_nodes"},
      {R"({"gateway_endpoint":"h:1","uplink_mbps":500,"control_nodes":3,"contact":"a"})",
       "contact"},
  };
  for (const auto& [body, field] : cases) {
    auto h = api::DecodeHostingDetails(body);
    ASSERT_FALSE(h.ok()) << body;
    EXPECT_EQ(h.status().field(), field) << body;
  }
  EXPECT_FALSE(api::DecodeApprove(R"({"volunteer":"a@b.c"})").ok());
  EXPECT_EQ(api::DecodeApprove(R"({"region":{}})").status().field(), "volunteer");
}

}  // namespace
}  // namespace hearth::regions
