// The core flow end to end with real processes on loopback: an owner gets install keys,
// devices join and heartbeat, owners see only their own devices, dead agents go offline,
// removed devices are refused, and a coordinator crash loses nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "harness.h"

namespace hearth::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kInterval = seconds(1);
constexpr auto kOfflineAfter = seconds(3);

class EnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    coord_ = std::make_unique<CoordinatorProcess>(
        dir_.path() + "/coord",
        std::vector<std::string>{"--heartbeat-interval", "1s", "--offline-after", "3s"});
    ASSERT_TRUE(coord_->Start()) << coord_->log();
  }

  std::string Join(const std::string& name, const std::string& host, const std::string& key,
                   int* exit_code = nullptr) {
    CommandResult r = JoinWithFixture(coord_->url(), dir_.path() + "/" + name, host, key,
                                      dir_.path() + "/" + name + ".join.log");
    if (exit_code) *exit_code = r.exit_code;
    last_join_output_ = r.output;
    return r.exit_code == 0 ? LastLine(r.output) : "";
  }

  std::unique_ptr<AgentProcess> StartAgent(const std::string& name) {
    auto a = std::make_unique<AgentProcess>(dir_.path() + "/" + name,
                                            dir_.path() + "/" + name + ".agent.log");
    EXPECT_TRUE(a->Start());
    return a;
  }

  TempDir dir_;
  std::unique_ptr<CoordinatorProcess> coord_;
  std::string last_join_output_;
};

TEST_F(EnrollmentTest, OwnersSeeTheirDevicesComeOnlineAndGoOffline) {
  ApiUser a(coord_->url(), "owner-a@example.com", "password-of-a-123");
  ApiUser b(coord_->url(), "owner-b@example.com", "password-of-b-123");
  ASSERT_TRUE(a.SignUpAndIn());
  ASSERT_TRUE(b.SignUpAndIn());

  const std::vector<std::string> hosts = {"rtx4090", "dual-3090", "cpu-only"};
  std::vector<std::string> ids;
  for (size_t i = 0; i < hosts.size(); ++i) {
    const std::string key = a.CreateKey();
    ASSERT_FALSE(key.empty());
    const std::string id = Join("dev" + std::to_string(i), hosts[i], key);
    ASSERT_EQ(id.rfind("dev_", 0), 0u) << last_join_output_;
    ids.push_back(id);
  }
  std::vector<std::unique_ptr<AgentProcess>> agents;
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < hosts.size(); ++i) agents.push_back(StartAgent("dev" + std::to_string(i)));

  // All three online within three heartbeat intervals, with the fixture inventories.
  auto all_online = [&] {
    nlohmann::json list = a.Devices();
    if (!list.is_array() || list.size() != 3) return false;
    for (const auto& d : list) {
      if (d["status"] != "online" || d["heartbeat"].empty()) return false;
    }
    return true;
  };
  ASSERT_TRUE(Eventually(all_online, 3 * kInterval)) << a.Devices().dump(2);
  EXPECT_LE(std::chrono::steady_clock::now() - started, 3 * kInterval);
  nlohmann::json list = a.Devices();
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& d : list) by_name[d["name"]] = d;
  EXPECT_EQ(by_name.at("gamer-4090")["inventory"]["gpus"][0]["model"], "rtx4090");
  EXPECT_EQ(by_name.at("ml-workstation")["inventory"]["gpus"].size(), 2u);
  EXPECT_TRUE(by_name.at("homelab-server")["inventory"]["gpus"].empty());

  // Owner B sees none of them.
  nlohmann::json b_list = b.Devices();
  ASSERT_TRUE(b_list.is_array());
  EXPECT_TRUE(b_list.empty());
  for (const auto& id : ids) EXPECT_EQ(b.GetDeviceStatus(id), 404);
  EXPECT_EQ(b.RemoveDevice(ids[0]), 404);

  // Killing one agent makes exactly that device offline after --offline-after.
  agents[0]->KillHard();
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return a.DeviceStatus(ids[0]) == "offline"; },
                         kOfflineAfter + 2 * kInterval));
  EXPECT_GE(std::chrono::steady_clock::now() - killed, kOfflineAfter - milliseconds(100));
  EXPECT_EQ(a.DeviceStatus(ids[1]), "online");
  EXPECT_EQ(a.DeviceStatus(ids[2]), "online");

  // Removing a device makes its agent's next heartbeat fail with 401, and the agent says so.
  ASSERT_EQ(a.RemoveDevice(ids[1]), 204);
  auto rc = agents[1]->WaitExit(3 * kInterval);
  ASSERT_TRUE(rc.has_value()) << agents[1]->log();
  EXPECT_EQ(*rc, 3);
  EXPECT_NE(agents[1]->log().find("401 device_removed"), std::string::npos) << agents[1]->log();
  EXPECT_EQ(a.Devices().size(), 2u);
  EXPECT_EQ(a.GetDeviceStatus(ids[1]), 404);

  // The agent's local status records the revocation.
  CommandResult st = RunHearth({"status", "--json", "--state-dir", dir_.path() + "/dev1"},
                               seconds(10), dir_.path() + "/status.out");
  EXPECT_EQ(st.exit_code, 0) << st.output;
  auto sj = nlohmann::json::parse(st.output, nullptr, false);
  ASSERT_FALSE(sj.is_discarded()) << st.output;
  EXPECT_EQ(sj["device_id"], ids[1]);
  EXPECT_EQ(sj["agent"]["revoked"], true);
}

