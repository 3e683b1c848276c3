#include "agent/wireguard/reconcile.h"

#include <gtest/gtest.h>

#include "agent/wireguard/fake.h"
#include "agent/wireguard/kernel.h"
#include "agent/wireguard/userspace.h"
#include "common/random.h"

namespace hearth::agent::wireguard {
namespace {

Ipv4Prefix P(const std::string& s) { return *Ipv4Prefix::Parse(s, "test", true); }

std::string Key() { return WgPrivateKey::Generate().Public().ToString(); }

api::PeerConfig Peer(const std::string& key, std::vector<std::string> ips,
                     std::optional<std::string> endpoint = std::nullopt, int keepalive = 0) {
  api::PeerConfig p;
  p.public_key = key;
  p.endpoint = std::move(endpoint);
  for (const auto& s : ips) p.allowed_ips.push_back(P(s));
  std::sort(p.allowed_ips.begin(), p.allowed_ips.end());
  p.persistent_keepalive_seconds = keepalive;
  return p;
}

void SortPeers(api::NetworkConfig& c) {
  std::sort(c.peers.begin(), c.peers.end(),
            [](const auto& a, const auto& b) { return a.public_key < b.public_key; });
}

StatusOr<std::string> NoDns(const std::string& e) {
  if (e.rfind("gw.example", 0) == 0) return std::string("192.0.2.7") + e.substr(e.find(':'));
  return e;
}

class ReconcileTest : public ::testing::Test {
 protected:
  ReconcileTest() : wg_("hearth0", &host_), r_(wg_, host_), key_(WgPrivateKey::Generate()) {}

  api::NetworkConfig Worker(const std::string& gateway_key, const std::string& gateway_endpoint) {
    api::NetworkConfig c;
    c.version = 1;
    c.role = "worker";
    c.region = "eu-1";
    c.address = P("100.64.1.5/32");
    c.pod_cidr = P("10.42.5.0/24");
    c.peers.push_back(Peer(gateway_key, {"100.64.0.0/16", "10.42.0.0/16", "10.43.0.0/16"},
                           gateway_endpoint, api::kWorkerKeepaliveSeconds));
    c.routes = {P("10.42.0.0/16"), P("10.43.0.0/16"), P("100.64.0.0/16")};
    return c;
  }

  std::vector<Op> Apply(const api::NetworkConfig& c) {
    auto d = MakeDesired(c, key_.Public(), NoDns);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    auto ops = r_.Reconcile(*d, key_, "/state/wg.key");
    EXPECT_TRUE(ops.ok()) << ops.status().ToString();
    return ops.ok() ? *ops : std::vector<Op>{};
  }

  // The interface matches `c` exactly.
  void ExpectMatches(const api::NetworkConfig& c) {
    auto d = MakeDesired(c, key_.Public(), NoDns);
    ASSERT_TRUE(d.ok());
    auto o = r_.Observe();
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(Plan(*d, *o).empty());
    ASSERT_TRUE(o->device.has_value());
    ASSERT_EQ(o->device->peers.size(), c.peers.size());
    for (size_t i = 0; i < c.peers.size(); ++i) {
      EXPECT_EQ(o->device->peers[i].public_key, c.peers[i].public_key);
      EXPECT_EQ(o->device->peers[i].allowed_ips, c.peers[i].allowed_ips);
    }
    EXPECT_EQ(o->link.mtu, c.mtu);
    EXPECT_EQ(o->link.addresses, std::vector<Ipv4Prefix>{c.address});
  }

