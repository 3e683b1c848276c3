#include "agent/k3s/k3s.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/json_reader.h"

namespace hearth::agent::k3s {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

api::NetworkConfig GpuWorker() {
  const char* src = std::getenv("HEARTH_SOURCE_DIR");
  const std::string dir = std::string(src ? src : HEARTH_SOURCE_DIR) + "/tests/fixtures/k3s";
  auto j = api::ParseObject(ReadFile(dir + "/gpu-worker/device-config.json"));
  auto c = api::DecodeNetworkConfig(*j);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

// Stands in for systemctl and nft (which would act on the real host): keeps the service's and
// the nft table's state and records every command, so tests see exactly what would run.
struct FakeSystemctlAndNft {
  bool active = false, enabled = false, table = false, nft_installed = true;
  std::vector<std::string> commands;  // mutating ones only
  int calls = 0;                      // every command, queries included
  StatusOr<RunResult> operator()(const std::vector<std::string>& argv) {
    ++calls;
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    RunResult ok{0, ""}, no{1, ""};
    if (argv[0] == "nft") {
      if (!nft_installed) return Status::NotFound("nft: not found");
      if (argv[1] == "list") return table ? ok : no;
      commands.push_back(line);
      table = argv[1] == "-f";
      return ok;
    }
    if (argv[1] == "is-active") return active ? ok : no;
    if (argv[1] == "is-enabled") return enabled ? ok : no;
    commands.push_back(line);
    if (argv[1] == "enable") enabled = true;
    if (argv[1] == "start" || argv[1] == "restart") active = true;
    if (argv[1] == "disable") enabled = active = false;
    return ok;
  }
};

class K3sAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "hearth-k3s-XXXXXX").string();
    root_ = mkdtemp(tmpl.data());
    InstallExecutable("/usr/local/bin/k3s");
    for (const auto& p : RequiredCniPlugins()) InstallExecutable("/opt/cni/bin/" + p);
  }
  void TearDown() override { fs::remove_all(root_); }

  void InstallExecutable(const std::string& path) {
    fs::create_directories(fs::path(root_ + path).parent_path());
    std::ofstream(root_ + path) << "#!/bin/sh\n";
    chmod((root_ + path).c_str(), 0755);
  }
  K3sOptions Options(Mode mode = Mode::kOn, bool systemd = true) {
    K3sOptions o;
    o.mode = mode;
    o.root = root_;
    o.systemd = systemd;
    o.run = [this](const std::vector<std::string>& argv) { return host_(argv); };
    return o;
  }
  std::string At(const std::string& path) const { return root_ + path; }
  // Every regular file under the root, with its content (to prove a run changed nothing).
  std::map<std::string, std::string> Snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out[e.path().string()] = ReadFile(e.path().string());
    }
    return out;
  }

  std::string root_;
  FakeSystemctlAndNft host_;
};

TEST_F(K3sAgentTest, FirstApplyWritesTheFilesAndStartsTheService) {
  K3sAgent k3s(Options());
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(host_.commands,
            (std::vector<std::string>{
                "nft -f /etc/hearth/pod-egress.nft", "systemctl daemon-reload",
                "systemctl enable k3s-agent.service", "systemctl start k3s-agent.service"}));
  EXPECT_TRUE(host_.active && host_.enabled && host_.table);
  const std::string token = ReadFile(At("/etc/rancher/k3s/hearth-token"));
  EXPECT_EQ(token, GpuWorker().kubernetes->token + "\n");
  struct stat st {};
  ASSERT_EQ(stat(At("/etc/rancher/k3s/hearth-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(At("/etc/cni/net.d/10-hearth.conflist").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_NE(ReadFile(At("/etc/rancher/k3s/config.yaml")).find("node-ip: \"100.64.3.17\""),
            std::string::npos);
  EXPECT_EQ(k3s.StatusJson()["state"], "running");
  EXPECT_EQ(k3s.StatusJson()["node_name"], "hearth-7f3a9c-1");
  // The plan never shows the token.
  for (const auto& op : plan->ops) {
    EXPECT_EQ(op.ToString().find(token.substr(0, 20)), std::string::npos) << op.ToString();
  }
}

TEST_F(K3sAgentTest, ApplyingTheSameConfigAgainChangesNothing) {
  K3sAgent k3s(Options());
  ASSERT_TRUE(k3s.Apply(GpuWorker()).ok());
  host_.commands.clear();
  const auto before = Snapshot();
  auto again = k3s.Apply(GpuWorker());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->empty()) << FormatPlan(*again);
  EXPECT_TRUE(host_.commands.empty());
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(K3sAgentTest, AChangedTaintRewritesTheConfigAndRestarts) {
  K3sAgent k3s(Options());
  ASSERT_TRUE(k3s.Apply(GpuWorker()).ok());
  host_.commands.clear();
  api::NetworkConfig c = GpuWorker();
  c.version++;
  c.kubernetes->taints.push_back("hearth.dev/maintenance=true:NoExecute");
  auto plan = k3s.Apply(c);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->ops.size(), 2u) << FormatPlan(*plan);
  EXPECT_EQ(plan->ops[0].ToString(), "write /etc/rancher/k3s/config.yaml (0600, changed)");
  EXPECT_EQ(host_.commands, (std::vector<std::string>{"systemctl restart k3s-agent.service"}));
  EXPECT_NE(ReadFile(At("/etc/rancher/k3s/config.yaml")).find("hearth.dev/maintenance"),
            std::string::npos);
}