TEST_F(EnrollmentTest, ReusedExpiredAndUnknownKeysAreRefusedAndCreateNothing) {
  ApiUser a(coord_->url(), "owner-keys@example.com", "password-of-a-123");
  ASSERT_TRUE(a.SignUpAndIn());
  const std::string key = a.CreateKey();
  ASSERT_FALSE(Join("first", "rtx4090", key).empty()) << last_join_output_;
  ASSERT_EQ(a.Devices().size(), 1u);

  int rc = 0;
  EXPECT_TRUE(Join("reuse", "cpu-only", key, &rc).empty());
  EXPECT_EQ(rc, 3);
  EXPECT_NE(last_join_output_.find("install_key_used"), std::string::npos) << last_join_output_;

  const std::string short_key = a.CreateKey(1);
  ASSERT_FALSE(short_key.empty());
  std::this_thread::sleep_for(milliseconds(1100));  // the key's real 1 s lifetime must pass
  EXPECT_TRUE(Join("expired", "cpu-only", short_key, &rc).empty());
  EXPECT_EQ(rc, 3);
  EXPECT_NE(last_join_output_.find("install_key_expired"), std::string::npos) << last_join_output_;

  EXPECT_TRUE(Join("unknown", "cpu-only", "able-able-able-able-able", &rc).empty());
  EXPECT_EQ(rc, 3) << last_join_output_;

  EXPECT_TRUE(Join("typo", "cpu-only", "not-a-real-key", &rc).empty());
  EXPECT_NE(rc, 0);

  EXPECT_EQ(a.Devices().size(), 1u);
  // A refused join leaves no enrollment behind, so the same directory can join later.
  CommandResult st = RunHearth({"status", "--state-dir", dir_.path() + "/reuse"}, seconds(10),
                               dir_.path() + "/status.out");
  EXPECT_EQ(st.exit_code, 1) << st.output;
}

TEST_F(EnrollmentTest, CoordinatorCrashLosesNothingAndAgentsCarryOn) {
  ApiUser a(coord_->url(), "owner-crash@example.com", "password-of-a-123");
  ASSERT_TRUE(a.SignUpAndIn());
  std::vector<std::string> ids;
  std::vector<std::unique_ptr<AgentProcess>> agents;
  for (int i = 0; i < 2; ++i) {
    const std::string id = Join("c" + std::to_string(i), i ? "cpu-only" : "rtx4090", a.CreateKey());
    ASSERT_FALSE(id.empty()) << last_join_output_;
    ids.push_back(id);
    agents.push_back(StartAgent("c" + std::to_string(i)));
  }
  ASSERT_TRUE(Eventually(
      [&] { return a.DeviceStatus(ids[0]) == "online" && a.DeviceStatus(ids[1]) == "online"; },
      3 * kInterval));

  const int port = coord_->port();
  coord_->KillHard();
  std::this_thread::sleep_for(milliseconds(1500));  // agents see failures and back off
  coord_ = std::make_unique<CoordinatorProcess>(
      dir_.path() + "/coord",
      std::vector<std::string>{"--heartbeat-interval", "1s", "--offline-after", "3s"}, port);
  ASSERT_TRUE(coord_->Start()) << coord_->log();

  // The session, the account and both devices survived; agents reconnect by themselves.
  nlohmann::json list = a.Devices();
  ASSERT_TRUE(list.is_array()) << "session lost after restart";
  EXPECT_EQ(list.size(), 2u);
  ApiUser again(coord_->url(), "owner-crash@example.com", "password-of-a-123");
  EXPECT_TRUE(again.SignUpAndIn());
  // Both agents heartbeat again after the restart (last_seen newer than the restart).
  const std::string restarted = FormatRfc3339(SystemClock::Instance().Now());
  ASSERT_TRUE(Eventually(
      [&] {
        auto l = a.Devices();
        if (!l.is_array() || l.size() != 2) return false;
        for (const auto& d : l) {
          if (d["status"] != "online" || d["last_seen"].get<std::string>() <= restarted) {
            return false;
          }
        }
        return true;
      },
      seconds(8)))
      << a.Devices().dump(2);
  for (auto& ag : agents) EXPECT_FALSE(ag->WaitExit(milliseconds(0)).has_value());
}

