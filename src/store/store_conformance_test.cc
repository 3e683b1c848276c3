// Behaviour every Store backend must share, run against each backend (today: SQLite, in memory
// and on a file). Backend-specific behaviour (migrations on a file, pragmas) is beside the
// backend, e.g. sqlite/sqlite_store_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace hearth::store {
namespace {

using std::chrono::hours;

struct Backend {
  std::string name;
  std::function<StatusOr<StorePtr>(const std::string& dir)> open;
};

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-conformance-" + std::to_string(getpid()) + "-" + GetParam().name);
    std::filesystem::create_directories(dir_);
    auto s = GetParam().open(dir_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // An owner with one enrolled device.
  Device Enroll() {
    const Timestamp now = FromUnixMillis(1'700'000'000'000);
    Account a{AccountId("acc_owner"), "o@example.com", "hash", Role::kOwner, now};
    EXPECT_TRUE(store_->CreateAccount(a).ok());
    InstallKeyRecord k{InstallKeyId("ik_1"), a.id, "kh", "w", now, now + hours(1), {}, {}, {}};
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    Device d;
    d.id = DeviceId("dev_aaaaaaaaaaaaaaaa");
    d.name = "pc";
    d.credential_hash = "c";
    d.inventory_json = "{}";
    d.enrolled_at = d.last_seen = now;
    auto enrolled = store_->EnrollDevice("kh", now, d);
    EXPECT_TRUE(enrolled.ok()) << enrolled.status().ToString();
    return enrolled.ok() ? *enrolled : d;
  }

  std::string dir_;
  StorePtr store_;
};

TEST_P(StoreConformanceTest, NewDeviceIsActiveWithNoClusterState) {
  const Device d = Enroll();
  EXPECT_EQ(d.admin_state, "active");
  auto got = store_->GetDevice(d.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->admin_state, "active");
  EXPECT_EQ(got->admin_reason, "");
  EXPECT_FALSE(got->admin_state_at.has_value());
  EXPECT_EQ(got->k8s_state, "");
  EXPECT_EQ(got->k8s_json, "{}");
}

TEST_P(StoreConformanceTest, AdminAndKubeStateAreRecorded) {
  const Device d = Enroll();
  const Timestamp at = FromUnixMillis(1'700'000'100'000);
  ASSERT_TRUE(store_->SetAdminState(d.id, "banned", "abuse", at).ok());
  ASSERT_TRUE(store_->SetKubeState(d.id, "notready", R"({"node":"hearth-aaaa-1"})").ok());
  auto got = store_->GetDevice(d.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->admin_state, "banned");
  EXPECT_EQ(got->admin_reason, "abuse");
  EXPECT_EQ(got->admin_state_at, at);
  EXPECT_EQ(got->k8s_state, "notready");
  EXPECT_EQ(got->k8s_json, R"({"node":"hearth-aaaa-1"})");
  auto listed = store_->ListDevices(std::nullopt);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().admin_state, "banned");
}

TEST_P(StoreConformanceTest, AdminStateOfUnknownOrRemovedDeviceIsNotFound) {
  const Device d = Enroll();
  const Timestamp at = FromUnixMillis(1'700'000'100'000);
  EXPECT_EQ(store_->SetAdminState(DeviceId("dev_bbbbbbbbbbbbbbbb"), "banned", "", at).code(),
            Code::kNotFound);
  EXPECT_EQ(store_->SetKubeState(DeviceId("dev_bbbbbbbbbbbbbbbb"), "ready", "{}").code(),
            Code::kNotFound);
  ASSERT_TRUE(store_->RemoveDevice(d.id, at).ok());
  EXPECT_EQ(store_->SetAdminState(d.id, "cordoned", "", at).code(), Code::kNotFound);
  // The cluster's last word (a drain report) is still recorded for a removed device.
  EXPECT_TRUE(store_->SetKubeState(d.id, "missing", R"({"drain":{"evicted":2}})").ok());
}

