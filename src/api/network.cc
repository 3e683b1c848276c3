#include "api/network.h"

#include <algorithm>
#include <map>

#include "api/json_reader.h"
#include "common/keys.h"

namespace hearth::api {
namespace {

nlohmann::json Prefixes(const std::vector<Ipv4Prefix>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : v) out.push_back(p.ToString());
  return out;
}

StatusOr<std::vector<Ipv4Prefix>> DecodePrefixes(const nlohmann::json& j, const std::string& field,
                                                 size_t max) {
  if (j.is_null()) return std::vector<Ipv4Prefix>{};
  if (!j.is_array() || j.size() > max) {
    return Status::InvalidArgument(
        field, "must be an array of at most " + std::to_string(max) + " CIDR prefixes");
  }
  std::vector<Ipv4Prefix> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!j[i].is_string()) return Status::InvalidArgument(f, "must be a CIDR string");
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix p, Ipv4Prefix::Parse(j[i].get<std::string>(), f));
    out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

nlohmann::json EncodeKubeJoin(const KubeJoin& k) {
  return {{"server", k.server},   {"token", k.token},       {"node_name", k.node_name},
          {"node_ip", k.node_ip}, {"pod_cidr", k.pod_cidr}, {"labels", k.labels},
          {"taints", k.taints}};
}

StatusOr<KubeJoin> DecodeKubeJoin(const nlohmann::json& j, const std::string& field) {
  if (!j.is_object()) return Status::InvalidArgument(field, "must be a JSON object");
  JsonReader r(j, field);
  KubeJoin k;
  HEARTH_ASSIGN_OR_RETURN(k.server, r.String("server", 512));
  if (k.server.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(r.Field("server"), "must be an https:// URL");
  }
  HEARTH_ASSIGN_OR_RETURN(k.token, r.String("token", 512));
  if (k.token.rfind("K10", 0) != 0 || k.token.find("::") == std::string::npos) {
    return Status::InvalidArgument(r.Field("token"), "must be a K10<ca hash>::<id>.<secret> token");
  }
  HEARTH_ASSIGN_OR_RETURN(k.node_name, r.String("node_name", 63));
  if (k.node_name.empty() ||
      k.node_name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return Status::InvalidArgument(r.Field("node_name"),
                                   "must be a DNS label (lowercase letters, digits, '-')");
  }
  HEARTH_ASSIGN_OR_RETURN(k.node_ip, r.String("node_ip", 64));
  HEARTH_ASSIGN_OR_RETURN(k.pod_cidr, r.String("pod_cidr", 64));
  if (!k.pod_cidr.empty()) {
    HEARTH_RETURN_IF_ERROR(Ipv4Prefix::Parse(k.pod_cidr, r.Field("pod_cidr")).status());
  }
  if (j.contains("labels") && !j["labels"].is_null()) {
    if (!j["labels"].is_object()) {
      return Status::InvalidArgument(r.Field("labels"), "must be an object of strings");
    }
    for (const auto& [key, v] : j["labels"].items()) {
      if (!v.is_string()) {
        return Status::InvalidArgument(r.Field("labels") + "." + key, "must be a string");
      }
      k.labels[key] = v.get<std::string>();
    }
  }
  if (j.contains("taints") && !j["taints"].is_null()) {
    if (!j["taints"].is_array()) {
      return Status::InvalidArgument(r.Field("taints"), "must be an array of key=value:Effect");
    }
    for (size_t i = 0; i < j["taints"].size(); ++i) {
      const auto& t = j["taints"][i];
      if (!t.is_string() || t.get<std::string>().find(':') == std::string::npos) {
        return Status::InvalidArgument(r.Field("taints") + "[" + std::to_string(i) + "]",
                                       "must be a key=value:Effect string");
      }
      k.taints.push_back(t.get<std::string>());
    }
  }
  return k;
}

nlohmann::json EncodeNetworkConfig(const NetworkConfig& c) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : c.peers) {
    nlohmann::json j = {{"public_key", p.public_key},
                        {"name", p.name},
                        {"role", p.role},
                        {"allowed_ips", Prefixes(p.allowed_ips)},
                        {"persistent_keepalive_seconds", p.persistent_keepalive_seconds}};
    j["endpoint"] = p.endpoint ? nlohmann::json(*p.endpoint) : nlohmann::json(nullptr);
    peers.push_back(std::move(j));
  }
  nlohmann::json standby = nlohmann::json::array();
  for (const auto& s : c.standby_gateways) {
    standby.push_back({{"name", s.name}, {"endpoint", s.endpoint}, {"public_key", s.public_key}});
  }
  nlohmann::json out = {{"version", c.version},
                        {"role", c.role},
                        {"region", c.region},
                        {"interface",
                         {{"address", c.address.ToString()},
                          {"mtu", c.mtu},
                          {"listen_port", c.listen_port},
                          {"private_key", c.private_key}}},
                        {"pod_cidr", c.pod_cidr ? nlohmann::json(c.pod_cidr->ToString()) : nullptr},
                        {"peers", peers},
                        {"routes", Prefixes(c.routes)},
                        {"forwarding", c.forwarding},
                        {"standby_gateways", standby}};
  if (c.kubernetes) out["kubernetes"] = EncodeKubeJoin(*c.kubernetes);
  return out;
}