  FakeHostNetwork host_;
  FakeWireGuard wg_;
  Reconciler r_;
  WgPrivateKey key_;
};

TEST_F(ReconcileTest, FirstApplyBuildsEverythingAndReapplyIsANoOp) {
  const std::string gw = Key();
  auto c = Worker(gw, "gw.example:51820");
  auto ops = Apply(c);
  EXPECT_EQ(ops.front().kind, OpKind::kCreateInterface);
  EXPECT_EQ(wg_.starts, 1);
  ExpectMatches(c);
  EXPECT_EQ(wg_.device->public_key, key_.Public().ToString());
  EXPECT_EQ(wg_.device->peers[0].endpoint, "192.0.2.7:51820");
  EXPECT_EQ(wg_.device->peers[0].persistent_keepalive_seconds, 25);
  EXPECT_EQ(host_.links["hearth0"].mtu, 1280);
  EXPECT_TRUE(host_.links["hearth0"].up);
  EXPECT_EQ(host_.links["hearth0"].routes.size(), 3u);
  EXPECT_FALSE(host_.forwarding);

  const int calls = host_.calls, configures = wg_.configures;
  EXPECT_TRUE(Apply(c).empty());
  EXPECT_EQ(host_.calls, calls);
  EXPECT_EQ(wg_.configures, configures);
  EXPECT_EQ(wg_.starts, 1);
}

TEST_F(ReconcileTest, GatewaySwitchRemovesOldPeerAndAddsNewOne) {
  const std::string a = Key(), b = Key();
  Apply(Worker(a, "192.0.2.1:51820"));
  auto c = Worker(b, "192.0.2.2:51820");
  c.version = 2;
  auto ops = Apply(c);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].kind, OpKind::kRemovePeer);
  EXPECT_EQ(ops[0].peer.public_key, a);
  EXPECT_EQ(ops[1].kind, OpKind::kSetPeer);
  EXPECT_EQ(ops[1].peer.public_key, b);
  ExpectMatches(c);
}

TEST_F(ReconcileTest, PeerAddedRemovedAndChanged) {
  const std::string w1 = Key(), w2 = Key(), w3 = Key();
  api::NetworkConfig c;
  c.version = 1;
  c.role = "gateway";
  c.address = P("100.64.0.1/32");
  c.listen_port = 51820;
  c.forwarding = true;
  c.peers = {Peer(w1, {"100.64.1.1/32", "10.42.1.0/24"}), Peer(w2, {"100.64.1.2/32"})};
  SortPeers(c);
  Apply(c);
  ExpectMatches(c);

  c.version = 2;
  c.peers = {Peer(w1, {"100.64.1.1/32", "10.42.7.0/24"}), Peer(w3, {"100.64.1.3/32"})};
  SortPeers(c);
  auto ops = Apply(c);
  int removed = 0, set = 0;
  for (const auto& op : ops) {
    if (op.kind == OpKind::kRemovePeer) ++removed;
    if (op.kind == OpKind::kSetPeer) ++set;
  }
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(set, 2);  // w1 changed, w3 added
  ExpectMatches(c);
  // The routes follow the peers: the old /24 and /32 go, the new ones come.
  const auto& routes = host_.links["hearth0"].routes;
  EXPECT_EQ(routes,
            (std::vector<Ipv4Prefix>{P("10.42.7.0/24"), P("100.64.1.1/32"), P("100.64.1.3/32")}));
}

TEST_F(ReconcileTest, GatewayEnablesForwardingAndRoutesWorkersHomedElsewhere) {
  const std::string sibling = Key(), worker = Key();
  api::NetworkConfig c;
  c.version = 3;
  c.role = "gateway";
  c.address = P("100.64.0.1/32");
  c.listen_port = 51820;
  c.forwarding = true;
  c.peers = {Peer(worker, {"100.64.1.1/32", "10.42.1.0/24"}),
             Peer(sibling, {"100.64.0.2/32", "100.64.1.9/32", "10.42.9.0/24"}, "192.0.2.2:51820")};
  SortPeers(c);
  c.routes = {P("100.64.1.9/32")};
  Apply(c);
  EXPECT_TRUE(host_.forwarding);
  EXPECT_EQ(wg_.device->listen_port, 51820);
  const auto& routes = host_.links["hearth0"].routes;
  for (const char* r :
       {"100.64.1.9/32", "100.64.1.1/32", "10.42.1.0/24", "100.64.0.2/32", "10.42.9.0/24"}) {
    EXPECT_NE(std::find(routes.begin(), routes.end(), P(r)), routes.end()) << r;
  }
  EXPECT_TRUE(Apply(c).empty());
}

