// NetworkAgent: the agent's side of the overlay network (DESIGN §5). Applies the versioned
// NetworkConfig the coordinator sends to this host's WireGuard interface through the
// reconciler, persists the applied config in the state directory (network.json, 0600) so a
// restarted agent re-applies it before it can reach the coordinator, repairs drift, and reports
// the live interface for heartbeats.
//
// network.json: {"interface","backend","wireguard_go_pid","forwarding_enabled","config"}.
// `forwarding_enabled` records that the agent switched IPv4 forwarding on, so RemoveNetwork
// (`hearth leave`) switches it back off. Thread-safe: the config long-poll thread applies
// while the heartbeat thread checks drift and reads status.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/state.h"
#include "agent/wireguard/host_network.h"
#include "agent/wireguard/reconcile.h"
#include "agent/wireguard/wireguard.h"
#include "api/network.h"
#include "common/clock.h"

namespace hearth::agent {

struct NetworkOptions {
  std::string interface_name = "hearth0";
  std::string wireguard_go = "wireguard-go";
  std::string socket_dir = "/var/run/wireguard";
  std::string procfs = "/proc";
};

class NetworkAgent {
 public:
  // Picks kernel WireGuard when this network namespace can create it, else wireguard-go.
  static StatusOr<std::unique_ptr<NetworkAgent>> Create(const StateDir& dir,
                                                        const NetworkOptions& options,
                                                        const Clock& clock);
  // With given backends (tests).
  NetworkAgent(const StateDir& dir, wireguard::WireGuardPtr wg, wireguard::HostNetworkPtr host,
               const Clock& clock);

  // Loads network.json and re-applies the saved config (when there is one).
  Status Start();
  // Applies `config` and saves it as the applied one. On failure the previous config is
  // re-applied (best effort) and stays the applied version. Returns what was changed.
  StatusOr<std::vector<wireguard::Op>> Apply(const api::NetworkConfig& config);
  // Re-applies the applied config; returns the repairs (empty: no drift). No-op before the
  // first config.
  StatusOr<std::vector<wireguard::Op>> Repair();
  int64_t applied_version() const;
  std::optional<api::NetworkConfig> applied() const;
  // The live interface as heartbeats report it.
  StatusOr<api::NetworkStatus> LiveStatus();
  // Agent exit: stops wireguard-go the agent supervises (the kernel interface stays).
  void Shutdown();

  const std::string& interface_name() const { return wg_->interface_name(); }
  std::string backend() const { return wg_->kind(); }

 private:
  StatusOr<std::vector<wireguard::Op>> ApplyLocked(const api::NetworkConfig& config);
  Status Save();

  StateDir dir_;
  const Clock& clock_;
  mutable std::mutex mu_;
  wireguard::WireGuardPtr wg_;
  wireguard::HostNetworkPtr host_;
  wireguard::Reconciler reconciler_;
  std::optional<api::NetworkConfig> applied_;
  bool forwarding_enabled_ = false;
  int saved_pid_ = -1;
};

// Removes what the agent created on this host: the interface (stopping wireguard-go), and
// IPv4 forwarding when the agent switched it on; deletes network.json. OK when nothing was
// created. For `hearth leave`.
Status RemoveNetwork(const StateDir& dir, const NetworkOptions& options, std::ostream& out);

}  // namespace hearth::agent
