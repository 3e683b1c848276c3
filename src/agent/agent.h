// The device agent: enrollment (`hearth join`), the heartbeat loop (`hearth agent`), and
// deregistration (`hearth leave`). With the network on (the default) `hearth agent` also runs
// the overlay interface (network.h): a config long-poll thread applies each version the
// coordinator publishes and acknowledges it, and every heartbeat repairs drift and reports the
// live interface. With the network off it works unprivileged given a state directory. With
// k3s on, each applied config also drives the host's k3s agent (agent/k3s).
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/inventory/inventory.h"
#include "agent/k3s/k3s.h"
#include "agent/network.h"
#include "agent/state.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"

namespace hearth::agent {

struct JoinOptions {
  std::string coordinator;
  std::string state_dir;
  std::string install_key;
  std::string name;  // empty: the hostname
  InventoryRoots roots;
  std::string dev_root = "/dev";
  bool ignore_preflight = false;
  std::string role = "worker";  // "worker", "gateway" or "control"
  std::string endpoint;         // gateways: public "host:port" workers reach them at
  std::string country;          // declared country (ISO alpha-2) for placement; empty: not declared
};

// Exit codes shared by the agent commands, documented in `hearth join --help`.
enum ExitCode {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitRefused = 3,      // the coordinator refused: bad/used/expired key, revoked credential
  kExitUnreachable = 4,  // the coordinator could not be reached
  kExitPreflight = 5,    // preflight failed
};

// Runs preflight, collects inventory, creates keys (kept if they exist), enrolls, saves state.
// Progress goes to `out`. Returns the process exit code.
int Join(const JoinOptions& options, std::ostream& out, std::ostream& err);

struct AgentOptions {
  std::string state_dir;
  // Where to read uptime and load (procfs) and the hardware (all three); empty: where `hearth
  // join` read the inventory (state.json), so the agent's inventory compares with the enrolled one.
  std::string procfs;
  std::string sysfs;
  std::string etc;
  // The agent re-reads the hardware this often and sends it with the next heartbeat when it
  // differs from what the coordinator last accepted (always with the first heartbeat). Zero:
  // read once, at start. The coordinator records GPU, CPU, memory and disk changes.
  Duration inventory_interval = std::chrono::minutes(5);
  // Set by a signal handler or a test to stop the loop; checked between waits.
  std::function<bool(std::chrono::milliseconds)> wait;  // returns true when asked to stop
  // The overlay network. Off: no interface, no config polling (unprivileged tests, demo).
  bool network = true;
  NetworkOptions network_options;
  int64_t config_wait_seconds = 30;  // long-poll wait the agent asks the coordinator for
  // Builds the NetworkAgent; unset: NetworkAgent::Create (tests inject fakes).
  std::function<StatusOr<std::unique_ptr<NetworkAgent>>(const StateDir&)> make_network;
  // The k3s agent (agent/k3s), driven by the config's "kubernetes" object after each network
  // config is applied and repaired at every heartbeat. Needs the network on; kOff (the default
  // here, `hearth agent --k3s on` on the command line) never touches k3s.
  k3s::K3sOptions k3s;
};

// Heartbeats until stopped. Failures back off exponentially with jitter; a revoked credential
// ends the loop with kExitRefused. Returns the process exit code.
int RunAgent(const AgentOptions& options, Random& random, std::ostream& err);

// What inventory a heartbeat carries: the hardware is read at the first heartbeat and then every
// `interval` (zero: never again) and sent while it differs from the last one the coordinator
// accepted, so a failed heartbeat sends it again. An inventory the coordinator refused (a 400
// naming an inventory field) is not sent again until the hardware changes.
class InventoryReporter {
 public:
  InventoryReporter(InventoryRoots roots, Duration interval);
  // The inventory to send with a heartbeat at `now`, if any (reads the hardware when due).
  std::optional<nlohmann::json> ToSend(Timestamp now);
  void Accepted(const nlohmann::json& inventory);
  void Refused(const nlohmann::json& inventory);

 private:
  InventoryRoots roots_;
  Duration interval_;
  bool read_once_ = false;
  Timestamp next_read_;
  nlohmann::json current_, accepted_, refused_;  // null until known
};

// Next retry delay after `failures` consecutive failures: min(cap, base * 2^(failures-1)),
// with full jitter in [delay/2, delay]. Pure given the random source.
std::chrono::milliseconds BackoffDelay(int failures, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap, Random& random);

}  // namespace hearth::agent