TEST_F(ReconcileTest, DriftIsRepaired) {
  const std::string gw = Key();
  auto c = Worker(gw, "192.0.2.1:51820");
  Apply(c);

  wg_.device->peers.clear();  // `wg set hearth0 peer KEY remove`
  auto ops = Apply(c);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].kind, OpKind::kSetPeer);
  ExpectMatches(c);

  wg_.device->peers[0].allowed_ips = {P("100.64.0.0/16")};  // changed by hand
  wg_.device->peers[0].endpoint = "198.51.100.1:1";
  EXPECT_EQ(Apply(c).size(), 1u);
  ExpectMatches(c);

  ObservedPeer stranger;
  stranger.public_key = Key();
  wg_.device->peers.push_back(stranger);  // a peer nobody configured
  host_.links["hearth0"].routes.erase(host_.links["hearth0"].routes.begin());
  host_.links["hearth0"].routes.push_back(P("192.168.0.0/16"));
  host_.links["hearth0"].mtu = 1500;
  host_.links["hearth0"].addresses = {P("100.64.9.9/32")};
  ops = Apply(c);
  EXPECT_GE(ops.size(), 6u);
  ExpectMatches(c);
  EXPECT_EQ(host_.links["hearth0"].routes.size(), 3u);

  wg_.Crash();  // wireguard-go died: the TUN device went with it
  ops = Apply(c);
  EXPECT_EQ(ops.front().kind, OpKind::kCreateInterface);
  EXPECT_EQ(wg_.starts, 2);
  ExpectMatches(c);
  EXPECT_TRUE(Apply(c).empty());
}

TEST_F(ReconcileTest, LearnedEndpointOfAPeerWithoutOneIsLeftAlone) {
  const std::string w = Key();
  api::NetworkConfig c;
  c.version = 1;
  c.role = "gateway";
  c.address = P("100.64.0.1/32");
  c.peers = {Peer(w, {"100.64.1.1/32"})};
  Apply(c);
  wg_.device->peers[0].endpoint = "203.0.113.50:40000";  // the worker roamed behind NAT
  wg_.device->listen_port = 43210;                       // config says 0: any port
  EXPECT_TRUE(Apply(c).empty());
}

TEST_F(ReconcileTest, ForwardingIsNeverTurnedOffAndKeyChangesAreApplied) {
  host_.forwarding = true;
  auto c = Worker(Key(), "192.0.2.1:51820");
  Apply(c);
  EXPECT_TRUE(host_.forwarding);
  wg_.device->public_key = Key();  // someone set another private key
  auto ops = Apply(c);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].kind, OpKind::kSetPrivateKey);
  EXPECT_EQ(wg_.device->public_key, key_.Public().ToString());
}

TEST_F(ReconcileTest, ConfigureFailureIsReported) {
  auto c = Worker(Key(), "192.0.2.1:51820");
  wg_.fail_configure = Status::Internal("wireguard-go refused the configuration (errno=22)");
  auto d = MakeDesired(c, key_.Public(), NoDns);
  ASSERT_TRUE(d.ok());
  auto ops = r_.Reconcile(*d, key_, "/state/wg.key");
  ASSERT_FALSE(ops.ok());
  EXPECT_NE(ops.status().message().find("errno=22"), std::string::npos);
}

TEST(MakeDesiredTest, RoutesCoverPeersAndUnresolvableEndpointsFail) {
  api::NetworkConfig c;
  c.address = P("100.64.1.5/32");
  c.peers = {Peer(Key(), {"100.64.0.0/16", "0.0.0.0/0"}, "nowhere.invalid:51820")};
  auto bad = MakeDesired(c, WgPrivateKey::Generate().Public(), [](const std::string& e) {
    return StatusOr<std::string>(Status::Unavailable("cannot resolve " + e));
  });
  EXPECT_FALSE(bad.ok());
  c.peers[0].endpoint = "192.0.2.1:51820";
  auto d = MakeDesired(c, WgPrivateKey::Generate().Public());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->routes, std::vector<Ipv4Prefix>{P("100.64.0.0/16")});  // never a default route
  EXPECT_EQ(d->peers[0].endpoint, "192.0.2.1:51820");
  EXPECT_FALSE(ResolveEndpoint("192.0.2.1").ok());
  EXPECT_EQ(*ResolveEndpoint("[2001:db8::1]:51820"), "[2001:db8::1]:51820");
}

