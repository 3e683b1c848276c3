#include "api/network.h"

#include <gtest/gtest.h>

#include "common/keys.h"

namespace hearth::api {
namespace {

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::Parse(s, "test", true); }

PeerConfig Peer(const std::string& key, const char* ip) {
  PeerConfig p;
  p.public_key = key;
  p.name = "dev_peer";
  p.role = "worker";
  p.allowed_ips = {P(ip)};
  return p;
}

NetworkConfig Sample() {
  NetworkConfig c;
  c.version = 7;
  c.role = "worker";
  c.region = "default";
  c.address = P("100.64.0.5/32");
  c.pod_cidr = P("10.42.5.0/24");
  PeerConfig gw = Peer(WgPrivateKey::Generate().Public().ToString(), "10.42.0.0/16");
  gw.role = "gateway";
  gw.endpoint = "203.0.113.10:51820";
  gw.allowed_ips.push_back(P("100.64.0.0/16"));  // canonical form: sorted
  gw.persistent_keepalive_seconds = kWorkerKeepaliveSeconds;
  c.peers = {gw};
  c.routes = {P("10.42.0.0/16"), P("100.64.0.0/16")};
  c.standby_gateways = {{"dev_gw2", "203.0.113.11:51820", gw.public_key}};
  return c;
}

TEST(NetworkConfigTest, RoundTrips) {
  const NetworkConfig c = Sample();
  auto back = DecodeNetworkConfig(EncodeNetworkConfig(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(NetworkConfigTest, RejectsBadFieldsByName) {
  struct Case {
    const char* field;
    std::function<void(nlohmann::json&)> mutate;
  };
  const std::vector<Case> cases = {
      {"role", [](nlohmann::json& j) { j["role"] = "router"; }},
      {"interface.address", [](nlohmann::json& j) { j["interface"]["address"] = "100.64.0/32"; }},
      {"interface.mtu", [](nlohmann::json& j) { j["interface"]["mtu"] = 100; }},
      {"interface.private_key",
       [](nlohmann::json& j) { j["interface"]["private_key"] = "../../etc/shadow"; }},
      {"peers[0].public_key", [](nlohmann::json& j) { j["peers"][0]["public_key"] = "abc"; }},
      {"peers[0].endpoint", [](nlohmann::json& j) { j["peers"][0]["endpoint"] = "host"; }},
      {"peers[0].allowed_ips[0]",
       [](nlohmann::json& j) { j["peers"][0]["allowed_ips"][0] = "10.0.0.1/8"; }},
      {"peers[1].public_key", [](nlohmann::json& j) { j["peers"].push_back(j["peers"][0]); }},
      {"pod_cidr", [](nlohmann::json& j) { j["pod_cidr"] = "10.42.5.1/24"; }},
  };
  for (const auto& c : cases) {
    nlohmann::json j = EncodeNetworkConfig(Sample());
    c.mutate(j);
    auto r = DecodeNetworkConfig(j);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
  }
}

KubeJoin SampleKube() {
  KubeJoin k;
  k.server = "https://100.64.0.2:6443";
  k.token = "K10" + std::string(64, 'a') + "::abcdef.0123456789abcdef";
  k.node_name = "hearth-a1b2c3-1";
  k.node_ip = "100.64.0.5";
  k.pod_cidr = "10.42.5.0/24";
  k.labels = {{"hearth.dev/region", "default"}, {"nvidia.com/gpu.present", "true"}};
  k.taints = {"hearth.dev/edge=true:NoSchedule"};
  return k;
}

TEST(NetworkConfigTest, KubernetesRoundTripsAndIsOptional) {
  NetworkConfig c = Sample();
  EXPECT_FALSE(EncodeNetworkConfig(c).contains("kubernetes"));
  c.kubernetes = SampleKube();
  auto back = DecodeNetworkConfig(EncodeNetworkConfig(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
  nlohmann::json j = EncodeNetworkConfig(c);
  j["kubernetes"] = nullptr;  // null means absent, as the field's omission does
  auto none = DecodeNetworkConfig(j);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->kubernetes.has_value());
}

TEST(NetworkConfigTest, RejectsBadKubernetesFieldsByName) {
  struct Case {
    const char* field;
    std::function<void(nlohmann::json&)> mutate;
  };
  const std::vector<Case> cases = {
      {"kubernetes", [](nlohmann::json& j) { j["kubernetes"] = "yes"; }},
      {"kubernetes.server", [](nlohmann::json& j) { j["kubernetes"].erase("server"); }},
      {"kubernetes.token", [](nlohmann::json& j) { j["kubernetes"].erase("token"); }},
      {"kubernetes.node_name", [](nlohmann::json& j) { j["kubernetes"]["node_name"] = 7; }},
      {"kubernetes.node_ip", [](nlohmann::json& j) { j["kubernetes"].erase("node_ip"); }},
      {"kubernetes.pod_cidr", [](nlohmann::json& j) { j["kubernetes"].erase("pod_cidr"); }},
      {"kubernetes.labels",
       [](nlohmann::json& j) {
         j["kubernetes"]["labels"] = {1, 2};
       }},
      {"kubernetes.labels[\"a\"]",
       [](nlohmann::json& j) { j["kubernetes"]["labels"]["a"] = true; }},
      {"kubernetes.taints", [](nlohmann::json& j) { j["kubernetes"]["taints"] = "x"; }},
      {"kubernetes.taints[1]", [](nlohmann::json& j) { j["kubernetes"]["taints"].push_back(3); }},
  };
  for (const auto& c : cases) {
    NetworkConfig cfg = Sample();
    cfg.kubernetes = SampleKube();
    nlohmann::json j = EncodeNetworkConfig(cfg);
    c.mutate(j);
    auto r = DecodeNetworkConfig(j);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
  }
}

TEST(NetworkConfigTest, DiffCountsAddedRemovedAndChangedPeers) {
  const std::string a = WgPrivateKey::Generate().Public().ToString();
  const std::string b = WgPrivateKey::Generate().Public().ToString();
  const std::string c = WgPrivateKey::Generate().Public().ToString();
  std::vector<PeerConfig> from = {Peer(a, "100.64.0.1"), Peer(b, "100.64.0.2")};
  std::vector<PeerConfig> to = {Peer(a, "100.64.0.1"), Peer(b, "100.64.0.9"),
                                Peer(c, "100.64.0.3")};
  PeerDiff d = DiffPeers(from, to);
  EXPECT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.changed.size(), 1u);
  EXPECT_TRUE(d.removed.empty());
  EXPECT_EQ(d.Total(), 2u);
  d = DiffPeers(to, from);
  EXPECT_EQ(d.removed, std::vector<std::string>{c});
  EXPECT_TRUE(DiffPeers(from, from).empty());
}

TEST(NetworkStatusTest, RoundTripsAndValidates) {
  NetworkStatus s{3, "hearth0", {{"k", 12, 100, 200, "203.0.113.1:51820"}, {"k2", {}, 0, 0, ""}}};
  auto back = DecodeNetworkStatus(EncodeNetworkStatus(s), "network");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->applied_version, 3);
  EXPECT_EQ(back->peers[0].last_handshake_seconds_ago, 12);
  EXPECT_FALSE(back->peers[1].last_handshake_seconds_ago);
  auto bad = DecodeNetworkStatus({{"applied_version", -1}}, "network");
  EXPECT_EQ(bad.status().field(), "network.applied_version");
}

}  // namespace
}  // namespace hearth::api
