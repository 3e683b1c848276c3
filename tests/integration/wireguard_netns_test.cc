// The agent's network code path against the real thing: wireguard-go and iproute2 inside
// network namespaces this test creates (unique names, removed on every path). Needs root and
// /dev/net/tun; skipped otherwise. Each NetworkAgent call runs on a thread that entered its
// namespace, so the processes it starts (ip, wg, wireguard-go) and the sockets it opens live
// there; the test process itself stays in its own namespace.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "agent/network.h"
#include "agent/wireguard/userspace.h"
#include "common/subprocess.h"

namespace hearth::agent {
namespace {

Ipv4Prefix P(const std::string& s) { return *Ipv4Prefix::Parse(s, "test", true); }

std::string SkipReason() {
  if (geteuid() != 0) return "needs root (network namespaces, wireguard-go)";
  if (access("/dev/net/tun", R_OK | W_OK) != 0) return "needs /dev/net/tun";
  auto wg = Run({"sh", "-c", "command -v wireguard-go && command -v wg && command -v ip"});
  if (!wg.ok() || wg->exit_code != 0) return "needs wireguard-go, wg and ip in PATH";
  return "";
}

// A network namespace named uniquely for this process; deleted at destruction.
class Netns {
 public:
  explicit Netns(const std::string& tag)
      : name_("hth-wgtest-" + std::to_string(getpid()) + "-" + tag) {
    auto r = Run({"ip", "netns", "add", name_});
    ok_ = r.ok() && r->exit_code == 0;
    if (ok_) (void)In([] { (void)Run({"ip", "link", "set", "lo", "up"}); });
  }
  ~Netns() {
    if (ok_) (void)Run({"ip", "netns", "del", name_});
  }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  // Runs `fn` on a thread inside the namespace.
  bool In(const std::function<void()>& fn) const {
    bool entered = false;
    std::thread t([&] {
      const int fd = open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return;
      entered = setns(fd, CLONE_NEWNET) == 0;
      close(fd);
      if (entered) fn();
    });
    t.join();
    return entered;
  }
  // Runs a command in the namespace.
  RunResult Exec(const std::vector<std::string>& argv) const {
    std::vector<std::string> full = {"ip", "netns", "exec", name_};
    full.insert(full.end(), argv.begin(), argv.end());
    auto r = Run(full);
    return r.ok() ? *r : RunResult{-1, r.status().ToString()};
  }

 private:
  std::string name_;
  bool ok_ = false;
};

class TempState {
 public:
  TempState() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hearth-wgns-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempState() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One agent's network in one namespace; stopped (wireguard-go too) at destruction.
struct Node {
  Node(const Netns& netns, const std::string& ifname) : ns(netns), dir(state.path()) {
    key = *dir.LoadOrCreateWgKey();
    NetworkOptions o;
    o.interface_name = ifname;
    ns.In([&] {
      auto made = NetworkAgent::Create(dir, o, SystemClock::Instance());
      if (made.ok()) net = std::move(*made);
    });
  }
  ~Node() {
    if (net) {
      ns.In([&] {
        net->Shutdown();
        std::ostringstream out;
        (void)RemoveNetwork(dir, NetworkOptions{}, out);
      });
    }
  }
  StatusOr<std::vector<wireguard::Op>> Apply(const api::NetworkConfig& c) {
    StatusOr<std::vector<wireguard::Op>> r = Status::Internal("not run");
    ns.In([&] { r = net->Apply(c); });
    return r;
  }
  StatusOr<std::vector<wireguard::Op>> Repair() {
    StatusOr<std::vector<wireguard::Op>> r = Status::Internal("not run");
    ns.In([&] { r = net->Repair(); });
    return r;
  }
  std::string PublicKey() const { return key->Public().ToString(); }

