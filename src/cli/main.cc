// hearth: one binary for the coordinator, the device agent and the CLI.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(hearth — turn home computers into Akash provider worker nodes

Usage: hearth COMMAND [FLAGS]

Coordinator:
  serve      Run the coordinator (HTTP API, store, liveness)
  demo       Run a local coordinator with a demo owner and simulated devices
  rewards    Reward tools: `rewards split` splits one epoch (JSON stdin → stdout)
  earnings   Show an owner's earnings and balance from the coordinator

Device agent:
  join       Enroll this device with an install key
  agent      Run the agent: heartbeats to the coordinator
  status     Show this device's enrollment and agent state
  leave      Deregister this device and delete its local state
  region     `region proposals`, `region volunteer`: host the region your waitlisted
             devices wait for
  k3s        `k3s render`: the k3s agent files and commands for this device, changing nothing

Akash:
  bid-script  Akash bid price script: reads an order on stdin, prints a price or declines
  sdl check   Can an Akash SDL file run on the edge fleet, and why not

Administration:
  admin      Manage the coordinator over its API: regions (create, update, list, drain,
             activate, grant, proposals, approve, attributes) and devices (list, show,
             cordon, uncordon, drain, ban, unban)

Other:
  version    Print the version

Run `hearth COMMAND --help` for the flags of a command. Every flag can also be set through
an environment variable HEARTH_<FLAG> (e.g. --state-dir → HEARTH_STATE_DIR).
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "serve") return hearth::cli::RunServe(args);
  if (cmd == "join") return hearth::cli::RunJoin(args);
  if (cmd == "agent") return hearth::cli::RunAgentCommand(args);
  if (cmd == "status") return hearth::cli::RunStatus(args);
  if (cmd == "leave") return hearth::cli::RunLeave(args);
  if (cmd == "demo") return hearth::cli::RunDemo(args);
  if (cmd == "rewards") return hearth::cli::RunRewards(args);
  if (cmd == "earnings") return hearth::cli::RunEarnings(args);
  if (cmd == "bid-script") return hearth::cli::RunBidScriptCommand(args);
  if (cmd == "sdl") return hearth::cli::RunSdl(args);
  if (cmd == "admin") return hearth::cli::RunAdmin(args);
  if (cmd == "region") return hearth::cli::RunRegion(args);
  if (cmd == "k3s") return hearth::cli::RunK3s(args);
  if (cmd == "version" || cmd == "--version") {
    std::cout << "hearth " << HEARTH_VERSION << "\n";
    return 0;
  }
  std::cerr << "hearth: unknown command '" << cmd << "'\n\n" << kUsage;
  return 2;
}