TEST(PlanTest, MissingInterfacePlansEverything) {
  Desired d;
  d.public_key = Key();
  d.address = P("100.64.1.5/32");
  d.routes = {P("100.64.0.0/16")};
  d.forwarding = true;
  auto ops = Plan(d, Observed{});
  std::vector<OpKind> kinds;
  for (const auto& op : ops) kinds.push_back(op.kind);
  EXPECT_EQ(kinds, (std::vector<OpKind>{OpKind::kCreateInterface, OpKind::kSetPrivateKey,
                                        OpKind::kSetMtu, OpKind::kAddAddress, OpKind::kSetUp,
                                        OpKind::kAddRoute, OpKind::kEnableForwarding}));
  for (const auto& op : ops) EXPECT_FALSE(op.ToString().empty());
}

TEST(WireGuardTest, InterfaceNames) {
  EXPECT_TRUE(ValidateInterfaceName("hearth0", "--interface").ok());
  EXPECT_FALSE(ValidateInterfaceName("hearth-gw-eu1-01", "--interface").ok());  // 16
  auto st = ValidateInterfaceName("a-very-long-name0", "--interface");
  EXPECT_EQ(st.field(), "--interface");
  EXPECT_NE(st.message().find("15"), std::string::npos);
  EXPECT_FALSE(ValidateInterfaceName("", "--interface").ok());
  EXPECT_FALSE(ValidateInterfaceName("wg/0", "--interface").ok());
  EXPECT_FALSE(ValidateInterfaceName("wg 0", "--interface").ok());
}

TEST(WireGuardTest, ParsesWgDump) {
  const std::string a = Key(), b = Key();
  const std::string dump = "PRIV\t" + a + "\t51820\toff\n" + b +
                           "\t(none)\t192.0.2.1:51820\t100.64.0.0/16,10.42.0.0/16,fd00::/64\t"
                           "1700000000\t1234\t5678\t25\n";
  auto d = ParseWgDump(dump);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->public_key, a);
  EXPECT_EQ(d->listen_port, 51820);
  ASSERT_EQ(d->peers.size(), 1u);
  EXPECT_EQ(d->peers[0].endpoint, "192.0.2.1:51820");
  EXPECT_EQ(d->peers[0].allowed_ips,
            (std::vector<Ipv4Prefix>{P("10.42.0.0/16"), P("100.64.0.0/16")}));
  EXPECT_EQ(d->peers[0].last_handshake_unix_seconds, 1700000000);
  EXPECT_EQ(d->peers[0].rx_bytes, 1234);
  EXPECT_EQ(d->peers[0].tx_bytes, 5678);
  EXPECT_EQ(d->peers[0].persistent_keepalive_seconds, 25);
  auto none =
      ParseWgDump("(none)\t(none)\t0\toff\n" + b + "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->public_key, "");
  EXPECT_TRUE(none->peers[0].allowed_ips.empty());
  EXPECT_FALSE(ParseWgDump("").ok());
  EXPECT_FALSE(ParseWgDump("a\tb\n").ok());
}