StatusOr<NetworkConfig> DecodeNetworkConfig(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("config", "must be a JSON object");
  JsonReader r(j);
  NetworkConfig c;
  HEARTH_ASSIGN_OR_RETURN(c.version, r.Int("version", 0, INT64_MAX));
  HEARTH_ASSIGN_OR_RETURN(c.role, r.String("role", 16));
  if (c.role != "worker" && c.role != "gateway" && c.role != "control") {
    return Status::InvalidArgument("role", "must be worker, gateway or control");
  }
  HEARTH_ASSIGN_OR_RETURN(c.region, r.String("region", 64));
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json iface, r.Object("interface"));
  JsonReader ir(iface, "interface");
  HEARTH_ASSIGN_OR_RETURN(std::string address, ir.String("address", 32));
  HEARTH_ASSIGN_OR_RETURN(c.address, Ipv4Prefix::Parse(address, ir.Field("address"), true));
  HEARTH_ASSIGN_OR_RETURN(int64_t mtu, ir.Int("mtu", 576, 9000));
  c.mtu = static_cast<int>(mtu);
  HEARTH_ASSIGN_OR_RETURN(int64_t port, ir.Int("listen_port", 0, 65535));
  c.listen_port = static_cast<int>(port);
  HEARTH_ASSIGN_OR_RETURN(c.private_key, ir.String("private_key", 128));
  if (c.private_key.empty() || c.private_key.find('/') != std::string::npos ||
      c.private_key[0] == '.') {
    return Status::InvalidArgument("interface.private_key",
                                   "must name a key file inside the state directory, e.g. wg.key");
  }
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> pod, r.OptString("pod_cidr", 32));
  if (pod) {
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix p, Ipv4Prefix::Parse(*pod, "pod_cidr"));
    c.pod_cidr = p;
  }
  const nlohmann::json& peers = j.contains("peers") ? j["peers"] : nlohmann::json(nullptr);
  if (!peers.is_null() && !peers.is_array()) {
    return Status::InvalidArgument("peers", "must be an array");
  }
  std::map<std::string, bool> seen;
  for (size_t i = 0; !peers.is_null() && i < peers.size(); ++i) {
    const std::string pf = "peers[" + std::to_string(i) + "]";
    if (!peers[i].is_object()) return Status::InvalidArgument(pf, "must be an object");
    JsonReader pr(peers[i], pf);
    PeerConfig p;
    HEARTH_ASSIGN_OR_RETURN(std::string key, pr.String("public_key", 64));
    HEARTH_ASSIGN_OR_RETURN(WgPublicKey parsed, WgPublicKey::Parse(key, pr.Field("public_key")));
    p.public_key = parsed.ToString();
    if (seen[p.public_key]) {
      return Status::InvalidArgument(pr.Field("public_key"), "appears twice; peers must differ");
    }
    seen[p.public_key] = true;
    HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> name, pr.OptString("name", 64));
    p.name = name.value_or("");
    HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> role, pr.OptString("role", 16));
    p.role = role.value_or("");
    HEARTH_ASSIGN_OR_RETURN(p.endpoint, pr.OptString("endpoint", 270));
    if (p.endpoint) HEARTH_RETURN_IF_ERROR(ValidateEndpoint(*p.endpoint, pr.Field("endpoint")));
    HEARTH_ASSIGN_OR_RETURN(p.allowed_ips,
                            DecodePrefixes(peers[i].value("allowed_ips", nlohmann::json(nullptr)),
                                           pr.Field("allowed_ips"), 100000));
    HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> ka,
                            pr.OptInt("persistent_keepalive_seconds", 0, 65535));
    p.persistent_keepalive_seconds = static_cast<int>(ka.value_or(0));
    c.peers.push_back(std::move(p));
  }
  std::sort(c.peers.begin(), c.peers.end(),
            [](const PeerConfig& a, const PeerConfig& b) { return a.public_key < b.public_key; });
  HEARTH_ASSIGN_OR_RETURN(c.routes,
                          DecodePrefixes(j.value("routes", nlohmann::json(nullptr)), "routes", 64));
  if (j.contains("forwarding") && !j["forwarding"].is_boolean()) {
    return Status::InvalidArgument("forwarding", "must be true or false");
  }
  c.forwarding = j.value("forwarding", false);
  const nlohmann::json& standby =
      j.contains("standby_gateways") ? j["standby_gateways"] : nlohmann::json(nullptr);
  for (size_t i = 0; standby.is_array() && i < standby.size(); ++i) {
    const std::string sf = "standby_gateways[" + std::to_string(i) + "]";
    if (!standby[i].is_object()) return Status::InvalidArgument(sf, "must be an object");
    JsonReader sr(standby[i], sf);
    StandbyGateway s;
    HEARTH_ASSIGN_OR_RETURN(s.name, sr.String("name", 64));
    HEARTH_ASSIGN_OR_RETURN(s.endpoint, sr.String("endpoint", 270));
    HEARTH_ASSIGN_OR_RETURN(s.public_key, sr.String("public_key", 64));
    c.standby_gateways.push_back(std::move(s));
  }
  if (j.contains("kubernetes") && !j["kubernetes"].is_null()) {
    HEARTH_ASSIGN_OR_RETURN(c.kubernetes, DecodeKubeJoin(j["kubernetes"], "kubernetes"));
  }
  return c;
}