TEST_F(EnrollmentTest, LeaveDeregistersAndStatusReportsEnrollment) {
  ApiUser a(coord_->url(), "owner-leave@example.com", "password-of-a-123");
  ASSERT_TRUE(a.SignUpAndIn());
  const std::string id = Join("leaver", "cpu-only", a.CreateKey());
  ASSERT_FALSE(id.empty()) << last_join_output_;
  const std::string state = dir_.path() + "/leaver";

  int rc = 0;
  EXPECT_TRUE(Join("leaver", "cpu-only", a.CreateKey(), &rc).empty());
  EXPECT_EQ(rc, 2) << "joining an enrolled state dir must be refused: " << last_join_output_;

  CommandResult st =
      RunHearth({"status", "--state-dir", state}, seconds(10), dir_.path() + "/status.out");
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_NE(st.output.find(id), std::string::npos) << st.output;

  CommandResult leave =
      RunHearth({"leave", "--state-dir", state}, seconds(10), dir_.path() + "/leave.out");
  EXPECT_EQ(leave.exit_code, 0) << leave.output;
  EXPECT_TRUE(a.Devices().empty());
  st = RunHearth({"status", "--state-dir", state}, seconds(10), dir_.path() + "/status.out");
  EXPECT_EQ(st.exit_code, 1) << st.output;
}

TEST_F(EnrollmentTest, UnreachableCoordinatorAndFailedPreflightAreClearErrors) {
  ApiUser a(coord_->url(), "owner-errors@example.com", "password-of-a-123");
  ASSERT_TRUE(a.SignUpAndIn());
  const std::string key = a.CreateKey();

  // Preflight: the old-kernel fixture fails, nothing is enrolled, the key stays usable.
  int rc = 0;
  EXPECT_TRUE(Join("old", "old-kernel", key, &rc).empty());
  EXPECT_EQ(rc, 5) << last_join_output_;
  EXPECT_NE(last_join_output_.find("FAIL"), std::string::npos) << last_join_output_;
  EXPECT_TRUE(a.Devices().empty());

  // Unreachable: a port nobody listens on (the stopped coordinator's).
  const std::string url = coord_->url();
  EXPECT_EQ(coord_->Stop(), 0) << "SIGTERM must stop the coordinator cleanly";
  CommandResult r =
      JoinWithFixture(url, dir_.path() + "/unreach", "cpu-only", key, dir_.path() + "/unreach.log");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("cannot reach the coordinator"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace hearth::testing

namespace hearth::testing {
namespace {

TEST_F(EnrollmentTest, SignInGuessingIsRateLimitedPerAddress) {
  ApiUser a(coord_->url(), "owner-rl@example.com", "password-of-a-123");
  ASSERT_TRUE(a.SignUpAndIn());  // 2 attempts of the burst of 10
  auto c = http::Client::Create(coord_->url()).value();
  const nlohmann::json wrong = {{"email", "owner-rl@example.com"}, {"password", "guess-guess"}};
  int unauthorized = 0, limited = 0;
  std::string retry_after;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 12; ++i) {
    auto r = c->PostJson("/v1/sessions", wrong);
    ASSERT_TRUE(r.ok());
    if (r->status == 401) ++unauthorized;
    if (r->status == 429) {
      ++limited;
      retry_after = r->Header("retry-after");
      EXPECT_EQ(r->Json()["error"]["code"], "rate_limited");
    }
  }
  // 8 tokens are left of the burst; the bucket refills one every 2 s (30/min), so a slow machine
  // (each Argon2id check takes a while) sees one more 401 per 2 s the loop took, and no more.
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
  const int refills = static_cast<int>(took / 2000) + 1;
  EXPECT_GE(unauthorized, 8);
  EXPECT_LE(unauthorized, 8 + refills) << "took " << took << " ms";
  EXPECT_GE(limited, 1) << "took " << took << " ms";
  EXPECT_EQ(unauthorized + limited, 12);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GT(std::stoi(retry_after), 0);
  // An existing session keeps working: only the guessing endpoint is limited.
  EXPECT_TRUE(a.Devices().is_array());
}

TEST_F(EnrollmentTest, ACopiedCredentialWithoutTheIdentityKeyIsRefused) {
  ApiUser a(coord_->url(), "owner-copy@example.com", "password-of-a-123");
  ASSERT_TRUE(a.SignUpAndIn());
  const std::string id = Join("victim", "cpu-only", a.CreateKey());
  ASSERT_FALSE(id.empty()) << last_join_output_;
  // What an attacker who copied state.json (but not identity.key) can send.
  std::ifstream in(dir_.path() + "/victim/state.json");
  const nlohmann::json state = nlohmann::json::parse(in);
  auto c = http::Client::Create(coord_->url()).value();
  c->SetBearer(state["credential"].get<std::string>());
  auto r = c->PostJson("/v1/devices/" + id + "/heartbeat",
                       {{"agent_version", "x"}, {"uptime_seconds", 1}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->Json()["error"]["code"], "invalid_device_signature");
  r = c->Delete("/v1/devices/" + id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(a.Devices().size(), 1u);
  // The real agent, with its key, is accepted.
  auto agent = StartAgent("victim");
  EXPECT_TRUE(Eventually(
      [&] {
        auto l = a.Devices();
        return l.is_array() && l.size() == 1 && !l[0]["heartbeat"].empty();
      },
      3 * kInterval));
}

}  // namespace
}  // namespace hearth::testing