TEST_P(StoreConformanceTest, AHeartbeatsInventoryReplacesTheStoredOneWithItsChange) {
  const Device d = Enroll();
  const Timestamp t1 = FromUnixMillis(1'700'000'100'000), t2 = t1 + std::chrono::minutes(1);
  auto none = store_->ListHardwareChanges(d.id, 50);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  // A NIC moved: the inventory is replaced, no change is recorded.
  Heartbeat hb{t1, "2", "{}"};
  hb.inventory = InventoryUpdate{R"({"nics":[1]})", std::nullopt};
  ASSERT_TRUE(store_->RecordHeartbeat(d.id, hb).ok());
  EXPECT_EQ(store_->GetDevice(d.id)->inventory_json, R"({"nics":[1]})");
  EXPECT_TRUE(store_->ListHardwareChanges(d.id, 50)->empty());

  // Two changes: numbered in order, listed newest first, the limit keeps the newest.
  hb.inventory = InventoryUpdate{R"({"gpus":[1]})",
                                 HardwareChange{{}, 0, t1, "upgrade", R"([{"type":"gpu_added"}])"}};
  ASSERT_TRUE(store_->RecordHeartbeat(d.id, hb).ok());
  hb.at = t2;
  hb.inventory = InventoryUpdate{
      R"({"gpus":[]})", HardwareChange{{}, 0, t2, "downgrade", R"([{"type":"gpu_removed"}])"}};
  ASSERT_TRUE(store_->RecordHeartbeat(d.id, hb).ok());
  auto got = store_->ListHardwareChanges(d.id, 50);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2U);
  EXPECT_EQ((*got)[0].seq, 2);
  EXPECT_EQ((*got)[0].device_id, d.id);
  EXPECT_EQ((*got)[0].at, t2);
  EXPECT_EQ((*got)[0].kind, "downgrade");
  EXPECT_EQ((*got)[0].changes_json, R"([{"type":"gpu_removed"}])");
  EXPECT_EQ((*got)[1].seq, 1);
  EXPECT_EQ((*got)[1].kind, "upgrade");
  auto newest = store_->ListHardwareChanges(d.id, 1);
  ASSERT_EQ(newest->size(), 1U);
  EXPECT_EQ(newest->front().seq, 2);
  EXPECT_EQ(store_->GetDevice(d.id)->inventory_json, R"({"gpus":[]})");
  EXPECT_TRUE(store_->ListHardwareChanges(DeviceId("dev_bbbbbbbbbbbbbbbb"), 50)->empty());

  // A removed device refuses the heartbeat and writes nothing; its history stays readable.
  ASSERT_TRUE(store_->RemoveDevice(d.id, t2).ok());
  hb.inventory = InventoryUpdate{R"({"gpus":[2]})",
                                 HardwareChange{{}, 0, t2, "upgrade", R"([{"type":"gpu_added"}])"}};
  EXPECT_EQ(store_->RecordHeartbeat(d.id, hb).code(), Code::kNotFound);
  EXPECT_EQ(store_->GetDevice(d.id)->inventory_json, R"({"gpus":[]})");
  EXPECT_EQ(store_->ListHardwareChanges(d.id, 50)->size(), 2U);
}

// Gateways need an admin's install key — or one of the admin of the region whose catalog lists
// the gateway's endpoint (a volunteer bootstrapping a region enrolls its gateway).
TEST_P(StoreConformanceTest, GatewayKeysComeFromAdminsOrTheRegionAdminNamingTheEndpoint) {
  const Timestamp now = FromUnixMillis(1'700'000'000'000);
  Account host{AccountId("acc_host"), "h@example.com", "hash", Role::kOwner, now};
  ASSERT_TRUE(store_->CreateAccount(host).ok());
  Region r;
  r.id = "af-nairobi";
  r.name = "Nairobi";
  r.overlay_prefix = "100.80.0.0/16";
  r.pod_prefix = "10.80.0.0/16";
  r.service_prefix = "10.81.0.0/16";
  r.created_at = r.updated_at = now;
  r.status = "bootstrapping";
  r.gateways = {"198.51.100.7:51820"};
  r.admin = host.id;
  ASSERT_TRUE(store_->NetworkTransaction([&](NetworkTx& tx) { return tx.InsertRegion(r); }).ok());
  int n = 0;
  auto enroll = [&](const std::string& endpoint) {
    const std::string hash = "kh" + std::to_string(++n);
    InstallKeyRecord k{InstallKeyId("ik_g" + std::to_string(n)),
                       host.id,
                       hash,
                       "g",
                       now,
                       now + hours(1),
                       {},
                       {},
                       {}};
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    Device d;
    d.id = DeviceId("dev_gggggggggggggg" + std::to_string(10 + n));
    d.name = "gw";
    d.credential_hash = "c";
    d.inventory_json = "{}";
    d.role = "gateway";
    d.endpoint = endpoint;
    d.enrolled_at = d.last_seen = now;
    return store_->EnrollDevice(hash, now, d);
  };
  auto other = enroll("198.51.100.8:51820");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(other.status().reason(), "role_needs_admin_key");
  auto named = enroll("198.51.100.7:51820");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->owner_id, host.id);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(Backend{"sqlite_memory",
                                                   [](const std::string&) {
                                                     return OpenSqliteStore(":memory:");
                                                   }},
                                           Backend{"sqlite_file",
                                                   [](const std::string& dir) {
                                                     return OpenSqliteStore(dir + "/hearth.db");
                                                   }}),
                         [](const ::testing::TestParamInfo<Backend>& p) { return p.param.name; });

}  // namespace
}  // namespace hearth::store
