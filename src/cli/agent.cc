#include "agent/agent.h"

#include <iostream>

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
                "Stops cleanly on SIGTERM or SIGINT; exits 3 if the device was removed.");
  flags.String("state-dir", &o.state_dir, "Directory written by `hearth join`.");
  flags.String("procfs-root", &o.procfs, "Where procfs is mounted (uptime, load).");
  flags.String("log-format", &log_format, "Log format: text or json.");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth agent: " << rest.status().ToString() << "\n";
    return agent::kExitUsage;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
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
