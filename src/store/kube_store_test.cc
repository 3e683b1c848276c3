// The store's Kubernetes section (coordinator/kube) against a real SQLite file: node identities
// and their join tokens, batched node states, and pod runs for attribution. Also the contract's
// admin state and kube state fields on devices (migration 5).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace hearth::store {
namespace {

using std::chrono::seconds;

class KubeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-kube-store-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    std::filesystem::create_directories(dir_);
    Reopen();
    ASSERT_TRUE(store_
                    ->CreateAccount({AccountId("acc_admin"), "admin@example.com", "h", Role::kAdmin,
                                     FromUnixMillis(1000)})
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = OpenSqliteStore(dir_ + "/hearth.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  DeviceId Enroll(const std::string& n) {
    InstallKeyRecord k;
    k.id = InstallKeyId("ik_" + n);
    k.owner_id = AccountId("acc_admin");
    k.key_hash = "hash" + n;
    k.hint = "w";
    k.created_at = FromUnixMillis(1000);
    k.expires_at = FromUnixMillis(1000) + seconds(3600);
    EXPECT_TRUE(store_->CreateInstallKey(k).ok());
    Device d;
    d.id = DeviceId("dev_" + n);
    d.name = "w" + n;
    d.credential_hash = "cred" + n;
    d.wg_public_key = "wg" + n;
    d.identity_public_key = "ed25519:x";
    d.inventory_json = "{}";
    d.enrolled_at = d.last_seen = FromUnixMillis(1000);
    EXPECT_TRUE(store_->EnrollDevice(k.key_hash, FromUnixMillis(1000), d).ok());
    return d.id;
  }

  KubeNode Node(const DeviceId& d, int64_t generation) {
    KubeNode n;
    n.device_id = d;
    n.region_id = "default";
    n.generation = generation;
    n.node_name = "hearth-" + d.str().substr(4) + "-" + std::to_string(generation);
    n.token_id = "abcdef";
    n.token_secret = Secret<std::string>("0123456789abcdef");
    n.token_expires_at = FromUnixMillis(5000);
    n.created_at = FromUnixMillis(2000);
    return n;
  }

  PodRun Run(const std::string& uid, const DeviceId& d, int64_t start_ms) {
    PodRun r;
    r.uid = uid;
    r.region_id = "default";
    r.ns = "ns";
    r.name = "pod-" + uid;
    r.node_name = "hearth-x-1";
    r.device_id = d;
    r.lease_id = "akash1owner/1/1/1/akash1prov";
    r.cpu_millis = 500;
    r.memory_bytes = int64_t{1} << 30;
    r.gpus = 1;
    r.started_at = FromUnixMillis(start_ms);
    return r;
  }

  std::string dir_;
  StorePtr store_;
};

TEST_F(KubeStoreTest, AdminAndKubeStateArePartOfTheDevice) {
  const DeviceId d = Enroll("1");
  Device got = store_->GetDevice(d).value();
  EXPECT_EQ(got.admin_state, "active");
  EXPECT_EQ(got.k8s_state, "");
  EXPECT_EQ(got.k8s_json, "{}");
  ASSERT_TRUE(store_->SetAdminState(d, "drained", "disk swap", FromUnixMillis(3000)).ok());
  ASSERT_TRUE(store_->SetKubeState(d, "ready", R"({"node":"n"})").ok());
  Reopen();
  got = store_->GetDevice(d).value();
  EXPECT_EQ(got.admin_state, "drained");
  EXPECT_EQ(got.admin_reason, "disk swap");
  EXPECT_EQ(got.admin_state_at, FromUnixMillis(3000));
  EXPECT_EQ(got.k8s_state, "ready");
  EXPECT_EQ(got.k8s_json, R"({"node":"n"})");
  EXPECT_EQ(store_->SetKubeState(DeviceId("dev_nope"), "ready", "{}").code(), Code::kNotFound);
  ASSERT_TRUE(store_->RemoveDevice(d, FromUnixMillis(4000)).ok());
  EXPECT_EQ(store_->SetAdminState(d, "banned", "", FromUnixMillis(5000)).code(), Code::kNotFound);
}

TEST_F(KubeStoreTest, NodeIdentityIsStoredAndBumpsTheConfigVersion) {
  const DeviceId a = Enroll("1"), b = Enroll("2");
  EXPECT_FALSE(store_->GetKubeNode(a).value().has_value());
  const int64_t v0 = store_->ConfigVersion(a).value();
  ASSERT_TRUE(store_->PutKubeNode(Node(a, 1)).ok());
  EXPECT_EQ(store_->ConfigVersion(a).value(), v0 + 1);
  Reopen();
  auto got = store_->GetKubeNode(a).value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->node_name, "hearth-1-1");
  EXPECT_EQ(got->token_secret.Reveal(), "0123456789abcdef");
  EXPECT_EQ(got->token_expires_at, FromUnixMillis(5000));
  EXPECT_FALSE(got->retired_at.has_value());

