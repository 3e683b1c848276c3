// Network: the coordinator's side of the overlay (DESIGN §5).
//
// Owns address management (a next-fit allocator over each region's overlay and pod prefixes, so
// an address released on removal is not handed out again until the pool wraps), the assignment of
// workers to a home gateway (least-loaded; rebalancing moves only the workers needed to bring
// max − min to at most 1), gateway failover (a gateway whose heartbeats stop is marked down and its
// workers re-homed; when it returns, balance is restored), and the versioned desired WireGuard
// configuration of every device, computed from the stored state when asked for.
//
// Every change is one store transaction; the devices whose desired config changed get their
// version bumped in it and are woken through the Notifier after it commits. A join changes the
// joining worker, its home gateway (one peer added) and the sibling gateways' route to that
// gateway (one peer's AllowedIPs) — never the other workers: O(gateways), not O(devices).
// Thread-safe: all state is in the store.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/network.h"
#include "common/clock.h"
#include "common/ip.h"
#include "coordinator/placement/placement.h"
#include "http/notifier.h"
#include "store/store.h"

namespace hearth::network {

inline constexpr std::string_view kDefaultRegion = "default";

struct Config {
  // The region created at start-up when the store has none.
  std::string default_overlay_prefix = "100.64.0.0/16";
  std::string default_pod_prefix = "10.42.0.0/16";
  std::string default_service_prefix = "10.43.0.0/16";
  int pod_cidr_length = 24;
  int mtu = api::kDefaultMtu;
  // A gateway with no heartbeat for this long is marked down and its workers re-homed.
  Duration gateway_down_after = std::chrono::seconds(90);
  // Placement bounds once regions are configured (coordinator/placement).
  placement::Bounds placement;
  // A waitlist cell raises a region proposal at this many devices / GPUs (0: not by that;
  // coordinator/regions/proposals.h).
  int64_t proposal_min_devices = 10;
  int64_t proposal_min_gpus = 0;
  // Admin events are queued for the webhook (`hearth serve --webhook-url`).
  bool webhook = false;
};

// What one change did: the devices whose desired config version was bumped.
struct ChangeSet {
  std::set<DeviceId> bumped;
  int moved_workers = 0;  // workers (re)homed onto a gateway
  int replaced = 0;       // devices moved out of a draining region (placed or waitlisted)
};

class Network {
 public:
  // `store`, `clock` and `notifier` must outlive the Network.
  Network(Config config, store::Store& store, const Clock& clock, http::Notifier& notifier);

  // Checks the config's prefixes (errors name the flag) and creates the default region when the
  // store has none.
  Status Init();

  // After enrollment: chooses the device's region (ChooseRegion; a waitlisted device is left
  // unattached and re-placed by Tick, e.g. once a region is activated), allocates the device's
  // overlay address (and pod CIDR for workers), homes a worker on the least-loaded gateway, or —
  // for a new gateway — rebalances the region onto it. Address exhaustion is kResourceExhausted
  // naming the prefix; nothing is written then.
  StatusOr<ChangeSet> Attach(const DeviceId& device);
  // Removal: marks the device removed, releases its addresses, withdraws it from its gateway, and
  // re-homes a removed gateway's workers.
  StatusOr<ChangeSet> Remove(const DeviceId& device);
  // Draining regions: moves every worker and control device of each draining region to another
  // acceptable region (placement over the active ones), or waitlists it there when none is —
  // its old addresses are released, it keeps its placement evidence, and its config long-poll
  // tells it. Gateways stay: they are the region's infrastructure. Also run by Tick, so a drain
  // interrupted by a crash finishes on the next tick. `moved` counts the devices re-placed.
  StatusOr<ChangeSet> ReplaceDraining();
  // Gateway liveness: marks gateways down after `gateway_down_after` without a heartbeat and
  // re-homes their workers; marks returning gateways up and rebalances; attaches devices that
  // could not be attached before; re-places the devices of draining regions. Called
  // periodically by `hearth serve`, and by tests.
  StatusOr<ChangeSet> Tick();

  // The device's desired configuration at its current version (version 0: not attached yet).
  StatusOr<api::NetworkConfig> DesiredConfig(const DeviceId& device);

 private:
  Status AttachLocked(store::NetworkTx& tx, const store::Device& d, ChangeSet* cs);
  // The device's region: "default" while no region is configured (no region has a
  // location_region); otherwise the placement decision over the active configured regions,
  // recorded on the device. "" when the device is waitlisted.
  StatusOr<std::string> ChooseRegion(store::NetworkTx& tx, const store::Device& d);
  // Bootstrapping regions with a gateway up become active (and an admin event says so).
  Status ActivateBootstrapped(store::NetworkTx& tx, Timestamp now);
  // Detaches the workers and control devices of draining regions and attaches them again.
  Status ReplaceDrainingLocked(store::NetworkTx& tx, ChangeSet* cs);
  Status Rebalance(store::NetworkTx& tx, const std::string& region, ChangeSet* cs);
  Status Rehome(store::NetworkTx& tx, const store::Device& device,
                const std::optional<DeviceId>& to, ChangeSet* cs);
  Status BumpRegionGateways(store::NetworkTx& tx, const std::string& region, ChangeSet* cs);
  StatusOr<ChangeSet> Run(const std::function<Status(store::NetworkTx&, ChangeSet*)>& fn);

  Config config_;
  store::Store& store_;
  const Clock& clock_;
  http::Notifier& notifier_;
};

// Address management, exposed for tests and the benchmark: claims the next free index of `pool`
// in [first, last] starting at the pool's cursor (next-fit), or kResourceExhausted naming `field`.
StatusOr<int64_t> AllocateIndex(store::NetworkTx& tx, const std::string& pool, int64_t first,
                                int64_t last, const DeviceId& device, Timestamp now,
                                const std::string& field, const std::string& prefix_text);

// Rebalancing plan, pure: given workers per gateway (gateway → its workers, in a stable order),
// the moves (worker, from, to) that bring max − min to at most 1 with the fewest moves. Workers
// move from the most to the least loaded gateway; ties by gateway id.
struct Move {
  DeviceId worker, from, to;
};
std::vector<Move> PlanRebalance(const std::map<DeviceId, std::vector<DeviceId>>& homed);

// The least-loaded gateway among `loads` (ties by id), or nullopt when empty.
std::optional<DeviceId> LeastLoaded(const std::map<DeviceId, int64_t>& loads);

}  // namespace hearth::network
