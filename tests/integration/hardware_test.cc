// Hardware changes end to end with real processes: `hearth join` and `hearth agent` read a copy of
// a fixture host's tree, the test changes that tree as an owner changes a machine (fits a GPU,
// takes one out, updates the OS), and the coordinator's device page records what counts as a
// hardware change — and nothing else — across agent and coordinator restarts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.h"

namespace hearth::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kSlots = "/sys/bus/pci/devices/";

class HardwareChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    coord_ = std::make_unique<CoordinatorProcess>(
        dir_.path() + "/coord",
        std::vector<std::string>{"--heartbeat-interval", "1s", "--offline-after", "5s"});
    ASSERT_TRUE(coord_->Start()) << coord_->log();
    host_ = dir_.path() + "/host";
    CopyFixture(FixtureRoot("rtx4090"), host_);
  }

  // Signs the owner up and joins the copied host with their key; the device id, or "" (and a
  // test failure) when that fails.
  std::string Join(ApiUser& owner) {
    EXPECT_TRUE(owner.SignUpAndIn());
    CommandResult joined = JoinWithRoot(coord_->url(), dir_.path() + "/state", host_,
                                        owner.CreateKey(), dir_.path() + "/join.log");
    EXPECT_EQ(joined.exit_code, 0) << joined.output;
    return joined.exit_code == 0 ? LastLine(joined.output) : "";
  }

  std::unique_ptr<AgentProcess> StartAgent() {
    auto a = std::make_unique<AgentProcess>(dir_.path() + "/state", dir_.path() + "/agent.log",
                                            std::vector<std::string>{"--inventory-interval", "1s"});
    EXPECT_TRUE(a->Start());
    return a;
  }

  // The device's hardware changes once `pred` holds for them (or the last seen, after 15 s).
  nlohmann::json ChangesWhen(ApiUser& owner, const std::string& id,
                             const std::function<bool(const nlohmann::json&)>& pred) {
    nlohmann::json last;
    Eventually(
        [&] {
          const nlohmann::json d = owner.Device(id);
          if (!d.is_object()) return false;
          last = d;
          return pred(d);
        },
        seconds(15));
    return last;
  }

  TempDir dir_;
  std::unique_ptr<CoordinatorProcess> coord_;
  std::string host_;
};

