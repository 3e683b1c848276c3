// The reconciler: from a desired NetworkConfig and the observed interface to the minimal list
// of operations that make them equal, and the code that applies them.
//
// Plan() is pure: planning against the state the operations produce yields nothing, so
// applying the same version twice changes nothing, and anything changed by hand (a peer
// removed, a route deleted, the address or MTU changed, wireguard-go killed) is put back on
// the next run. Peers and routes on the interface that the config does not list are removed.
// Left alone on purpose: endpoints WireGuard learned for peers configured without one (workers
// behind NAT roam), the listen port when the config says 0, and IP forwarding when the config
// does not ask for it (the host may need it for other reasons).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/wireguard/host_network.h"
#include "agent/wireguard/wireguard.h"
#include "api/network.h"

namespace hearth::agent::wireguard {

// A NetworkConfig made concrete for this host: endpoints resolved to "ip:port", the routes
// to install computed.
struct Desired {
  std::string public_key;  // of the interface's private key
  int listen_port = 0;     // 0: whatever the device picked
  int mtu = api::kDefaultMtu;
  Ipv4Prefix address;
  std::vector<PeerUpdate> peers;   // sorted by public key
  std::vector<Ipv4Prefix> routes;  // sorted
  bool forwarding = false;
};

// Resolves "host:port" to "ip:port" (IPv4 literals pass through).
using Resolver = std::function<StatusOr<std::string>(const std::string& host_port)>;
StatusOr<std::string> ResolveEndpoint(const std::string& host_port);

// Routes into the interface: the config's routes plus every peer's allowed IPs that no config
// route already covers (never a default route).
StatusOr<Desired> MakeDesired(const api::NetworkConfig& config, const WgPublicKey& own_public,
                              const Resolver& resolve = ResolveEndpoint);

struct Observed {
  std::optional<ObservedDevice> device;  // nullopt: the interface does not exist
  ObservedLink link;
  bool forwarding = false;
};

enum class OpKind {
  kCreateInterface,
  kSetPrivateKey,
  kSetListenPort,
  kRemovePeer,
  kSetPeer,  // add or replace one peer
  kSetMtu,
  kDeleteAddress,
  kAddAddress,
  kSetUp,
  kDeleteRoute,
  kAddRoute,
  kEnableForwarding,
};

struct Op {
  OpKind kind;
  PeerUpdate peer;               // kSetPeer, kRemovePeer (public_key)
  Ipv4Prefix prefix;             // addresses and routes
  int number = 0;                // MTU, listen port
  std::string ToString() const;  // for logs, e.g. "set peer AbC...= allowed 100.64.0.0/16"
};

// The operations, in the order Apply runs them.
std::vector<Op> Plan(const Desired& desired, const Observed& observed);

class Reconciler {
 public:
  // Both must outlive the Reconciler.
  Reconciler(WireGuard& wg, HostNetwork& host) : wg_(wg), host_(host) {}

  StatusOr<Observed> Observe();
  // Observe, create the interface when missing, plan, apply. Returns what was done (empty
  // when the interface already matched). `key_file` is where `key` lives (kernel backend).
  StatusOr<std::vector<Op>> Reconcile(const Desired& desired, const WgPrivateKey& key,
                                      const std::string& key_file);

 private:
  Status Apply(const std::vector<Op>& ops, const WgPrivateKey& key, const std::string& key_file);
  WireGuard& wg_;
  HostNetwork& host_;
};

}  // namespace hearth::agent::wireguard
