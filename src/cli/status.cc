#include <iostream>

#include "agent/state.h"
#include "api/network.h"
#include "cli/commands.h"
#include "common/flags.h"

namespace hearth::cli {

int RunStatus(const Args& args) {
  std::string state_dir = "/var/lib/hearth";
  bool json = false;
  FlagSet flags("hearth status [--json] [FLAGS]",
                "Shows this device's enrollment (device id, name, coordinator) and the agent's\n"
                "last heartbeat outcome, from the state directory. Exit code 0 when enrolled,\n"
                "1 when not.");
  flags.String("state-dir", &state_dir, "Directory written by `hearth join`.");
  flags.Bool("json", &json, "Print JSON instead of text.");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth status: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  agent::StateDir dir(state_dir);
  auto device = dir.LoadDevice();
  if (!device.ok()) {
    std::cerr << "hearth status: " << device.status().ToString() << "\n";
    return 1;
  }
  auto status = dir.LoadStatus();
  std::optional<agent::AgentStatus> st;
  if (status.ok()) st = *status;
  if (json) {
    nlohmann::json j = {{"enrolled", device->has_value()}};
    if (device->has_value()) {
      const auto& d = **device;
      j["device_id"] = d.device_id;
      j["name"] = d.name;
      j["coordinator"] = d.coordinator;
      j["enrolled_at"] = d.enrolled_at;
      j["heartbeat_interval_seconds"] = d.heartbeat_interval_seconds;
    }
    j["agent"] = st ? agent::StatusToJson(*st) : nlohmann::json(nullptr);
    std::cout << j.dump(2) << "\n";
    return device->has_value() ? 0 : 1;
  }
  if (!device->has_value()) {
    std::cout << "Not enrolled (state directory " << state_dir
              << ").\nEnroll with: hearth join --coordinator URL --state-dir " << state_dir
              << " INSTALL-KEY\n";
    return 1;
  }
  const auto& d = **device;
  std::cout << "Device:       " << d.device_id << " (" << d.name << ")\n"
            << "Coordinator:  " << d.coordinator << "\n"
            << "Enrolled at:  " << d.enrolled_at << "\n"
            << "Heartbeat:    every " << d.heartbeat_interval_seconds << "s\n";
  if (!st) {
    std::cout << "Agent:        has not run yet (start it: hearth agent --state-dir " << state_dir
              << ")\n";
  } else if (st->revoked) {
    std::cout << "Agent:        REVOKED — " << st->last_error << "\n";
  } else if (st->last_error.empty()) {
    std::cout << "Agent:        ok, last heartbeat " << st->last_success << "\n";
  } else {
    std::cout << "Agent:        failing (" << st->consecutive_failures
              << " in a row): " << st->last_error << "\n"
              << "              last success "
              << (st->last_success.empty() ? "never" : st->last_success) << "\n";
  }
  if (st && st->network.is_object()) {
    auto net = api::DecodeNetworkStatus(st->network, "network");
    if (net.ok()) {
      std::cout << "Network:      " << net->interface << ", config version " << net->applied_version
                << " applied, " << net->peers.size() << " peer"
                << (net->peers.size() == 1 ? "" : "s") << " (as of " << st->last_attempt << ")\n";
      for (const auto& p : net->peers) {
        std::cout << "  peer " << p.public_key << "  "
                  << (p.endpoint.empty() ? "(no endpoint)" : p.endpoint) << "  handshake "
                  << (p.last_handshake_seconds_ago
                          ? std::to_string(*p.last_handshake_seconds_ago) + "s ago"
                          : std::string("never"))
                  << "  rx " << p.rx_bytes << " B  tx " << p.tx_bytes << " B\n";
      }
    }
  } else if (st) {
    std::cout << "Network:      off (agent runs with --network off)\n";
  }
  if (st && st->k3s.is_object()) {
    const nlohmann::json& k = st->k3s;
    const std::string state = k.value("state", "");
    std::cout << "Kubernetes:   k3s agent " << state;
    if (k.contains("node_name")) {
      std::cout << ", node " << k.value("node_name", "") << " of " << k.value("server", "");
    }
    if (k.contains("changed_at")) std::cout << ", last changed " << k.value("changed_at", "");
    std::cout << "\n";
    if (k.contains("error")) std::cout << "              " << k.value("error", "") << "\n";
    if (k.contains("rejected")) {
      std::cout << "              newest config refused: " << k.value("rejected", "") << "\n";
    }
  }
  return 0;
}

}  // namespace hearth::cli