TEST_F(K3sAgentTest, RepairPutsBackAHandEditAndAStoppedService) {
  K3sAgent k3s(Options());
  ASSERT_TRUE(k3s.Apply(GpuWorker()).ok());
  const std::string good = ReadFile(At("/etc/rancher/k3s/config.yaml"));
  std::ofstream(At("/etc/rancher/k3s/config.yaml")) << good << "node-label:\n  - \"x=y\"\n";
  host_.commands.clear();
  auto repaired = k3s.Repair();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(ReadFile(At("/etc/rancher/k3s/config.yaml")), good);
  EXPECT_EQ(host_.commands, (std::vector<std::string>{"systemctl restart k3s-agent.service"}));

  host_.active = false;  // `systemctl stop k3s-agent` by hand
  host_.table = false;   // a reboot flushed nftables
  host_.commands.clear();
  ASSERT_TRUE(k3s.Repair().ok());
  EXPECT_EQ(host_.commands, (std::vector<std::string>{"nft -f /etc/hearth/pod-egress.nft",
                                                      "systemctl start k3s-agent.service"}));
}

TEST_F(K3sAgentTest, NoKubernetesStopsTheServiceAndRemovesEveryFileItWrote) {
  K3sAgent k3s(Options());
  const auto before = Snapshot();
  ASSERT_TRUE(k3s.Apply(GpuWorker()).ok());
  host_.commands.clear();
  api::NetworkConfig c = GpuWorker();
  c.kubernetes.reset();
  auto plan = k3s.Apply(c);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(host_.commands, (std::vector<std::string>{"systemctl disable --now k3s-agent.service",
                                                      "nft delete table ip hearth_k3s",
                                                      "systemctl daemon-reload"}));
  EXPECT_EQ(Snapshot(), before);  // only the pre-installed k3s and CNI plugins remain
  EXPECT_EQ(k3s.StatusJson()["state"], "absent");
  host_.commands.clear();
  ASSERT_TRUE(k3s.Apply(c).ok());
  EXPECT_TRUE(host_.commands.empty());
}

TEST_F(K3sAgentTest, WithoutAClusterAndNothingInstalledNoCommandRuns) {
  K3sAgent k3s(Options());
  api::NetworkConfig c = GpuWorker();
  c.kubernetes.reset();
  for (int heartbeat = 0; heartbeat < 3; ++heartbeat) {
    auto plan = heartbeat == 0 ? k3s.Apply(c) : k3s.Repair();
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_TRUE(plan->empty());
  }
  EXPECT_EQ(host_.calls, 0);
  EXPECT_EQ(k3s.StatusJson()["state"], "absent");
}

TEST_F(K3sAgentTest, AFileHearthDidNotWriteIsNeverOverwrittenOrRemoved) {
  fs::create_directories(At("/etc/rancher/k3s"));
  std::ofstream(At("/etc/rancher/k3s/config.yaml")) << "server: https://mine:6443\n";
  const auto before = Snapshot();
  K3sAgent k3s(Options());
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().reason(), "foreign_file");
  EXPECT_NE(plan.status().message().find("/etc/rancher/k3s/config.yaml"), std::string::npos);
  EXPECT_EQ(Snapshot(), before);
  EXPECT_TRUE(host_.commands.empty());
  EXPECT_EQ(k3s.StatusJson()["state"], "blocked");

  api::NetworkConfig none = GpuWorker();
  none.kubernetes.reset();
  ASSERT_TRUE(k3s.Apply(none).ok());
  EXPECT_EQ(Snapshot(), before) << "removal leaves a foreign config alone";
}

TEST_F(K3sAgentTest, MissingK3sOrCniPluginsBlockTheStartUntilInstalled) {
  fs::remove(At("/usr/local/bin/k3s"));
  fs::remove(At("/opt/cni/bin/portmap"));
  K3sAgent k3s(Options());
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().reason(), "k3s_blocked");
  EXPECT_NE(plan.status().message().find("/usr/local/bin/k3s"), std::string::npos);
  EXPECT_NE(plan.status().message().find("portmap"), std::string::npos);
  EXPECT_TRUE(fs::exists(At("/etc/rancher/k3s/config.yaml"))) << "files are written anyway";
  EXPECT_FALSE(host_.active);
  EXPECT_EQ(k3s.StatusJson()["state"], "blocked");

  InstallExecutable("/usr/local/bin/k3s");
  InstallExecutable("/opt/cni/bin/portmap");
  host_.commands.clear();
  ASSERT_TRUE(k3s.Repair().ok());  // the next heartbeat
  EXPECT_EQ(host_.commands, (std::vector<std::string>{"systemctl enable k3s-agent.service",
                                                      "systemctl start k3s-agent.service"}));
  EXPECT_EQ(k3s.StatusJson()["state"], "running");
}

