// Wire types of the overlay network (DESIGN §5): the versioned WireGuard configuration the
// coordinator wants a device to run, and what the device reports back.
//
//   GET  /v1/devices/{id}/config?since=V[&wait=S]  → 200 NetworkConfig when the desired version is
//        newer than V, else waits up to S seconds (default 30, max 60) and answers 304.
//   POST /v1/devices/{id}/config/applied            ← AppliedReport (the version now running)
//   POST /v1/devices/{id}/heartbeat                  ← Heartbeat with a "network" NetworkStatus
//
// Both the coordinator (encodes, diffs versions for its benchmark) and the agent (decodes,
// reconciles against the live interface) use these. Pure values and functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "common/status.h"

namespace hearth::api {

inline constexpr int kDefaultMtu = 1280;
inline constexpr int kWorkerKeepaliveSeconds = 25;

// One WireGuard peer. `name` is the peer device's id (for people and logs; not used by WireGuard).
struct PeerConfig {
  std::string public_key;                // base64, as `wg pubkey`
  std::string name;                      // device id of the peer, e.g. "dev_..."
  std::string role;                      // "gateway", "worker" or "control"
  std::optional<std::string> endpoint;   // "host:port"; absent for peers behind NAT
  std::vector<Ipv4Prefix> allowed_ips;   // sorted, no duplicates
  int persistent_keepalive_seconds = 0;  // 0: off
  bool operator==(const PeerConfig&) const = default;
};

// A gateway the worker may be moved to (listed so a device can tell the standby set).
struct StandbyGateway {
  std::string name;
  std::string endpoint;
  std::string public_key;
  bool operator==(const StandbyGateway&) const = default;
};

// How a worker joins its region's Kubernetes cluster (k3s agent parameters); present in the
// NetworkConfig of workers whose region has a cluster.
struct KubeJoin {
  std::string server;     // "https://10.x.y.z:6443": the region's apiserver / k3s supervisor
  std::string token;      // "K10<ca sha256>::<id>.<secret>"
  std::string node_name;  // "hearth-<device id suffix>-<generation>"
  std::string node_ip;    // the device's overlay address
  std::string pod_cidr;   // the node's pod CIDR (spec.podCIDR)
  std::map<std::string, std::string> labels;
  std::vector<std::string> taints;  // "key=value:Effect"
  bool operator==(const KubeJoin&) const = default;
};

// The complete desired state of a device's overlay interface at one version.
struct NetworkConfig {
  int64_t version = 0;  // strictly increasing per device; 0 = nothing yet
  std::string role;     // "worker", "gateway" or "control"
  std::string region;   // region id
  Ipv4Prefix address;   // interface address, the device's overlay /32
  int mtu = kDefaultMtu;
  int listen_port = 0;                 // UDP port to listen on; 0: any (workers behind NAT)
  std::string private_key = "wg.key";  // reference to the key file in the agent's state dir
  std::optional<Ipv4Prefix> pod_cidr;  // workers: the node's pod CIDR (Kubernetes spec.podCIDR)
  std::vector<PeerConfig> peers;       // sorted by public key
  std::vector<Ipv4Prefix> routes;      // destinations routed into the interface, sorted
  bool forwarding = false;             // gateways forward between peers
  std::vector<StandbyGateway> standby_gateways;
  std::optional<KubeJoin> kubernetes;  // workers in a region with a cluster
  bool operator==(const NetworkConfig&) const = default;
};

// "host:port" with a port in 1..65535 (host: an address or a DNS name). Errors name `field`.
Status ValidateEndpoint(const std::string& endpoint, const std::string& field);

nlohmann::json EncodeKubeJoin(const KubeJoin& k);
StatusOr<KubeJoin> DecodeKubeJoin(const nlohmann::json& j, const std::string& field);

nlohmann::json EncodeNetworkConfig(const NetworkConfig& c);
// Validates everything a device will act on (keys, prefixes, ports, MTU); errors name the field.
StatusOr<NetworkConfig> DecodeNetworkConfig(const nlohmann::json& j);

// How two configs' peers differ, by public key. A peer counts as changed when any of its fields
// differ. `Total()` is what the "peers changed per join" benchmark reports.
struct PeerDiff {
  std::vector<PeerConfig> added;
  std::vector<std::string> removed;  // public keys
  std::vector<PeerConfig> changed;   // the new version of each changed peer
  size_t Total() const { return added.size() + removed.size() + changed.size(); }
  bool empty() const { return Total() == 0; }
};
PeerDiff DiffPeers(const std::vector<PeerConfig>& from, const std::vector<PeerConfig>& to);

// POST /v1/devices/{id}/config/applied: {"version", "error"?}. An error means the agent could not
// apply `version` and still runs the previous one; the coordinator shows it.
struct AppliedReport {
  int64_t version = 0;
  std::string error;
};
StatusOr<AppliedReport> DecodeAppliedReport(const std::string& body);

// Live WireGuard state the agent reads from its interface (`wg show` / UAPI), sent in heartbeats
// as "network": {"applied_version", "interface", "peers":[...]}.
struct PeerStatus {
  std::string public_key;
  std::optional<int64_t> last_handshake_seconds_ago;  // absent: never
  int64_t rx_bytes = 0;
  int64_t tx_bytes = 0;
  std::string endpoint;  // "" when unknown
};
struct NetworkStatus {
  int64_t applied_version = 0;
  std::string interface;
  std::vector<PeerStatus> peers;
};
nlohmann::json EncodeNetworkStatus(const NetworkStatus& s);
StatusOr<NetworkStatus> DecodeNetworkStatus(const nlohmann::json& j, const std::string& field);

}  // namespace hearth::api