  const Netns& ns;
  TempState state;
  StateDir dir;
  std::optional<WgPrivateKey> key;
  std::unique_ptr<NetworkAgent> net;
};

// `wg show IF dump` equals the desired config: key, port, and every peer's allowed IPs,
// endpoint and keepalive; no other peers.
void ExpectWgShowMatches(const Netns& ns, const std::string& ifname, const Node& node,
                         const api::NetworkConfig& c) {
  const RunResult dump = ns.Exec({"wg", "show", ifname, "dump"});
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  auto d = wireguard::ParseWgDump(dump.output);
  ASSERT_TRUE(d.ok()) << d.status().ToString() << "\n" << dump.output;
  EXPECT_EQ(d->public_key, node.PublicKey());
  if (c.listen_port != 0) {
    EXPECT_EQ(d->listen_port, c.listen_port);
  }
  ASSERT_EQ(d->peers.size(), c.peers.size()) << dump.output;
  for (size_t i = 0; i < c.peers.size(); ++i) {
    EXPECT_EQ(d->peers[i].public_key, c.peers[i].public_key);
    EXPECT_EQ(d->peers[i].allowed_ips, c.peers[i].allowed_ips);
    if (c.peers[i].endpoint) {
      EXPECT_EQ(d->peers[i].endpoint, *c.peers[i].endpoint);
    }
    EXPECT_EQ(d->peers[i].persistent_keepalive_seconds, c.peers[i].persistent_keepalive_seconds);
  }
  const RunResult link = ns.Exec({"ip", "-j", "link", "show", "dev", ifname});
  const RunResult addr = ns.Exec({"ip", "-j", "-4", "addr", "show", "dev", ifname});
  const RunResult route = ns.Exec({"ip", "-j", "-4", "route", "show", "dev", ifname});
  auto l = wireguard::ParseIpLinkJson(link.output, addr.output, route.output);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->up);
  EXPECT_EQ(l->mtu, c.mtu);
  EXPECT_EQ(l->addresses, std::vector<Ipv4Prefix>{c.address});
}

std::string Ifname(const std::string& tag) {
  return "hw" + std::to_string(getpid() % 100000) + tag;  // unique per host, <= 15 chars
}

TEST(WireGuardNetnsTest, AppliesRepairsDriftAndRemovesEverything) {
  if (const std::string why = SkipReason(); !why.empty()) GTEST_SKIP() << why;
  Netns ns("a");
  ASSERT_TRUE(ns.ok());
  const std::string ifname = Ifname("a");
  Node node(ns, ifname);
  ASSERT_NE(node.net, nullptr);
  EXPECT_EQ(node.net->backend(), "userspace");  // this kernel has no WireGuard module

  api::NetworkConfig c;
  c.version = 1;
  c.role = "gateway";
  c.region = "test";
  c.address = P("100.64.0.1/32");
  c.listen_port = 51820;
  for (int i = 0; i < 3; ++i) {
    api::PeerConfig p;
    p.public_key = WgPrivateKey::Generate().Public().ToString();
    p.allowed_ips = {P("100.64.1." + std::to_string(i + 1) + "/32"),
                     P("10.42." + std::to_string(i + 1) + ".0/24")};
    std::sort(p.allowed_ips.begin(), p.allowed_ips.end());  // as the decoder leaves them
    if (i == 0) {
      p.endpoint = "192.0.2.9:51820";
      p.persistent_keepalive_seconds = 25;
    }
    c.peers.push_back(p);
  }
  std::sort(c.peers.begin(), c.peers.end(),
            [](const auto& a, const auto& b) { return a.public_key < b.public_key; });
  c.routes = {P("100.64.2.0/24")};

  auto ops = node.Apply(c);
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  ExpectWgShowMatches(ns, ifname, node, c);
  auto again = node.Repair();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty()) << again->front().ToString();

  // A peer removed by hand comes back.
  ASSERT_EQ(ns.Exec({"wg", "set", ifname, "peer", c.peers[1].public_key, "remove"}).exit_code, 0);
  auto repaired = node.Repair();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  ASSERT_EQ(repaired->size(), 1u);
  EXPECT_EQ((*repaired)[0].kind, wireguard::OpKind::kSetPeer);
  ExpectWgShowMatches(ns, ifname, node, c);

  // A route deleted and the MTU changed by hand are put back.
  ASSERT_EQ(ns.Exec({"ip", "route", "del", "100.64.2.0/24", "dev", ifname}).exit_code, 0);
  ASSERT_EQ(ns.Exec({"ip", "link", "set", "dev", ifname, "mtu", "1400"}).exit_code, 0);
  repaired = node.Repair();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->size(), 2u);
  ExpectWgShowMatches(ns, ifname, node, c);

  // wireguard-go killed: started again and fully configured.
  int wg_pid = 0;
  {
    std::ifstream in(node.dir.File("network.json"));
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    wg_pid = j.value("wireguard_go_pid", 0);
  }
  ASSERT_GT(wg_pid, 0);
  ASSERT_TRUE(wireguard::IsWireGuardGoFor(wg_pid, ifname));
  kill(wg_pid, SIGKILL);
  repaired = node.Repair();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->front().kind, wireguard::OpKind::kCreateInterface);
  ExpectWgShowMatches(ns, ifname, node, c);

  // `hearth leave`'s clean-up: no interface, no process.
  std::ostringstream out;
  Status removed = Status::Internal("not run");
  node.net->Shutdown();
  ns.In([&] { removed = RemoveNetwork(node.dir, NetworkOptions{}, out); });
  ASSERT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_NE(ns.Exec({"ip", "link", "show", "dev", ifname}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(node.dir.File("network.json")));
  EXPECT_FALSE(std::filesystem::exists("/var/run/wireguard/" + ifname + ".sock"));
}

