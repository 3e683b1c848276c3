// WireGuard control for the agent (DESIGN §5): one small interface over the two ways a Linux
// host runs WireGuard, plus a fake for tests.
//
//   UserspaceWireGuard  supervises `wireguard-go -f IFNAME` and speaks the cross-platform UAPI
//                       over /var/run/wireguard/IFNAME.sock (userspace.h)
//   KernelWireGuard     `ip link add IFNAME type wireguard` and the `wg` tool (kernel.h)
//   FakeWireGuard       in memory, with knobs to simulate drift and crashes (fake.h)
//
// One instance manages one interface. Keys cross this interface as typed keys; the observed
// state never carries the private key, only the public key derived from it. Implementations
// are not thread-safe; the agent serialises calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ip.h"
#include "common/keys.h"
#include "common/status.h"

namespace hearth::agent::wireguard {

// Linux interface names are at most 15 bytes (IFNAMSIZ - 1). Errors name `field`.
Status ValidateInterfaceName(const std::string& name, const std::string& field);

// One peer as the device reports it.
struct ObservedPeer {
  std::string public_key;               // base64
  std::string endpoint;                 // "ip:port", "" when none is known yet
  std::vector<Ipv4Prefix> allowed_ips;  // sorted
  int persistent_keepalive_seconds = 0;
  int64_t last_handshake_unix_seconds = 0;  // 0: never
  int64_t rx_bytes = 0;
  int64_t tx_bytes = 0;
};

// The device's WireGuard state (not addresses or routes: see host_network.h).
struct ObservedDevice {
  std::string public_key;  // derived from the private key; "" when none is set
  int listen_port = 0;
  std::vector<ObservedPeer> peers;  // sorted by public key
};

// Desired state of one peer, applied with replace semantics: allowed IPs are replaced, the
// keepalive is set, and the endpoint is set when given (absent: left as WireGuard learned it).
struct PeerUpdate {
  std::string public_key;  // base64
  bool remove = false;     // remove the peer; the other fields are ignored
  std::string endpoint;    // "ip:port" (already resolved); "" leaves it alone
  std::vector<Ipv4Prefix> allowed_ips;
  int persistent_keepalive_seconds = 0;
};

// One atomic change of a device; unset fields are left alone.
struct DeviceUpdate {
  std::optional<WgPrivateKey> private_key;
  std::string private_key_file;  // where `private_key` is stored (for `wg set private-key`)
  std::optional<int> listen_port;
  std::vector<PeerUpdate> peers;
  bool empty() const { return !private_key && !listen_port && peers.empty(); }
};

class WireGuard {
 public:
  virtual ~WireGuard() = default;
  // The interface this instance manages.
  virtual const std::string& interface_name() const = 0;
  // "userspace", "kernel" or "fake", for logs and status.
  virtual std::string kind() const = 0;
  // Creates the interface (starting wireguard-go for userspace) when it does not exist or its
  // process died. A new interface has no key, peers, addresses or routes.
  virtual Status EnsureInterface() = 0;
  // nullopt when the interface does not exist (never created, removed, or its process died).
  virtual StatusOr<std::optional<ObservedDevice>> Observe() = 0;
  // Applies `update` to an existing interface.
  virtual Status Configure(const DeviceUpdate& update) = 0;
  // Removes the interface (and stops the wireguard-go process); OK when it does not exist.
  virtual Status RemoveInterface() = 0;
  // PID of the supervised wireguard-go, 0 when none (kernel, fake, or not running).
  virtual int pid() const { return 0; }
};
using WireGuardPtr = std::unique_ptr<WireGuard>;

// Parses `wg show IFNAME dump` output (tab-separated; first line the interface). Used by the
// kernel implementation and by tests that compare the live interface with the desired config.
StatusOr<ObservedDevice> ParseWgDump(const std::string& text);

}  // namespace hearth::agent::wireguard