TEST_F(K3sAgentTest, WithoutNftTheServiceIsNotStarted) {
  host_.nft_installed = false;
  K3sAgent k3s(Options());
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("nftables"), std::string::npos);
  EXPECT_FALSE(host_.active);
}

TEST_F(K3sAgentTest, WithoutSystemdOnlyFilesAreWrittenAndThePlanSaysHowToStart) {
  K3sAgent k3s(Options(Mode::kOn, /*systemd=*/false));
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(host_.commands, (std::vector<std::string>{"nft -f /etc/hearth/pod-egress.nft"}));
  ASSERT_EQ(plan->notes.size(), 1u);
  EXPECT_NE(plan->notes[0].find("k3s agent --config /etc/rancher/k3s/config.yaml"),
            std::string::npos);
  EXPECT_EQ(k3s.StatusJson()["state"], "configured");
}

TEST_F(K3sAgentTest, SystemdIsNotUsedUnderAnotherRoot) {
  K3sOptions o = Options();
  o.systemd.reset();  // detect: root is not "/", so no systemctl even if systemd runs the host
  K3sAgent k3s(o);
  EXPECT_FALSE(k3s.Observe().systemd);
}

TEST_F(K3sAgentTest, DryRunPlansEverythingAndChangesNothing) {
  const auto before = Snapshot();
  K3sAgent k3s(Options(Mode::kDryRun));
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->ops.size(), 9u) << FormatPlan(*plan);  // 5 writes, nft, reload, enable, start
  EXPECT_EQ(Snapshot(), before);
  EXPECT_TRUE(host_.commands.empty());
  EXPECT_EQ(k3s.StatusJson()["state"], "dry-run");
  EXPECT_EQ(k3s.StatusJson()["pending"], 9);
}

TEST_F(K3sAgentTest, OffTouchesNothing) {
  K3sAgent k3s(Options(Mode::kOff));
  const auto before = Snapshot();
  auto plan = k3s.Apply(GpuWorker());
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->empty());
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(k3s.StatusJson()["state"], "off");
}

TEST_F(K3sAgentTest, AnInvalidConfigKeepsThePreviousOneRunning) {
  K3sAgent k3s(Options());
  ASSERT_TRUE(k3s.Apply(GpuWorker()).ok());
  const auto before = Snapshot();
  host_.commands.clear();
  api::NetworkConfig bad = GpuWorker();
  bad.version = 13;
  bad.kubernetes->node_ip = "100.64.3.99";
  auto plan = k3s.Apply(bad);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().field(), "kubernetes.node_ip");
  EXPECT_EQ(Snapshot(), before);
  EXPECT_TRUE(host_.commands.empty());
  ASSERT_TRUE(k3s.Repair().ok());  // repairs toward the last good config
  const nlohmann::json st = k3s.StatusJson();
  EXPECT_EQ(st["state"], "running");
  EXPECT_NE(st.value("rejected", "").find("config version 13"), std::string::npos) << st.dump();
}

TEST_F(K3sAgentTest, ResolvedHostsGetTheUpstreamResolvConf) {
  fs::create_directories(At("/run/systemd/resolve"));
  std::ofstream(At("/run/systemd/resolve/resolv.conf")) << "nameserver 192.168.1.1\n";
  K3sAgent k3s(Options());
  auto desired = k3s.Desired(GpuWorker());
  ASSERT_TRUE(desired.ok() && desired->has_value());
  EXPECT_NE(
      (*desired)->files[0].content.find("resolv-conf: \"/run/systemd/resolve/resolv.conf\"\n"),
      std::string::npos);
}

TEST_F(K3sAgentTest, RemoveK3sUndoesAnInstallAndIsANoOpOtherwise) {
  {
    K3sAgent k3s(Options());
    ASSERT_TRUE(k3s.Apply(GpuWorker()).ok());
  }
  std::ostringstream out;
  ASSERT_TRUE(RemoveK3s(Options(), out).ok());
  EXPECT_NE(out.str().find("k3s: run systemctl disable --now k3s-agent.service"), std::string::npos)
      << out.str();
  EXPECT_FALSE(fs::exists(At("/etc/rancher/k3s/config.yaml")));
  EXPECT_FALSE(fs::exists(At("/etc/rancher/k3s/hearth-token")));
  EXPECT_FALSE(host_.active || host_.enabled || host_.table);
  std::ostringstream again;
  ASSERT_TRUE(RemoveK3s(Options(), again).ok());
  EXPECT_EQ(again.str(), "");
}

TEST(K3sModeTest, ParsesTheThreeModesAndNamesTheFlag) {
  EXPECT_EQ(*ParseMode("on", "--k3s"), Mode::kOn);
  EXPECT_EQ(*ParseMode("off", "--k3s"), Mode::kOff);
  EXPECT_EQ(*ParseMode("dry-run", "--k3s"), Mode::kDryRun);
  auto bad = ParseMode("yes", "--k3s");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "--k3s");
}

}  // namespace
}  // namespace hearth::agent::k3s
