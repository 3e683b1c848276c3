#include "agent/network.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "agent/agent.h"
#include "agent/wireguard/fake.h"
#include "api/device_auth.h"
#include "http/router.h"
#include "http/server.h"

namespace hearth::agent {
namespace {

using wireguard::FakeHostNetwork;
using wireguard::FakeWireGuard;

Ipv4Prefix P(const std::string& s) { return *Ipv4Prefix::Parse(s, "test", true); }

class NetworkAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hearth-net-XXXXXX").string();
    root_ = mkdtemp(tmpl.data());
    dir_ = std::make_unique<StateDir>(root_);
    ASSERT_TRUE(dir_->LoadOrCreateWgKey().ok());
    gateway_ = WgPrivateKey::Generate().Public().ToString();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A NetworkAgent over fakes that outlive it (so a "restart" sees the same host).
  std::unique_ptr<NetworkAgent> MakeAgent() {
    auto wg = std::make_unique<FakeWireGuard>("hearth0", &host_);
    wg_ = wg.get();
    if (device_) wg->device = device_;
    struct HostView final : wireguard::HostNetwork {
      explicit HostView(FakeHostNetwork* host) : h(host) {}
      StatusOr<wireguard::ObservedLink> ObserveLink(const std::string& i) override {
        return h->ObserveLink(i);
      }
      Status SetMtu(const std::string& i, int m) override { return h->SetMtu(i, m); }
      Status SetUp(const std::string& i) override { return h->SetUp(i); }
      Status AddAddress(const std::string& i, const Ipv4Prefix& a) override {
        return h->AddAddress(i, a);
      }
      Status DeleteAddress(const std::string& i, const Ipv4Prefix& a) override {
        return h->DeleteAddress(i, a);
      }
      Status AddRoute(const std::string& i, const Ipv4Prefix& d) override {
        return h->AddRoute(i, d);
      }
      Status DeleteRoute(const std::string& i, const Ipv4Prefix& d) override {
        return h->DeleteRoute(i, d);
      }
      StatusOr<bool> Forwarding() override { return h->Forwarding(); }
      Status SetForwarding(bool on) override { return h->SetForwarding(on); }
      Status DeleteLink(const std::string& i) override { return h->DeleteLink(i); }
      FakeHostNetwork* h;
    };
    return std::make_unique<NetworkAgent>(*dir_, std::move(wg), std::make_unique<HostView>(&host_),
                                          clock_);
  }

  api::NetworkConfig Config(int64_t version) {
    api::NetworkConfig c;
    c.version = version;
    c.role = "worker";
    c.region = "eu-1";
    c.address = P("100.64.1.5/32");
    api::PeerConfig p;
    p.public_key = gateway_;
    p.endpoint = "192.0.2.1:51820";
    p.allowed_ips = {P("10.42.0.0/16"), P("100.64.0.0/16")};
    p.persistent_keepalive_seconds = 25;
    c.peers = {p};
    return c;
  }

