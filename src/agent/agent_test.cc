#include "agent/agent.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/state.h"
#include "common/keys.h"

namespace hearth::agent {
namespace {

using std::chrono::milliseconds;

TEST(JoinTest, RoleMustBeWorkerGatewayOrControl) {
  JoinOptions o;
  o.coordinator = "http://127.0.0.1:1";
  o.install_key = "maple-river-stone-cloud-tiger";
  o.state_dir = "/nonexistent/never-created";
  o.role = "router";
  std::ostringstream out, err;
  EXPECT_EQ(Join(o, out, err), kExitUsage);
  EXPECT_NE(err.str().find("--role must be worker, gateway or control, not 'router'"),
            std::string::npos)
      << err.str();
  // A control node dials out like a worker: no --endpoint.
  o.role = "control";
  o.endpoint = "203.0.113.2:51820";
  std::ostringstream out2, err2;
  EXPECT_EQ(Join(o, out2, err2), kExitUsage);
  EXPECT_NE(err2.str().find("--endpoint is for gateways"), std::string::npos) << err2.str();
}

TEST(BackoffTest, DoublesWithJitterUpToTheCap) {
  SeededRandom r(42);
  for (int i = 0; i < 200; ++i) {
    const auto d1 = BackoffDelay(1, milliseconds(1000), milliseconds(60000), r);
    EXPECT_GE(d1.count(), 500);
    EXPECT_LE(d1.count(), 1000);
    const auto d3 = BackoffDelay(3, milliseconds(1000), milliseconds(60000), r);
    EXPECT_GE(d3.count(), 2000);
    EXPECT_LE(d3.count(), 4000);
    const auto big = BackoffDelay(40, milliseconds(1000), milliseconds(60000), r);
    EXPECT_GE(big.count(), 30000);
    EXPECT_LE(big.count(), 60000);
  }
  // Jitter: not every draw is the same.
  std::set<int64_t> seen;
  for (int i = 0; i < 50; ++i)
    seen.insert(BackoffDelay(5, milliseconds(1000), milliseconds(60000), r).count());
  EXPECT_GT(seen.size(), 10u);
}

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hearth-state-XXXXXX").string();
    root_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(StateDirTest, SaveLoadRoundTripWithPrivateModes) {
  StateDir dir(root_ + "/state");
  ASSERT_TRUE(dir.Ensure().ok());
  struct stat st {};
  ASSERT_EQ(stat(dir.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto none = dir.LoadDevice();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  DeviceState s;
  s.coordinator = "http://127.0.0.1:1";
  s.device_id = "dev_abc";
  s.credential = Secret<std::string>("hdc_secret");
  s.name = "gamer";
  s.heartbeat_interval_seconds = 7;
  ASSERT_TRUE(dir.SaveDevice(s).ok());
  ASSERT_EQ(stat(dir.File("state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = dir.LoadDevice();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->device_id, "dev_abc");
  EXPECT_EQ((*loaded)->credential.Reveal(), "hdc_secret");
  EXPECT_EQ((*loaded)->heartbeat_interval_seconds, 7);

  AgentStatus as;
  as.consecutive_failures = 2;
  as.last_error = "boom";
  ASSERT_TRUE(dir.SaveStatus(as).ok());
  auto ls = dir.LoadStatus();
  ASSERT_TRUE(ls.ok() && ls->has_value());
  EXPECT_EQ((*ls)->consecutive_failures, 2);

  ASSERT_TRUE(dir.Clear().ok());
  EXPECT_FALSE(dir.LoadDevice()->has_value());
}

TEST_F(StateDirTest, CorruptOrLooseStateIsAClearError) {
  StateDir dir(root_);
  ASSERT_TRUE(dir.Ensure().ok());
  { std::ofstream(dir.File("state.json")) << "{not json"; }
  chmod(dir.File("state.json").c_str(), 0600);
  auto r = dir.LoadDevice();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "corrupt_state");
  { std::ofstream(dir.File("state.json")) << "{\"coordinator\":\"x\"}"; }
  r = dir.LoadDevice();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().field().find("device_id"), std::string::npos) << r.status().ToString();
  chmod(dir.File("state.json").c_str(), 0644);
  r = dir.LoadDevice();
  ASSERT_FALSE(r.ok());  // readable by others: refused
}

TEST_F(StateDirTest, InventoryRootsAreKeptAndOlderStateReadsTheHostsOwn) {
  StateDir dir(root_ + "/state");
  ASSERT_TRUE(dir.Ensure().ok());
  DeviceState s;
  s.coordinator = "http://127.0.0.1:1";
  s.device_id = "dev_abc";
  s.credential = Secret<std::string>("hdc_secret");
  s.name = "gamer";
  s.inventory_roots = {"/fixture/sys", "/fixture/proc", "/fixture/etc", ""};
  ASSERT_TRUE(dir.SaveDevice(s).ok());
  auto loaded = dir.LoadDevice();
  ASSERT_TRUE(loaded.ok() && loaded->has_value()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->inventory_roots.sysfs, "/fixture/sys");
  EXPECT_EQ((*loaded)->inventory_roots.procfs, "/fixture/proc");
  EXPECT_EQ((*loaded)->inventory_roots.etc, "/fixture/etc");
  EXPECT_EQ((*loaded)->inventory_roots.nvidia_smi, "");

  // A state.json from before the roots were kept: the host's own.
  const std::string older =
      R"({"coordinator":"http://127.0.0.1:1","device_id":"dev_abc","credential":"hdc_secret",)"
      R"("name":"gamer","heartbeat_interval_seconds":30})";
  ASSERT_TRUE(WritePrivateFile(dir.File("state.json"), older).ok());
  loaded = dir.LoadDevice();
  ASSERT_TRUE(loaded.ok() && loaded->has_value()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->inventory_roots.sysfs, "/sys");
  EXPECT_EQ((*loaded)->inventory_roots.procfs, "/proc");
  EXPECT_EQ((*loaded)->inventory_roots.nvidia_smi, "nvidia-smi");

  // Roots of the wrong shape name the field.
  nlohmann::json bad = nlohmann::json::parse(older);
  bad["inventory_roots"] = "/sys";
  ASSERT_TRUE(WritePrivateFile(dir.File("state.json"), bad.dump()).ok());
  auto refused = dir.LoadDevice();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().field().find("inventory_roots"), std::string::npos);
  bad["inventory_roots"] = {{"sysfs", 5}};
  ASSERT_TRUE(WritePrivateFile(dir.File("state.json"), bad.dump()).ok());
  refused = dir.LoadDevice();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().field().find("inventory_roots.sysfs"), std::string::npos);
}

TEST_F(StateDirTest, EnsureRefusesAFile) {
  std::ofstream(root_ + "/file") << "x";
  Status st = StateDir(root_ + "/file").Ensure();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.field(), "--state-dir");
}

// The inventory a heartbeat carries, read from a copy of a fixture host whose hardware the test
// changes as an owner would.
class InventoryReporterTest : public StateDirTest {
 protected:
  void SetUp() override {
    StateDirTest::SetUp();
    const char* src = std::getenv("HEARTH_SOURCE_DIR");
    fixtures_ = std::string(src ? src : HEARTH_SOURCE_DIR) + "/tests/fixtures/hosts/";
    std::filesystem::copy(
        fixtures_ + "rtx4090", root_ + "/host",
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
    roots_ = {root_ + "/host/sys", root_ + "/host/proc", root_ + "/host/etc", ""};
  }
  void FitSecondGpu() {
    const std::string slot = "/sys/bus/pci/devices/0000:21:00.0";
    std::filesystem::copy(
        fixtures_ + "dual-3090" + slot, root_ + "/host" + slot,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
  }
  std::string fixtures_;
  InventoryRoots roots_;
  const Timestamp t0_ = FromUnixMillis(1'700'000'000'000);
};

TEST_F(InventoryReporterTest, SentFirstThenOnlyWhenAReReadFindsItChanged) {
  InventoryReporter r(roots_, std::chrono::minutes(5));
  auto first = r.ToSend(t0_);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ((*first)["gpus"].size(), 1U);
  // Not accepted yet (the heartbeat failed): sent again.
  EXPECT_EQ(r.ToSend(t0_ + std::chrono::seconds(1)), first);
  r.Accepted(*first);
  EXPECT_FALSE(r.ToSend(t0_ + std::chrono::seconds(2)).has_value());

  // A card fitted: not seen before the interval is up, then sent.
  FitSecondGpu();
  EXPECT_FALSE(r.ToSend(t0_ + std::chrono::minutes(4)).has_value());
  auto changed = r.ToSend(t0_ + std::chrono::minutes(5));
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ((*changed)["gpus"].size(), 2U);
  r.Accepted(*changed);
  EXPECT_FALSE(r.ToSend(t0_ + std::chrono::minutes(10)).has_value());
}

TEST_F(InventoryReporterTest, ARefusedInventoryIsNotResentUntilTheHardwareChanges) {
  InventoryReporter r(roots_, std::chrono::seconds(1));
  auto first = r.ToSend(t0_);
  ASSERT_TRUE(first.has_value());
  r.Refused(*first);
  EXPECT_FALSE(r.ToSend(t0_ + std::chrono::seconds(5)).has_value());
  FitSecondGpu();
  auto changed = r.ToSend(t0_ + std::chrono::seconds(10));
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ((*changed)["gpus"].size(), 2U);
}

TEST_F(InventoryReporterTest, ZeroIntervalReadsOnceAndUnreadableHardwareSendsNothing) {
  InventoryReporter once(roots_, Duration::zero());
  ASSERT_TRUE(once.ToSend(t0_).has_value());
  once.Accepted(*once.ToSend(t0_));
  FitSecondGpu();
  EXPECT_FALSE(once.ToSend(t0_ + std::chrono::hours(24)).has_value());

  InventoryReporter missing({root_ + "/none/sys", root_ + "/none/proc", root_ + "/none/etc", ""},
                            std::chrono::seconds(1));
  EXPECT_FALSE(missing.ToSend(t0_).has_value());
}

}  // namespace
}  // namespace hearth::agent
