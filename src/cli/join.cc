#include <iostream>

#include "agent/agent.h"
#include "cli/commands.h"
#include "common/flags.h"

namespace hearth::cli {

int RunJoin(const Args& args) {
  agent::JoinOptions o;
  o.state_dir = "/var/lib/hearth";
  FlagSet flags("hearth join --coordinator URL [FLAGS] INSTALL-KEY",
                "Enrolls this device: runs preflight checks, collects the hardware inventory,\n"
                "creates the WireGuard and identity keys (private keys stay in --state-dir),\n"
                "and registers with the coordinator using a single-use install key from the\n"
                "portal's \"Add device\" page. Prints the new device id.");
  flags.String("coordinator", &o.coordinator, "Coordinator URL, e.g. http://127.0.0.1:8080.");
  flags.String("state-dir", &o.state_dir, "Directory for keys and enrollment state.");
  flags.String("name", &o.name, "Device name shown to the owner (default: the hostname).");
  flags.String("sysfs-root", &o.roots.sysfs, "Where sysfs is mounted (tests use fixture trees).");
  flags.String("procfs-root", &o.roots.procfs, "Where procfs is mounted.");
  flags.String("etc-root", &o.roots.etc, "Directory holding os-release.");
  flags.String("dev-root", &o.dev_root, "Directory holding net/tun.");
  flags.String("nvidia-smi", &o.roots.nvidia_smi,
               "nvidia-smi command for VRAM and driver version (empty: skip).");
  flags.String("country", &o.country,
               "Country this device is in (ISO code, e.g. KE), used to choose its region.");
  flags.Bool("ignore-preflight", &o.ignore_preflight, "Enroll even when preflight checks fail.");
  flags.String("role", &o.role,
               "worker (runs workloads, dials out), gateway (public WireGuard endpoint) or "
               "control (an operator's node on the overlay, dials out); gateway and control "
               "need an admin's install key.");
  flags.String("endpoint", &o.endpoint,
               "Gateways: public HOST:PORT that workers reach its WireGuard port at.");
  flags.Epilog(
      "Exit codes: 0 enrolled, 2 usage error, 3 refused by the coordinator (unknown, used,\n"
      "expired or revoked key), 4 coordinator unreachable, 5 preflight failed, 1 other.\n\n"
      "Example:\n  hearth join --coordinator http://127.0.0.1:8080 --state-dir ~/.hearth "
      "maple-river-stone-cloud-tiger");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth join: " << rest.status().ToString() << "\n";
    return agent::kExitUsage;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (rest->size() > 1) {
    std::cerr << "hearth join: expected one install key, got " << rest->size()
              << " arguments; quote a key typed with spaces\n";
    return agent::kExitUsage;
  }
  if (!rest->empty()) o.install_key = rest->front();
  if (o.install_key.empty()) {
    if (const char* k = std::getenv("HEARTH_INSTALL_KEY")) o.install_key = k;
  }
  return agent::Join(o, std::cout, std::cerr);
}

}  // namespace hearth::cli