  std::string root_;
  std::unique_ptr<StateDir> dir_;
  FakeHostNetwork host_;
  FakeWireGuard* wg_ = nullptr;
  std::optional<wireguard::ObservedDevice> device_;
  FakeClock clock_;
  std::string gateway_;
};

TEST_F(NetworkAgentTest, AppliesPersistsAndRestoresAfterRestart) {
  auto net = MakeAgent();
  ASSERT_TRUE(net->Start().ok());  // nothing saved yet
  EXPECT_EQ(net->applied_version(), 0);
  auto ops = net->Apply(Config(3));
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  EXPECT_FALSE(ops->empty());
  EXPECT_EQ(net->applied_version(), 3);
  struct stat st {};
  ASSERT_EQ(stat(dir_->File("network.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto repairs = net->Repair();
  ASSERT_TRUE(repairs.ok());
  EXPECT_TRUE(repairs->empty());

  // The agent restarts after wireguard-go died with it: the saved config comes back.
  wg_->Crash();
  net.reset();
  auto again = MakeAgent();
  ASSERT_TRUE(again->Start().ok());
  EXPECT_EQ(again->applied_version(), 3);
  ASSERT_TRUE(wg_->device.has_value());
  EXPECT_EQ(wg_->device->peers.size(), 1u);
  EXPECT_EQ(host_.links["hearth0"].mtu, 1280);
}

TEST_F(NetworkAgentTest, FailedApplyKeepsThePreviousVersion) {
  auto net = MakeAgent();
  ASSERT_TRUE(net->Apply(Config(1)).ok());
  auto bad = Config(2);
  bad.private_key = "missing.key";
  auto r = net->Apply(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(net->applied_version(), 1);

  wg_->fail_configure = Status::Internal("errno=22");
  auto changed = Config(3);
  changed.peers[0].allowed_ips = {P("100.64.0.0/16")};
  EXPECT_FALSE(net->Apply(changed).ok());
  EXPECT_EQ(net->applied_version(), 1);
  wg_->fail_configure = Status::Ok();
  EXPECT_TRUE(net->Apply(changed).ok());
  EXPECT_EQ(net->applied_version(), 3);
}

TEST_F(NetworkAgentTest, LiveStatusReportsHandshakeAgeAndCounters) {
  auto net = MakeAgent();
  ASSERT_TRUE(net->Apply(Config(4)).ok());
  auto s = net->LiveStatus();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->applied_version, 4);
  EXPECT_EQ(s->interface, "hearth0");
  ASSERT_EQ(s->peers.size(), 1u);
  EXPECT_FALSE(s->peers[0].last_handshake_seconds_ago.has_value());  // never
  wg_->device->peers[0].last_handshake_unix_seconds = ToUnixMillis(clock_.Now()) / 1000 - 7;
  wg_->device->peers[0].rx_bytes = 100;
  s = net->LiveStatus();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->peers[0].last_handshake_seconds_ago, 7);
  EXPECT_EQ(s->peers[0].rx_bytes, 100);
  EXPECT_EQ(s->peers[0].endpoint, "192.0.2.1:51820");
}

TEST_F(NetworkAgentTest, ADifferentInterfaceNameIsRefused) {
  {
    auto net = MakeAgent();
    ASSERT_TRUE(net->Apply(Config(1)).ok());
  }
  std::string text;
  {
    std::ifstream in(dir_->File("network.json"));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  const auto at = text.find("\"hearth0\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 9, "\"hearth9\"");
  ASSERT_TRUE(WritePrivateFile(dir_->File("network.json"), text).ok());
  auto net = MakeAgent();
  Status st = net->Start();
  EXPECT_EQ(st.reason(), "interface_changed");
  EXPECT_NE(st.message().find("--interface hearth9"), std::string::npos);
}

TEST_F(NetworkAgentTest, RemoveNetworkWithoutNetworkIsANoOp) {
  std::ostringstream out;
  EXPECT_TRUE(RemoveNetwork(*dir_, NetworkOptions{}, out).ok());
  EXPECT_EQ(out.str(), "");
}

TEST_F(NetworkAgentTest, CorruptNetworkJsonIsAClearError) {
  ASSERT_TRUE(WritePrivateFile(dir_->File("network.json"), "{nope").ok());
  auto net = MakeAgent();
  EXPECT_EQ(net->Start().reason(), "corrupt_state");
}

// The agent against a small coordinator: long-polls the config, applies it, acknowledges it,
// and reports it in heartbeats.
TEST_F(NetworkAgentTest, AgentLongPollsAppliesAcknowledgesAndReports) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int64_t> acks;
  std::vector<nlohmann::json> heartbeats;
  std::vector<std::string> poll_targets;
  bool stop = false;
  const api::NetworkConfig config = Config(5);

  http::Router router;
  router.Add("GET", "/v1/devices/{id}/config", [&](const http::Request& req) {
    const int64_t since = std::stoll(req.query.count("since") ? req.query.at("since") : "0");
    {
      std::lock_guard<std::mutex> lock(mu);
      poll_targets.push_back(req.params.at("id") + "?since=" + std::to_string(since) +
                             "&wait=" + (req.query.count("wait") ? req.query.at("wait") : ""));
    }
    if (req.Header("x-hearth-signature").empty()) {
      return http::Response::Error(Status::Unauthenticated("unsigned"));
    }
    if (since < config.version) return http::Response::Json(200, api::EncodeNetworkConfig(config));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a (very) short long-poll
    http::Response r;
    r.status = 304;
    return r;
  });
  router.Add("POST", "/v1/devices/{id}/config/applied", [&](const http::Request& req) {
    auto a = api::DecodeAppliedReport(req.body);
    std::lock_guard<std::mutex> lock(mu);
    if (a.ok()) acks.push_back(a->version);
    cv.notify_all();
    return http::Response::NoContent();
  });
  router.Add("POST", "/v1/devices/{id}/heartbeat", [&](const http::Request& req) {
    std::lock_guard<std::mutex> lock(mu);
    heartbeats.push_back(nlohmann::json::parse(req.body, nullptr, false));
    cv.notify_all();
    return http::Response::Json(200, {{"heartbeat_interval_seconds", 1}});
  });
  http::ServerOptions so;
  so.listen = "127.0.0.1:0";
  http::Server server(so, router, nullptr);
  ASSERT_TRUE(server.Start().ok());
  std::thread io([&] { server.Run(); });

  DeviceState s;
  s.coordinator = "http://" + server.BoundAddress();
  s.device_id = "dev_net";
  s.credential = Secret<std::string>("hdc_x");
  s.name = "box";
  s.heartbeat_interval_seconds = 1;
  ASSERT_TRUE(dir_->SaveDevice(s).ok());
  ASSERT_TRUE(dir_->LoadOrCreateIdentityKey().ok());

  AgentOptions o;
  o.state_dir = root_;
  o.config_wait_seconds = 1;
  o.make_network = [&](const StateDir&) -> StatusOr<std::unique_ptr<NetworkAgent>> {
    return MakeAgent();
  };
  o.wait = [&](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, d, [&] { return stop; });
  };
  SeededRandom random(1);
  std::ostringstream err;
  int code = -1;
  std::thread agent([&] { code = RunAgent(o, random, err); });

  {
    std::unique_lock<std::mutex> lock(mu);
    const bool seen = cv.wait_for(lock, std::chrono::seconds(20), [&] {
      if (acks.empty()) return false;
      for (const auto& hb : heartbeats) {
        if (hb.is_object() && hb.contains("network") &&
            hb["network"].value("applied_version", 0) == 5) {
          return true;
        }
      }
      return false;
    });
    EXPECT_TRUE(seen) << "acks " << acks.size() << ", heartbeats " << heartbeats.size();
    stop = true;
    cv.notify_all();
  }
  agent.join();
  server.Shutdown(std::chrono::seconds(2));
  io.join();
  EXPECT_EQ(code, kExitOk) << err.str();
  EXPECT_EQ(acks, std::vector<int64_t>{5});
  ASSERT_FALSE(poll_targets.empty());
  EXPECT_EQ(poll_targets.front(), "dev_net?since=0&wait=1");
  EXPECT_NE(std::find(poll_targets.begin(), poll_targets.end(), "dev_net?since=5&wait=1"),
            poll_targets.end());
  // The agent owned (and destroyed) the fake WireGuard; the host side shows what it built.
  ASSERT_EQ(host_.links.count("hearth0"), 1u);
  EXPECT_EQ(host_.links["hearth0"].routes.size(), 2u);
  auto status = dir_->LoadStatus();
  ASSERT_TRUE(status.ok() && status->has_value());
  EXPECT_EQ((**status).network.value("interface", ""), "hearth0");
}

// The k3s side of the agent loop: a config carrying "kubernetes" is rendered under --k3s-root
// after the overlay applied it, the service is started (through a stand-in for systemctl and nft,
// which would act on the real host), and status.json reports the node; a later config without
// it stops the service and removes the files.
TEST_F(NetworkAgentTest, AgentRunsTheK3sAgentTheConfigAsksForAndRemovesIt) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int64_t> acks;
  std::vector<std::string> commands;
  int heartbeats_after_v6 = 0;
  bool stop = false;
  api::NetworkConfig with = Config(5);
  with.pod_cidr = P("10.42.7.0/24");
  with.routes = {P("10.42.0.0/16"), P("100.64.0.0/16")};
  with.kubernetes = api::KubeJoin{"https://100.64.0.2:6443",
                                  "K10" + std::string(64, 'e') + "::abcdef.0123456789abcdef",
                                  "hearth-net-1",
                                  "100.64.1.5",
                                  "10.42.7.0/24",
                                  {{"hearth.dev/region", "eu-1"}},
                                  {}};
  api::NetworkConfig without = with;
  without.version = 6;
  without.kubernetes.reset();
  const api::NetworkConfig* serving = &with;

  http::Router router;
  router.Add("GET", "/v1/devices/{id}/config", [&](const http::Request& req) {
    const int64_t since = std::stoll(req.query.count("since") ? req.query.at("since") : "0");
    const api::NetworkConfig* c;
    {
      std::lock_guard<std::mutex> lock(mu);
      c = serving;
    }
    if (since < c->version) return http::Response::Json(200, api::EncodeNetworkConfig(*c));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    http::Response r;
    r.status = 304;
    return r;
  });
  router.Add("POST", "/v1/devices/{id}/config/applied", [&](const http::Request& req) {
    auto a = api::DecodeAppliedReport(req.body);
    std::lock_guard<std::mutex> lock(mu);
    if (a.ok()) acks.push_back(a->version);
    cv.notify_all();
    return http::Response::NoContent();
  });
  router.Add("POST", "/v1/devices/{id}/heartbeat", [&](const http::Request&) {
    std::lock_guard<std::mutex> lock(mu);
    if (std::find(acks.begin(), acks.end(), 6) != acks.end()) ++heartbeats_after_v6;
    cv.notify_all();
    return http::Response::Json(200, {{"heartbeat_interval_seconds", 1}});
  });
  http::ServerOptions so;
  so.listen = "127.0.0.1:0";
  http::Server server(so, router, nullptr);
  ASSERT_TRUE(server.Start().ok());
  std::thread io([&] { server.Run(); });

  DeviceState s;
  s.coordinator = "http://" + server.BoundAddress();
  s.device_id = "dev_k3s";
  s.credential = Secret<std::string>("hdc_x");
  s.name = "box";
  s.heartbeat_interval_seconds = 1;
  ASSERT_TRUE(dir_->SaveDevice(s).ok());
  ASSERT_TRUE(dir_->LoadOrCreateIdentityKey().ok());
  const std::string host = root_ + "/host";
  std::filesystem::create_directories(host + "/opt/cni/bin");
  std::filesystem::create_directories(host + "/usr/local/bin");
  for (const std::string exe :
       {"/usr/local/bin/k3s", "/opt/cni/bin/bridge", "/opt/cni/bin/host-local",
        "/opt/cni/bin/loopback", "/opt/cni/bin/portmap"}) {
    std::ofstream(host + exe) << "#!/bin/sh\n";
    chmod((host + exe).c_str(), 0755);
  }

  AgentOptions o;
  o.state_dir = root_;
  o.config_wait_seconds = 1;
  o.make_network = [&](const StateDir&) -> StatusOr<std::unique_ptr<NetworkAgent>> {
    return MakeAgent();
  };
  o.k3s.mode = k3s::Mode::kOn;
  o.k3s.root = host;
  o.k3s.systemd = true;
  bool active = false, table = false;
  o.k3s.run = [&](const std::vector<std::string>& argv) -> StatusOr<RunResult> {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    if (argv[1] == "is-active") return RunResult{active ? 0 : 3, ""};
    if (argv[1] == "is-enabled") return RunResult{active ? 0 : 1, ""};
    if (argv[1] == "list") return RunResult{table ? 0 : 1, ""};
    std::lock_guard<std::mutex> lock(mu);
    commands.push_back(line);
    if (argv[1] == "start") active = true;
    if (argv[1] == "disable") active = false;
    if (argv[1] == "-f") table = true;
    if (argv[1] == "delete") table = false;
    return RunResult{0, ""};
  };
  o.wait = [&](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, d, [&] { return stop; });
  };
  SeededRandom random(1);
  std::ostringstream err;
  int code = -1;
  std::thread agent([&] { code = RunAgent(o, random, err); });