  // Another device cannot take the name; nothing is written then (no version bump either).
  KubeNode steal = Node(b, 1);
  steal.node_name = "hearth-1-1";
  const int64_t vb = store_->ConfigVersion(b).value();
  Status st = store_->PutKubeNode(steal);
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(st.field(), "node_name");
  EXPECT_EQ(store_->ConfigVersion(b).value(), vb);
  EXPECT_FALSE(store_->GetKubeNode(b).value().has_value());
  EXPECT_EQ(store_->PutKubeNode(Node(DeviceId("dev_nope"), 1)).code(), Code::kNotFound);

  // Retire, then the next generation replaces it.
  KubeNode retired = *got;
  retired.retired_at = FromUnixMillis(6000);
  ASSERT_TRUE(store_->PutKubeNode(retired).ok());
  ASSERT_TRUE(store_->PutKubeNode(Node(a, 2)).ok());
  ASSERT_TRUE(store_->PutKubeNode(Node(b, 1)).ok());
  auto list = store_->ListKubeNodes("default").value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].node_name, "hearth-1-2");
  EXPECT_EQ(list[0].generation, 2);
  EXPECT_FALSE(list[0].retired_at.has_value());
  EXPECT_EQ(list[1].device_id, b);
  EXPECT_TRUE(store_->ListKubeNodes("other").value().empty());
}

TEST_F(KubeStoreTest, KubeStatesAreWrittenInOneBatch) {
  const DeviceId a = Enroll("1"), b = Enroll("2");
  ASSERT_TRUE(store_
                  ->SetKubeStates({{a, "ready", R"({"node":"a"})"},
                                   {DeviceId("dev_unknown"), "ready", "{}"},
                                   {b, "notready", R"({"node":"b"})"}})
                  .ok());
  EXPECT_EQ(store_->GetDevice(a).value().k8s_state, "ready");
  EXPECT_EQ(store_->GetDevice(b).value().k8s_state, "notready");
  EXPECT_EQ(store_->GetDevice(b).value().k8s_json, R"({"node":"b"})");
}

TEST_F(KubeStoreTest, PodRunsStartOnceStopOnceAndListByWindow) {
  const DeviceId a = Enroll("1");
  ASSERT_TRUE(store_->RecordPodRuns({Run("u1", a, 1000), Run("u2", a, 5000)}, {}).ok());
  // A repeated start (a relist after a restart) keeps the first record.
  PodRun again = Run("u1", a, 9000);
  again.cpu_millis = 1;
  ASSERT_TRUE(store_->RecordPodRuns({again}, {{"u1", FromUnixMillis(3000)}}).ok());
  // A second stop, and a stop of an unknown run, change nothing.
  ASSERT_TRUE(
      store_->RecordPodRuns({}, {{"u1", FromUnixMillis(4000)}, {"nope", FromUnixMillis(1)}}).ok());
  Reopen();
  auto all = store_->ListPodRuns(FromUnixMillis(0), FromUnixMillis(100000)).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].uid, "u1");
  EXPECT_EQ(all[0].cpu_millis, 500);
  EXPECT_EQ(all[0].started_at, FromUnixMillis(1000));
  EXPECT_EQ(all[0].stopped_at, FromUnixMillis(3000));
  EXPECT_EQ(all[0].lease_id, "akash1owner/1/1/1/akash1prov");
  EXPECT_EQ(all[0].memory_bytes, int64_t{1} << 30);
  EXPECT_FALSE(all[1].stopped_at.has_value());
  // Windows: [3000, 5000) sees neither (u1 stopped at 3000, u2 starts at 5000).
  EXPECT_TRUE(store_->ListPodRuns(FromUnixMillis(3000), FromUnixMillis(5000)).value().empty());
  EXPECT_EQ(store_->ListPodRuns(FromUnixMillis(2999), FromUnixMillis(5000)).value().size(), 1u);
  EXPECT_EQ(store_->ListPodRuns(FromUnixMillis(50000), FromUnixMillis(60000)).value().size(), 1u);
  auto open = store_->ListOpenPodRuns("default").value();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].uid, "u2");
  // A stop before the start (clock skew between observers) is clamped to the start.
  ASSERT_TRUE(store_->RecordPodRuns({}, {{"u2", FromUnixMillis(10)}}).ok());
  auto u2 = store_->ListPodRuns(FromUnixMillis(0), FromUnixMillis(100000)).value();
  EXPECT_EQ(u2[1].stopped_at, FromUnixMillis(5000));
  EXPECT_TRUE(store_->ListOpenPodRuns("default").value().empty());
}

}  // namespace
}  // namespace hearth::store