TEST_F(HardwareChangesTest, FittedAndRemovedGpusAreEventsAndAnOsUpdateIsNot) {
  ApiUser owner(coord_->url(), "hw-owner@example.com", "password-of-hw-1");
  const std::string id = Join(owner);
  ASSERT_FALSE(id.empty());
  auto agent = StartAgent();

  // The first heartbeat carries the same hardware it enrolled with: no change.
  nlohmann::json d = ChangesWhen(
      owner, id, [](const nlohmann::json& j) { return j["heartbeat"].contains("uptime_seconds"); });
  ASSERT_TRUE(d["heartbeat"].contains("uptime_seconds")) << d.dump() << agent->log();
  EXPECT_EQ(d["hardware_changes"], nlohmann::json::array());
  EXPECT_EQ(d["inventory"]["gpus"].size(), 1U);

  // An OS update: the stored inventory follows, no hardware change is recorded.
  {
    std::ofstream os(host_ + "/etc/os-release");
    os << "PRETTY_NAME=\"Ubuntu 24.04.2 LTS\"\n";
  }
  d = ChangesWhen(owner, id, [](const nlohmann::json& j) {
    return j["inventory"]["os"] == "Ubuntu 24.04.2 LTS";
  });
  ASSERT_EQ(d["inventory"]["os"], "Ubuntu 24.04.2 LTS") << d["inventory"].dump();
  EXPECT_EQ(d["hardware_changes"], nlohmann::json::array());

  // An RTX 3090 fitted in a free slot: an upgrade.
  CopyFixture(FixtureRoot("dual-3090") + kSlots + "0000:21:00.0", host_ + kSlots + "0000:21:00.0");
  d = ChangesWhen(owner, id,
                  [](const nlohmann::json& j) { return j["hardware_changes"].size() == 1; });
  ASSERT_EQ(d["hardware_changes"].size(), 1U) << d.dump() << agent->log();
  const nlohmann::json added = d["hardware_changes"][0];
  EXPECT_EQ(added["kind"], "upgrade");
  ASSERT_EQ(added["changes"].size(), 1U) << added.dump();
  EXPECT_EQ(added["changes"][0]["type"], "gpu_added");
  EXPECT_EQ(added["changes"][0]["after"]["model"], "rtx3090");
  EXPECT_EQ(added["changes"][0]["after"]["pci_address"], "0000:21:00.0");
  EXPECT_EQ(d["inventory"]["gpus"].size(), 2U);

  // The RTX 4090 taken out: a downgrade, listed first.
  std::filesystem::remove_all(host_ + kSlots + "0000:01:00.0");
  d = ChangesWhen(owner, id,
                  [](const nlohmann::json& j) { return j["hardware_changes"].size() == 2; });
  ASSERT_EQ(d["hardware_changes"].size(), 2U) << d.dump();
  const nlohmann::json removed = d["hardware_changes"][0];
  EXPECT_EQ(removed["kind"], "downgrade");
  EXPECT_EQ(removed["changes"][0]["type"], "gpu_removed");
  EXPECT_EQ(removed["changes"][0]["before"]["model"], "rtx4090");
  EXPECT_EQ(d["hardware_changes"][1], added);
  EXPECT_EQ(d["inventory"]["gpus"].size(), 1U);

  // A coordinator crash and an agent restart (which sends the inventory again) lose nothing
  // and add nothing.
  const int port = coord_->port();
  coord_->KillHard();
  agent->KillHard();
  coord_ = std::make_unique<CoordinatorProcess>(
      dir_.path() + "/coord",
      std::vector<std::string>{"--heartbeat-interval", "1s", "--offline-after", "5s"}, port);
  ASSERT_TRUE(coord_->Start()) << coord_->log();
  ASSERT_TRUE(owner.SignUpAndIn());
  const nlohmann::json before_restart = owner.Device(id);
  agent = StartAgent();
  ASSERT_TRUE(Eventually(
      [&] {
        const nlohmann::json j = owner.Device(id);
        return j.is_object() && j["last_seen"] != before_restart["last_seen"];
      },
      seconds(10)))
      << agent->log();
  // Two more re-reads of the unchanged hardware.
  std::this_thread::sleep_for(seconds(2));
  d = owner.Device(id);
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d["hardware_changes"].size(), 2U) << d["hardware_changes"].dump();
  EXPECT_EQ(d["hardware_changes"][1], added);
}

TEST_F(HardwareChangesTest, AnAgentDoesNotLoseItsHeartbeatsToAnInventoryTheCoordinatorRefuses) {
  ApiUser owner(coord_->url(), "hw-owner2@example.com", "password-of-hw-2");
  const std::string id = Join(owner);
  ASSERT_FALSE(id.empty());
  auto agent = StartAgent();
  ASSERT_TRUE(Eventually([&] { return owner.DeviceStatus(id) == "online"; }, seconds(10)));
  const std::string enrolled = owner.Device(id)["inventory"].dump();

  // An OS name longer than the API takes (256 characters): the coordinator refuses that
  // inventory (400, field inventory.os) and the agent keeps heartbeating without it.
  {
    std::ofstream os(host_ + "/etc/os-release");
    os << "PRETTY_NAME=\"" << std::string(300, 'x') << "\"\n";
  }
  ASSERT_TRUE(Eventually(
      [&] {
        return agent->log().find("inventory refused by the coordinator") != std::string::npos;
      },
      seconds(10)))
      << agent->log();
  EXPECT_NE(agent->log().find("inventory.os"), std::string::npos) << agent->log();
  // Heartbeats after the refusal are accepted again (last_seen moves twice).
  for (int i = 0; i < 2; ++i) {
    const nlohmann::json seen = owner.Device(id)["last_seen"];
    ASSERT_TRUE(Eventually([&] { return owner.Device(id)["last_seen"] != seen; }, seconds(5)))
        << agent->log();
  }
  const nlohmann::json d = owner.Device(id);
  EXPECT_EQ(d["status"], "online");
  EXPECT_EQ(d["inventory"].dump(), enrolled);
  EXPECT_EQ(d["hardware_changes"], nlohmann::json::array());
}

}  // namespace
}  // namespace hearth::testing