TEST(WireGuardTest, UapiRoundTrip) {
  WgPrivateKey k = WgPrivateKey::Generate();
  const std::string peer = Key();
  DeviceUpdate u;
  u.private_key = k;
  u.listen_port = 51820;
  PeerUpdate p;
  p.public_key = peer;
  p.endpoint = "192.0.2.1:51820";
  p.allowed_ips = {P("100.64.0.0/16")};
  p.persistent_keepalive_seconds = 25;
  u.peers.push_back(p);
  PeerUpdate gone;
  gone.public_key = Key();
  gone.remove = true;
  u.peers.push_back(gone);
  const std::string req = UapiSetRequest(u);
  EXPECT_EQ(req.rfind("set=1\nprivate_key=", 0), 0u);
  EXPECT_NE(req.find("replace_allowed_ips=true\nallowed_ip=100.64.0.0/16\n"), std::string::npos);
  EXPECT_NE(req.find("remove=true\n"), std::string::npos);
  EXPECT_EQ(req.substr(req.size() - 2), "\n\n");
  EXPECT_EQ(req.find(k.ToBase64().Reveal()), std::string::npos);  // hex on the wire

  // A get answer as wireguard-go writes it, built from the same keys in hex.
  std::string hex_priv = req.substr(req.find("private_key=") + 12, 64);
  std::string hex_peer = req.substr(req.find("public_key=") + 11, 64);
  const std::string get = "private_key=" + hex_priv +
                          "\nlisten_port=51820\npublic_key=" + hex_peer +
                          "\npreshared_key=" + std::string(64, '0') +
                          "\nprotocol_version=1\nendpoint=192.0.2.1:51820\n"
                          "last_handshake_time_sec=1700000000\nlast_handshake_time_nsec=5\n"
                          "tx_bytes=10\nrx_bytes=20\npersistent_keepalive_interval=25\n"
                          "allowed_ip=100.64.0.0/16\nallowed_ip=10.42.0.0/16\nerrno=0\n\n";
  auto d = ParseUapiGet(get);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->public_key, k.Public().ToString());
  ASSERT_EQ(d->peers.size(), 1u);
  EXPECT_EQ(d->peers[0].public_key, peer);
  EXPECT_EQ(d->peers[0].rx_bytes, 20);
  EXPECT_EQ(d->peers[0].tx_bytes, 10);
  EXPECT_EQ(d->peers[0].allowed_ips.size(), 2u);
  EXPECT_FALSE(ParseUapiGet("errno=1\n\n").ok());
  EXPECT_FALSE(ParseUapiGet("listen_port=1\n").ok());  // cut short
}

TEST(WireGuardTest, KernelWgSetArgs) {
  KernelWireGuard k("hearth0", "wg", "ip");
  DeviceUpdate u;
  u.private_key = WgPrivateKey::Generate();
  u.private_key_file = "/var/lib/hearth/wg.key";
  PeerUpdate p;
  p.public_key = Key();
  p.allowed_ips = {P("100.64.0.0/16"), P("10.42.0.0/16")};
  u.peers.push_back(p);
  const auto a = k.WgSetArgs(u);
  const std::vector<std::string> want = {"wg",
                                         "set",
                                         "hearth0",
                                         "private-key",
                                         "/var/lib/hearth/wg.key",
                                         "peer",
                                         p.public_key,
                                         "persistent-keepalive",
                                         "off",
                                         "allowed-ips",
                                         "100.64.0.0/16,10.42.0.0/16"};
  EXPECT_EQ(a, want);
}

TEST(HostNetworkTest, ParsesIpJson) {
  const std::string link =
      R"([{"ifindex":3,"ifname":"hearth0","flags":["POINTOPOINT","UP","LOWER_UP"],"mtu":1280}])";
  const std::string addr =
      R"([{"ifname":"hearth0","addr_info":[{"family":"inet","local":"100.64.0.5","prefixlen":32},)"
      R"({"family":"inet6","local":"fe80::1","prefixlen":64}]}])";
  const std::string route =
      R"([{"dst":"10.1.0.0/24","protocol":"kernel"},{"dst":"10.9.0.0/16","protocol":"static"},)"
      R"({"dst":"100.64.0.9"},{"dst":"default"}])";
  auto l = ParseIpLinkJson(link, addr, route);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->exists);
  EXPECT_TRUE(l->up);
  EXPECT_EQ(l->mtu, 1280);
  EXPECT_EQ(l->addresses, std::vector<Ipv4Prefix>{P("100.64.0.5/32")});
  EXPECT_EQ(l->routes, (std::vector<Ipv4Prefix>{P("10.9.0.0/16"), P("100.64.0.9/32")}));
  auto none = ParseIpLinkJson("[]", "", "");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->exists);
  EXPECT_FALSE(ParseIpLinkJson("nope", "", "").ok());
}

TEST(WireGuardTest, IsWireGuardGoForChecksTheCommandLine) {
  EXPECT_FALSE(IsWireGuardGoFor(getpid(), "hearth0"));
  EXPECT_FALSE(IsWireGuardGoFor(0, "hearth0"));
  EXPECT_FALSE(IsWireGuardGoFor(1, "hearth0"));
}

}  // namespace
}  // namespace hearth::agent::wireguard