Status ValidateEndpoint(const std::string& e, const std::string& field) {
  const size_t colon = e.rfind(':');
  const std::string port = colon == std::string::npos ? "" : e.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
      std::stoi(port) > 65535) {
    return Status::InvalidArgument(field,
                                   "'" + e + "' is not HOST:PORT; write e.g. 203.0.113.10:51820");
  }
  return Status::Ok();
}

PeerDiff DiffPeers(const std::vector<PeerConfig>& from, const std::vector<PeerConfig>& to) {
  std::map<std::string, const PeerConfig*> old;
  for (const auto& p : from) old[p.public_key] = &p;
  PeerDiff d;
  for (const auto& p : to) {
    auto it = old.find(p.public_key);
    if (it == old.end()) {
      d.added.push_back(p);
    } else {
      if (!(*it->second == p)) d.changed.push_back(p);
      old.erase(it);
    }
  }
  for (const auto& [key, p] : old) d.removed.push_back(key);
  return d;
}

StatusOr<AppliedReport> DecodeAppliedReport(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  JsonReader r(j);
  AppliedReport a;
  HEARTH_ASSIGN_OR_RETURN(a.version, r.Int("version", 0, INT64_MAX));
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> err, r.OptString("error", 1024));
  a.error = err.value_or("");
  return a;
}

nlohmann::json EncodeNetworkStatus(const NetworkStatus& s) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : s.peers) {
    nlohmann::json j = {{"public_key", p.public_key},
                        {"rx_bytes", p.rx_bytes},
                        {"tx_bytes", p.tx_bytes},
                        {"endpoint", p.endpoint}};
    j["last_handshake_seconds_ago"] = p.last_handshake_seconds_ago
                                          ? nlohmann::json(*p.last_handshake_seconds_ago)
                                          : nlohmann::json(nullptr);
    peers.push_back(std::move(j));
  }
  return {{"applied_version", s.applied_version}, {"interface", s.interface}, {"peers", peers}};
}

StatusOr<NetworkStatus> DecodeNetworkStatus(const nlohmann::json& j, const std::string& field) {
  if (!j.is_object()) return Status::InvalidArgument(field, "must be an object");
  JsonReader r(j, field);
  NetworkStatus s;
  HEARTH_ASSIGN_OR_RETURN(s.applied_version, r.Int("applied_version", 0, INT64_MAX));
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> iface, r.OptString("interface", 15));
  s.interface = iface.value_or("");
  const nlohmann::json& peers = j.contains("peers") ? j["peers"] : nlohmann::json(nullptr);
  if (!peers.is_null() && (!peers.is_array() || peers.size() > 100000)) {
    return Status::InvalidArgument(field + ".peers", "must be an array");
  }
  for (size_t i = 0; !peers.is_null() && i < peers.size(); ++i) {
    const std::string pf = field + ".peers[" + std::to_string(i) + "]";
    if (!peers[i].is_object()) return Status::InvalidArgument(pf, "must be an object");
    JsonReader pr(peers[i], pf);
    PeerStatus p;
    HEARTH_ASSIGN_OR_RETURN(p.public_key, pr.String("public_key", 64));
    HEARTH_ASSIGN_OR_RETURN(p.last_handshake_seconds_ago,
                            pr.OptInt("last_handshake_seconds_ago", 0, INT64_MAX));
    HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> rx, pr.OptInt("rx_bytes", 0, INT64_MAX));
    HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> tx, pr.OptInt("tx_bytes", 0, INT64_MAX));
    p.rx_bytes = rx.value_or(0);
    p.tx_bytes = tx.value_or(0);
    HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> ep, pr.OptString("endpoint", 270));
    p.endpoint = ep.value_or("");
    s.peers.push_back(std::move(p));
  }
  return s;
}

}  // namespace hearth::api
