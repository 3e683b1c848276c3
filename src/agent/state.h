// Agent state on disk, in one directory (--state-dir, mode 0700):
//   state.json    device id, credential, coordinator URL, name, heartbeat interval, and where
//                 `hearth join` read the hardware (the agent re-reads it there) (0600)
//   wg.key        WireGuard private key, base64 as `wg genkey` writes it (0600)
//   identity.key  Ed25519 device identity private key (0600)
//   status.json   the agent's last heartbeat outcome, for `hearth status`
//   network.json  the applied overlay config and what the agent created (agent/network.h)
//   wireguard-go.log  output of the wireguard-go the agent supervises
// Private keys never leave this directory. Writes are atomic (temp file + rename), so a crash
// leaves either the old or the new file. Not thread-safe; one agent per directory.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/inventory/inventory.h"
#include "common/clock.h"
#include "common/keys.h"
#include "common/secret.h"
#include "common/status.h"

namespace hearth::agent {

struct DeviceState {
  std::string coordinator;  // base URL
  std::string device_id;
  Secret<std::string> credential;
  std::string name;
  int64_t heartbeat_interval_seconds = 30;
  std::string enrolled_at;
  // Where `hearth join` read the inventory; `hearth agent` re-reads it from the same place so
  // what it reports compares with what enrolled. Defaults for state files written before.
  InventoryRoots inventory_roots;
};

struct AgentStatus {
  std::string last_attempt;  // RFC 3339
  std::string last_success;  // RFC 3339, empty before the first
  std::string last_error;    // empty when the last attempt succeeded
  int64_t consecutive_failures = 0;
  bool revoked = false;
  nlohmann::json network;  // api::NetworkStatus at the last heartbeat; null with the network off
  nlohmann::json k3s;      // k3s::K3sAgent::StatusJson at the last heartbeat; null with k3s off
};

class StateDir {
 public:
  explicit StateDir(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // Creates the directory (0700) if missing; refuses a path that is not a directory.
  Status Ensure() const;
  // nullopt when not enrolled; an error when the file exists but is unreadable or corrupt.
  StatusOr<std::optional<DeviceState>> LoadDevice() const;
  Status SaveDevice(const DeviceState& s) const;
  Status SaveStatus(const AgentStatus& s) const;
  StatusOr<std::optional<AgentStatus>> LoadStatus() const;
  // Keys: loaded when present, else created (0600). Keys survive a failed enrollment, so a retry
  // does not churn the device's identity.
  StatusOr<WgPrivateKey> LoadOrCreateWgKey() const;
  StatusOr<IdentityPrivateKey> LoadOrCreateIdentityKey() const;
  // The identity key of an enrolled device, to sign its requests.
  StatusOr<IdentityPrivateKey> LoadIdentityKey() const;
  // Removes state.json, status.json, network.json and the wireguard-go log (after `hearth
  // leave`); keys are removed too.
  Status Clear() const;

  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

nlohmann::json StatusToJson(const AgentStatus& s);

}  // namespace hearth::agent