// Two namespaces joined by a veth pair, a gateway and a worker whose configs point at each
// other; a UDP datagram crosses the tunnel.
TEST(WireGuardNetnsTest, GatewayAndWorkerTalkThroughTheTunnel) {
  if (const std::string why = SkipReason(); !why.empty()) GTEST_SKIP() << why;
  Netns gw_ns("g"), wk_ns("w");
  ASSERT_TRUE(gw_ns.ok() && wk_ns.ok());
  const std::string veth_g = "vg" + std::to_string(getpid() % 100000);
  const std::string veth_w = "vw" + std::to_string(getpid() % 100000);
  ASSERT_EQ(gw_ns
                .Exec({"ip", "link", "add", veth_g, "type", "veth", "peer", "name", veth_w, "netns",
                       wk_ns.name()})
                .exit_code,
            0);
  ASSERT_EQ(gw_ns.Exec({"ip", "addr", "add", "10.99.0.1/24", "dev", veth_g}).exit_code, 0);
  ASSERT_EQ(gw_ns.Exec({"ip", "link", "set", veth_g, "up"}).exit_code, 0);
  ASSERT_EQ(wk_ns.Exec({"ip", "addr", "add", "10.99.0.2/24", "dev", veth_w}).exit_code, 0);
  ASSERT_EQ(wk_ns.Exec({"ip", "link", "set", veth_w, "up"}).exit_code, 0);

  const std::string gw_if = Ifname("g"), wk_if = Ifname("w");
  Node gw(gw_ns, gw_if), wk(wk_ns, wk_if);
  ASSERT_NE(gw.net, nullptr);
  ASSERT_NE(wk.net, nullptr);

  api::NetworkConfig g;
  g.version = 1;
  g.role = "gateway";
  g.address = P("100.64.0.1/32");
  g.listen_port = 51820;
  api::PeerConfig to_worker;
  to_worker.public_key = wk.PublicKey();
  to_worker.allowed_ips = {P("10.42.1.0/24"), P("100.64.1.1/32")};
  g.peers = {to_worker};
  api::NetworkConfig w;
  w.version = 1;
  w.role = "worker";
  w.address = P("100.64.1.1/32");
  api::PeerConfig to_gateway;
  to_gateway.public_key = gw.PublicKey();
  to_gateway.endpoint = "10.99.0.1:51820";
  to_gateway.allowed_ips = {P("100.64.0.0/16")};
  to_gateway.persistent_keepalive_seconds = api::kWorkerKeepaliveSeconds;
  w.peers = {to_gateway};

  auto ga = gw.Apply(g);
  ASSERT_TRUE(ga.ok()) << ga.status().ToString();
  auto wa = wk.Apply(w);
  ASSERT_TRUE(wa.ok()) << wa.status().ToString();
  ExpectWgShowMatches(gw_ns, gw_if, gw, g);
  ExpectWgShowMatches(wk_ns, wk_if, wk, w);

  // A UDP socket on the worker's overlay address; the gateway sends until one arrives.
  int rx = -1, tx = -1;
  wk_ns.In([&] {
    rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(47000);
    inet_pton(AF_INET, "100.64.1.1", &a.sin_addr);
    if (bind(rx, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      close(rx);
      rx = -1;
    }
  });
  gw_ns.In([&] { tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
  ASSERT_GE(rx, 0);
  ASSERT_GE(tx, 0);
  timeval tv{0, 200000};
  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(47000);
  inet_pton(AF_INET, "100.64.1.1", &to.sin_addr);
  bool received = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!received && std::chrono::steady_clock::now() < deadline) {
    (void)sendto(tx, "hello", 5, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    char buf[16];
    sockaddr_in from{};
    socklen_t len = sizeof(from);
    const ssize_t n = recvfrom(rx, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n == 5 && std::string(buf, 5) == "hello") {
      received = true;
      char src[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &from.sin_addr, src, sizeof(src));
      EXPECT_EQ(std::string(src), "100.64.0.1");  // came through the tunnel
    }
  }
  close(rx);
  close(tx);
  EXPECT_TRUE(received) << "no datagram crossed the tunnel";

  // Both ends see a handshake, and the heartbeat status says so.
  StatusOr<api::NetworkStatus> st = Status::Internal("not run");
  wk_ns.In([&] { st = wk.net->LiveStatus(); });
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->peers.size(), 1u);
  EXPECT_TRUE(st->peers[0].last_handshake_seconds_ago.has_value());
  EXPECT_GT(st->peers[0].rx_bytes, 0);
}

}  // namespace
}  // namespace hearth::agent