  bool started = false, removed = false;
  {
    std::unique_lock<std::mutex> lock(mu);
    started = cv.wait_for(lock, std::chrono::seconds(20), [&] {
      return std::find(commands.begin(), commands.end(), "systemctl start k3s-agent.service") !=
             commands.end();
    });
  }
  const std::string config_yaml = host + "/etc/rancher/k3s/config.yaml";
  EXPECT_TRUE(started) << "commands: " << commands.size();
  std::ifstream in(config_yaml);
  std::stringstream yaml;
  yaml << in.rdbuf();
  EXPECT_NE(yaml.str().find("node-ip: \"100.64.1.5\""), std::string::npos) << yaml.str();
  {
    std::unique_lock<std::mutex> lock(mu);
    serving = &without;  // the device left the cluster (drained, banned, no cluster any more)
    removed = cv.wait_for(lock, std::chrono::seconds(20), [&] { return heartbeats_after_v6 >= 2; });
    stop = true;
    cv.notify_all();
  }
  agent.join();
  server.Shutdown(std::chrono::seconds(2));
  io.join();
  EXPECT_TRUE(removed);
  EXPECT_EQ(code, kExitOk) << err.str();
  EXPECT_NE(
      std::find(commands.begin(), commands.end(), "systemctl disable --now k3s-agent.service"),
      commands.end());
  EXPECT_FALSE(std::filesystem::exists(config_yaml));
  auto status = dir_->LoadStatus();
  ASSERT_TRUE(status.ok() && status->has_value());
  EXPECT_EQ((**status).k3s.value("state", ""), "absent") << (**status).k3s.dump();
}

}  // namespace
}  // namespace hearth::agent
