// `hearth k3s render` as a user runs it: the real binary on the fixture device config, against a
// temporary --k3s-root, printing the files and the plan and changing nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"

namespace hearth::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::ifstream in(e.path());
    std::ostringstream ss;
    ss << in.rdbuf();
    out[e.path().string()] = e.is_regular_file() ? ss.str() : "<dir>";
  }
  return out;
}

class K3sRenderTest : public ::testing::Test {
 protected:
  std::string Config() const {
    return SourceDir() + "/tests/fixtures/k3s/gpu-worker/device-config.json";
  }
  TempDir dir_;
};

TEST_F(K3sRenderTest, PrintsTheFilesAndThePlanAndChangesNothing) {
  const std::string root = dir_.path() + "/root";
  fs::create_directories(root + "/etc");
  const auto before = Snapshot(root);
  CommandResult r = RunHearth({"k3s", "render", "--config", Config(), "--k3s-root", root},
                              seconds(20), dir_.path() + "/render.out");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* want :
       {"==> /etc/rancher/k3s/config.yaml (0600) <==", "node-ip: \"100.64.3.17\"",
        "==> /etc/cni/net.d/10-hearth.conflist (0644) <==", "\"subnet\": \"10.64.17.0/24\"",
        "==> /etc/systemd/system/k3s-agent.service (0644) <==",
        "write /etc/rancher/k3s/config.yaml (0600, new)", "<redacted: the join token",
        "blocked: k3s is not installed at /usr/local/bin/k3s", "Nothing was changed"}) {
    EXPECT_NE(r.output.find(want), std::string::npos) << want << "\n" << r.output;
  }
  EXPECT_EQ(r.output.find("0p9r7w3mzt6c1b4e"), std::string::npos) << "token printed";
  EXPECT_EQ(r.output.find("systemctl"), std::string::npos) << "no systemd under another root";
  EXPECT_EQ(Snapshot(root), before);
}

TEST_F(K3sRenderTest, AnInvalidConfigIsRefusedNamingTheField) {
  std::ifstream in(Config());
  nlohmann::json j = nlohmann::json::parse(in);
  j["kubernetes"]["node_ip"] = "192.168.1.5";
  const std::string bad = dir_.path() + "/bad.json";
  std::ofstream(bad) << j.dump();
  CommandResult r = RunHearth({"k3s", "render", "--config", bad, "--k3s-root", dir_.path()},
                              seconds(20), dir_.path() + "/bad.out");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("kubernetes.node_ip"), std::string::npos) << r.output;
  j.erase("kubernetes");
  j["kubernetes"] = {{"server", "https://100.64.0.2:6443"}};
  std::ofstream(bad) << j.dump();
  r = RunHearth({"k3s", "render", "--config", bad, "--k3s-root", dir_.path()}, seconds(20),
                dir_.path() + "/bad.out");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("kubernetes.token"), std::string::npos) << r.output;
}

TEST_F(K3sRenderTest, HelpTeachesAndUsageErrorsExit2) {
  CommandResult r = RunHearth({"k3s", "render", "--help"}, seconds(20), dir_.path() + "/h.out");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* want : {"--config", "--k3s-root", "flannel-backend: none", "Exit codes"}) {
    EXPECT_NE(r.output.find(want), std::string::npos) << want << "\n" << r.output;
  }
  r = RunHearth({"k3s", "render", "extra"}, seconds(20), dir_.path() + "/u.out");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = RunHearth({"k3s", "apply"}, seconds(20), dir_.path() + "/u.out");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = RunHearth({"agent", "--k3s", "maybe", "--state-dir", dir_.path()}, seconds(20),
                dir_.path() + "/u.out");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--k3s"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace hearth::testing
