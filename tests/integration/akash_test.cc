// The Akash integration end to end with real processes: a coordinator with enrolled fixture
// devices, `hearth sdl check` over the sample SDL files, the bid-script input each check
// derives piped into `hearth bid-script`, the coordinator killed (cached snapshot), and
// `hearth admin region attributes`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/subprocess.h"
#include "harness.h"

namespace hearth::testing {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `hearth ARGS < stdin_file`, stdout and stderr kept apart.
CliRun Hearth(const TempDir& dir, const std::string& args,
              const std::string& stdin_file = "/dev/null") {
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  auto pid = Spawn({{"/bin/sh", "-c",
                     "exec '" + Binary() + "' " + args + " <'" + stdin_file + "' >'" + out +
                         "' 2>'" + err + "'"},
                    {},
                    ""});
  CliRun r;
  if (!pid.ok()) return r;
  auto rc = WaitFor(*pid, std::chrono::seconds(30));
  if (!rc) Kill(*pid);
  r.exit_code = rc.value_or(-1);
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

class AkashIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.path() + "/akash.yaml";
    WriteConfig("http://127.0.0.1:1");
    coord_ = std::make_unique<CoordinatorProcess>(
        dir_.path() + "/coord",
        std::vector<std::string>{"--akash-config", config_, "--offline-after", "1h",
                                 "--stale-after", "1h", "--admin-email", "admin@example.com",
                                 "--admin-password", "admin-password-1"});
    ASSERT_TRUE(coord_->Start()) << coord_->log();
    WriteConfig(coord_->url());
    ApiUser owner(coord_->url(), "owner@example.com", "owner-password-1");
    ASSERT_TRUE(owner.SignUpAndIn());
    for (const char* host : {"rtx4090", "cpu-only"}) {
      const auto r = JoinWithFixture(coord_->url(), dir_.path() + "/dev-" + host, host,
                                     owner.CreateKey(), dir_.path() + "/join.log");
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }

  void WriteConfig(const std::string& url) {
    std::ofstream(config_) << "provider: {organization: Hearth IT, email: ops@example.com}\n"
                           << "coordinator: {url: \"" << url
                           << "\", token: it-bid-token, timeout: 500ms}\n"
                           << "cache: {path: \"" << dir_.path() << "/fleet.json\"}\n"
                           << "regions:\n  default:\n    location_region: eu-west\n"
                           << "    country: NL\n    city: Amsterdam\n    prices:\n"
                           << "      uact: {cpu_per_core: 100, memory_per_gib: 50, endpoint: 10,\n"
                           << "             storage_per_gib: {ephemeral: 2},"
                           << " gpu_per_unit: {\"*\": 2000}}\n";
  }

  // sdl check → its first bid input → bid-script.
  std::pair<nlohmann::json, CliRun> CheckAndBid(const std::string& file) {
    const std::string path = SourceDir() + "/tests/fixtures/akash/sdl/" + file;
    CliRun check = Hearth(dir_, "sdl check --json --akash-config '" + config_ + "' '" + path + "'");
    EXPECT_EQ(check.exit_code, 0) << file << ": " << check.err;
    auto report = nlohmann::json::parse(check.out, nullptr, false);
    if (!report.is_object() || report["bid_inputs"].empty()) return {report, {}};
    const std::string input = dir_.path() + "/order.json";
    std::ofstream(input) << report["bid_inputs"][0].dump();
    return {report, Hearth(dir_, "bid-script --akash-config '" + config_ + "'", input)};
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<CoordinatorProcess> coord_;
};

TEST_F(AkashIntegrationTest, SampleSdlFilesThroughCheckAndBidScript) {
  const std::map<std::string, std::string> expected = {
      {"Sentinel-dVPN-node_deploy.yml", "ip_lease"},
      {"nginx-letsencrypt-proxy_deploy.yml", "ip_lease"},
      {"postgres_deploy.yaml", "persistent_storage"},
      {"minecraft_deploy.yaml", "persistent_storage"},
      {"DeepSeek-R1-Distill-Qwen-7B_deploy.yaml", "persistent_storage"},
      {"ollama-gpu_deploy.yaml", ""},  // an RTX 4090 is online
      {"web_deploy.yaml", ""},
  };
  for (const auto& [file, code] : expected) {
    auto [report, bid] = CheckAndBid(file);
    ASSERT_TRUE(report.is_object()) << file;
    EXPECT_EQ(report["runnable"].get<bool>(), code.empty()) << file << ": " << report.dump();
    if (code.empty()) {
      EXPECT_EQ(bid.exit_code, 0) << file << ": " << bid.err;
      EXPECT_GT(std::stod(bid.out), 0) << bid.out;
    } else {
      EXPECT_EQ(bid.exit_code, 1) << file;
      EXPECT_NE(bid.err.find(code), std::string::npos) << file << ": " << bid.err;
      EXPECT_NE(report.dump().find(code), std::string::npos) << file;
    }
  }
  // Invalid SDL: exit 2 with the line.
  std::ofstream(dir_.path() + "/bad.yaml") << "version: \"2.0\"\nservices:\n  web: [\n";
  CliRun bad =
      Hearth(dir_, "sdl check --akash-config '" + config_ + "' '" + dir_.path() + "/bad.yaml'");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("line"), std::string::npos) << bad.err;
}

TEST_F(AkashIntegrationTest, BidScriptFallsBackToTheCacheWhenTheCoordinatorIsDown) {
  const std::string order = SourceDir() + "/tests/fixtures/akash/orders/gpu-rtx4090.json";
  CliRun up = Hearth(dir_, "bid-script --akash-config '" + config_ + "'", order);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_TRUE(up.err.empty()) << up.err;
  coord_->KillHard();
  CliRun down = Hearth(dir_, "bid-script --akash-config '" + config_ + "'", order);
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(down.out, up.out);
  EXPECT_NE(down.err.find("cached fleet snapshot"), std::string::npos) << down.err;
  // Garbage on stdin: a decline with a reason, not a crash.
  std::ofstream(dir_.path() + "/junk") << "{\"resources\": [{\"cpu\": 1e999";
  CliRun junk = Hearth(dir_, "bid-script --akash-config '" + config_ + "'", dir_.path() + "/junk");
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.err.find("not bidding"), std::string::npos) << junk.err;
  EXPECT_TRUE(junk.out.empty());
}

TEST_F(AkashIntegrationTest, AdminRegionAttributes) {
  http::Client* c = nullptr;
  auto client = http::Client::Create(coord_->url());
  ASSERT_TRUE(client.ok());
  c = client->get();
  auto s = c->PostJson("/v1/sessions",
                       {{"email", "admin@example.com"}, {"password", "admin-password-1"}});
  ASSERT_TRUE(s.ok() && s->status == 201);
  const std::string token = s->Json()["token"];
  CliRun yaml = Hearth(dir_, "admin region attributes --coordinator " + coord_->url() +
                                 " --token " + token + " default");
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("value: \"home\""), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("capabilities/gpu/vendor/nvidia/model/4090"), std::string::npos)
      << yaml.out;
  EXPECT_NE(yaml.out.find("\"NL\""), std::string::npos) << yaml.out;
  CliRun json = Hearth(dir_, "admin region attributes --format json --coordinator " +
                                 coord_->url() + " --token " + token + " default");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(nlohmann::json::parse(json.out).is_array());
  CliRun anon = Hearth(dir_, "admin region attributes --coordinator " + coord_->url() + " default");
  EXPECT_EQ(anon.exit_code, 1);
}

}  // namespace
}  // namespace hearth::testing
