#include "agent/k3s/render.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "api/json_reader.h"

namespace hearth::agent::k3s {
namespace {

std::string SourceDir() {
  if (const char* s = std::getenv("HEARTH_SOURCE_DIR")) return s;
  return HEARTH_SOURCE_DIR;
}

std::string FixtureDir(const std::string& name) {
  return SourceDir() + "/tests/fixtures/k3s/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

api::NetworkConfig LoadConfig(const std::string& name) {
  auto j = api::ParseObject(ReadFile(FixtureDir(name) + "/device-config.json"));
  EXPECT_TRUE(j.ok()) << name;
  auto c = api::DecodeNetworkConfig(*j);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

// Compares every rendered file with tests/fixtures/k3s/NAME/<basename>. HEARTH_UPDATE_GOLDEN=1
// rewrites the golden files instead (then review the diff).
void ExpectGolden(const std::string& name, const RenderOptions& options) {
  auto r = Render(LoadConfig(name), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->files.size(), 5u);
  const bool update = std::getenv("HEARTH_UPDATE_GOLDEN") != nullptr;
  for (const File& f : r->files) {
    const std::string golden =
        FixtureDir(name) + "/" + std::filesystem::path(f.path).filename().string();
    if (update) {
      std::ofstream(golden, std::ios::binary) << f.content;
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " missing; HEARTH_UPDATE_GOLDEN=1";
    EXPECT_EQ(f.content, ReadFile(golden)) << "differs from " << golden;
  }
}

TEST(K3sRenderTest, GpuWorkerMatchesGoldenFiles) {
  RenderOptions o;
  o.resolv_conf = "/run/systemd/resolve/resolv.conf";
  ExpectGolden("gpu-worker", o);
}

TEST(K3sRenderTest, SmallWorkerMatchesGoldenFiles) { ExpectGolden("small-worker", {}); }

TEST(K3sRenderTest, FilesReferToEachOtherByTheirHostPaths) {
  RenderOptions o;
  o.paths.config = "/srv/k3s/config.yaml";
  o.paths.token = "/srv/k3s/token";
  o.paths.k3s_binary = "/opt/k3s/bin/k3s";
  auto r = Render(LoadConfig("small-worker"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->files[0].path, "/srv/k3s/config.yaml");
  EXPECT_NE(r->files[0].content.find("token-file: \"/srv/k3s/token\"\n"), std::string::npos);
  EXPECT_NE(r->files[4].content.find("ExecStart=/opt/k3s/bin/k3s agent --config "
                                     "/srv/k3s/config.yaml\n"),
            std::string::npos);
}

TEST(K3sRenderTest, TheTokenIsOnlyInTheSecretTokenFile) {
  const api::NetworkConfig c = LoadConfig("gpu-worker");
  auto r = Render(c, {});
  ASSERT_TRUE(r.ok());
  for (const File& f : r->files) {
    const bool has = f.content.find(c.kubernetes->token) != std::string::npos;
    EXPECT_EQ(has, f.secret) << f.path;
    if (f.secret) {
      EXPECT_EQ(f.mode, 0600u);
    }
  }
  EXPECT_EQ(r->files[0].mode, 0600u) << "config.yaml names the token file";
}

TEST(K3sRenderTest, EveryFileButTheTokenCarriesTheMarker) {
  auto r = Render(LoadConfig("gpu-worker"), {});
  ASSERT_TRUE(r.ok());
  for (const File& f : r->files) {
    EXPECT_EQ(f.content.find(kMarker) != std::string::npos, !f.secret) << f.path;
  }
}

TEST(K3sRenderTest, MaxPodsFollowsThePodCidr) {
  const auto p = [](const char* s) { return *Ipv4Prefix::Parse(s, "t"); };
  EXPECT_EQ(MaxPods(p("10.42.0.0/16")), 110);
  EXPECT_EQ(MaxPods(p("10.42.0.0/24")), 110);
  EXPECT_EQ(MaxPods(p("10.42.0.0/25")), 110);
  EXPECT_EQ(MaxPods(p("10.42.0.0/26")), 61);
  EXPECT_EQ(MaxPods(p("10.42.0.0/28")), 13);
}

TEST(K3sRenderTest, EgressSetHasNoOverlappingPrefixes) {
  api::NetworkConfig c = LoadConfig("small-worker");
  // 10.42.0.192/26 (the pod CIDR) and 10.42.7.0/24 sit inside 10.42.0.0/16; nft would refuse them.
  c.routes.push_back(*Ipv4Prefix::Parse("10.42.7.0/24", "t"));
  auto r = Render(c, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(
      r->files[3].content.find("ip saddr 10.42.0.192/26 ip daddr != { 10.42.0.0/16, 10.43.0.0/16, "
                               "100.64.0.0/16 } masquerade\n"),
      std::string::npos)
      << r->files[3].content;
}

TEST(K3sRenderTest, KubeletLabelsAreAcceptedOthersUnderKubernetesIoRefused) {
  api::NetworkConfig c = LoadConfig("small-worker");
  for (const char* ok : {"topology.kubernetes.io/zone", "node.kubernetes.io/instance-type",
                         "kubelet.kubernetes.io/x", "x.node.kubernetes.io/y", "kubernetes.io/arch",
                         "example.com/kubernetes.io", "plain"}) {
    c.kubernetes->labels = {{ok, "v"}};
    EXPECT_TRUE(Validate(c).ok()) << ok << ": " << Validate(c).ToString();
  }
  for (const char* bad : {"node-role.kubernetes.io/worker", "kubernetes.io/role", "k8s.io/x",
                          "foo.k8s.io/y", "beta.kubernetes.io/other"}) {
    c.kubernetes->labels = {{bad, "v"}};
    Status st = Validate(c);
    EXPECT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.field(), std::string("kubernetes.labels[\"") + bad + "\"]");
    EXPECT_NE(st.message().find("NodeRestriction"), std::string::npos) << st.message();
  }
}

TEST(K3sRenderTest, BadFieldsAreRefusedByName) {
  struct Case {
    const char* field;
    std::function<void(api::NetworkConfig&)> mutate;
  };
  const std::vector<Case> cases = {
      {"kubernetes.server",
       [](api::NetworkConfig& c) { c.kubernetes->server = "http://100.64.0.2:6443"; }},
      {"kubernetes.server",
       [](api::NetworkConfig& c) { c.kubernetes->server = "https://100.64.0.2:6443/v1"; }},
      {"kubernetes.server", [](api::NetworkConfig& c) { c.kubernetes->server = "https://host"; }},
      {"kubernetes.token", [](api::NetworkConfig& c) { c.kubernetes->token = "secret"; }},
      {"kubernetes.token", [](api::NetworkConfig& c) { c.kubernetes->token[5] = 'z'; }},  // not hex
      {"kubernetes.token",
       [](api::NetworkConfig& c) { c.kubernetes->token.back() = 'X'; }},  // uppercase secret
      {"kubernetes.token", [](api::NetworkConfig& c) { c.kubernetes->token += "0"; }},
      {"kubernetes.node_name",
       [](api::NetworkConfig& c) { c.kubernetes->node_name = "Hearth-Node"; }},
      {"kubernetes.node_name", [](api::NetworkConfig& c) { c.kubernetes->node_name = "-a"; }},
      {"kubernetes.node_ip", [](api::NetworkConfig& c) { c.kubernetes->node_ip = "100.64.0"; }},
      {"kubernetes.node_ip", [](api::NetworkConfig& c) { c.kubernetes->node_ip = "192.168.1.20"; }},
      {"kubernetes.pod_cidr",
       [](api::NetworkConfig& c) { c.kubernetes->pod_cidr = "10.42.0.193/26"; }},
      {"kubernetes.pod_cidr",
       [](api::NetworkConfig& c) {
         c.kubernetes->pod_cidr = "10.42.0.192/30";
         c.pod_cidr.reset();
       }},
      {"kubernetes.pod_cidr",
       [](api::NetworkConfig& c) { c.kubernetes->pod_cidr = "10.42.1.0/24"; }},
      {"kubernetes.labels[\"bad key!\"]",
       [](api::NetworkConfig& c) { c.kubernetes->labels["bad key!"] = "v"; }},
      {"kubernetes.labels[\"a\"]",
       [](api::NetworkConfig& c) { c.kubernetes->labels["a"] = std::string(64, 'x'); }},
      {"kubernetes.labels[\"a\"]", [](api::NetworkConfig& c) { c.kubernetes->labels["a"] = "-x"; }},
      {"kubernetes.taints[0]",
       [](api::NetworkConfig& c) { c.kubernetes->taints = {"edge=true:NoRun"}; }},
      {"kubernetes.taints[0]", [](api::NetworkConfig& c) { c.kubernetes->taints = {"edge=true"}; }},
      {"kubernetes.taints[0]",
       [](api::NetworkConfig& c) { c.kubernetes->taints = {"=true:NoSchedule"}; }},
      {"kubernetes.taints[1]",
       [](api::NetworkConfig& c) {
         c.kubernetes->taints = {"a=1:NoSchedule", "a=2:NoSchedule"};
       }},
  };
  for (const auto& tc : cases) {
    api::NetworkConfig c = LoadConfig("small-worker");
    tc.mutate(c);
    auto r = Render(c, {});
    ASSERT_FALSE(r.ok()) << tc.field;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().field(), tc.field) << r.status().ToString();
    EXPECT_FALSE(r.status().message().empty());
  }
}

TEST(K3sRenderTest, NoKubernetesIsAPreconditionNotAnError) {
  api::NetworkConfig c = LoadConfig("small-worker");
  c.kubernetes.reset();
  auto r = Render(c, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "no_kubernetes");
}

TEST(K3sRenderTest, TaintsWithoutValueAndDifferentEffectsAreValid) {
  api::NetworkConfig c = LoadConfig("small-worker");
  c.kubernetes->taints = {"hearth.dev/edge:NoSchedule", "hearth.dev/edge:NoExecute",
                          "x=:PreferNoSchedule"};
  EXPECT_TRUE(Validate(c).ok()) << Validate(c).ToString();
}

}  // namespace
}  // namespace hearth::agent::k3s
