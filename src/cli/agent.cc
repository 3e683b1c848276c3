#include "agent/agent.h"

#include <iostream>

#include "agent/wireguard/wireguard.h"
#include "cli/commands.h"
#include "common/flags.h"
#include "common/log.h"

namespace hearth::cli {

int RunAgentCommand(const Args& args) {
  agent::AgentOptions o;
  o.state_dir = "/var/lib/hearth";
  std::string log_format = "text";
  FlagSet flags("hearth agent [FLAGS]",
                "Runs the device agent: sends a heartbeat (uptime, load) to the coordinator at\n"
                "the interval it asks for, backing off with jitter while it is unreachable.\n"
                "With --network on it also runs the overlay WireGuard interface: applies each\n"
                "config version the coordinator publishes (kernel WireGuard when available,\n"
                "else a supervised wireguard-go), repairs drift at every heartbeat, and\n"
                "reports peers' handshakes. That needs root (or CAP_NET_ADMIN) and /dev/net/tun.\n"
                "With --k3s on (and the network on) a config carrying \"kubernetes\" makes this\n"
                "host a k3s agent of its region's cluster: config.yaml, the CNI bridge config,\n"
                "the pod egress rule and the k3s-agent unit, started through systemd when it\n"
                "runs the host; a config without it stops k3s and removes those files. Preview\n"
                "with `hearth k3s render`.\n"
                "The first heartbeat carries the hardware inventory, and so does the next one\n"
                "whenever a re-read finds it changed (a GPU added or swapped, memory, disks),\n"
                "which the portal shows as an upgrade event.\n"
                "Stops cleanly on SIGTERM or SIGINT; exits 3 if the device was removed.");
  flags.String("state-dir", &o.state_dir, "Directory written by `hearth join`.");
  flags.String("procfs-root", &o.procfs,
               "Where procfs is mounted (uptime, load, CPU, memory); empty: where `hearth join` "
               "read it (default /proc).");
  flags.String("sysfs-root", &o.sysfs,
               "Where sysfs is mounted (GPUs, disks, NICs); empty: as `hearth join` (/sys).");
  flags.String("etc-root", &o.etc, "Directory holding os-release; empty: as `hearth join` (/etc).");
  flags.Dur("inventory-interval", &o.inventory_interval,
            "How often to re-read the hardware; a GPU, CPU, memory or disk change is sent with "
            "the next heartbeat and shows on the device page. 0s: read once, at start.");
  flags.String("log-format", &log_format, "Log format: text or json.");
  std::string network = "on";
  flags.String("network", &network,
               "on: manage the overlay interface; off: heartbeats only (unprivileged).");
  flags.String("interface", &o.network_options.interface_name,
               "WireGuard interface name (at most 15 characters; unique on the host).");
  flags.String("wireguard-go", &o.network_options.wireguard_go,
               "wireguard-go binary for hosts without kernel WireGuard.");
  std::string k3s_mode = "on";
  flags.String("k3s", &k3s_mode,
               "on: run the k3s agent the config asks for; off: never touch k3s; dry-run: log "
               "what it would change.");
  AddK3sFlags(flags, &o.k3s);
  flags.Int("config-wait", &o.config_wait_seconds,
            "Seconds the coordinator may hold a config long-poll open.", 1, 60);
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth agent: " << rest.status().ToString() << "\n";
    return agent::kExitUsage;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (network != "on" && network != "off") {
    std::cerr << "hearth agent: --network must be on or off, not '" << network << "'\n";
    return agent::kExitUsage;
  }
  o.network = network == "on";
  auto mode = agent::k3s::ParseMode(k3s_mode, "--k3s");
  if (!mode.ok()) {
    std::cerr << "hearth agent: " << mode.status().ToString() << "\n";
    return agent::kExitUsage;
  }
  // k3s follows the overlay config, which only the network poll receives.
  o.k3s.mode = o.network ? *mode : agent::k3s::Mode::kOff;
  if (o.network) {
    if (Status st = agent::wireguard::ValidateInterfaceName(o.network_options.interface_name,
                                                            "--interface");
        !st.ok()) {
      std::cerr << "hearth agent: " << st.ToString() << "\n";
      return agent::kExitUsage;
    }
  }
  log::Format fmt;
  if (!log::ParseFormat(log_format, &fmt)) {
    std::cerr << "hearth agent: --log-format: must be text or json\n";
    return agent::kExitUsage;
  }
  log::Configure(fmt, log::Level::kInfo);
  BlockTerminationSignals();
  o.wait = [](std::chrono::milliseconds d) { return WaitForSignal(d); };
  return agent::RunAgent(o, SecureRandom::Instance(), std::cerr);
}

}  // namespace hearth::cli
