// `hearth admin AREA ...`: administration of a coordinator over its API, with a session token.
// Each area lives in its own file (admin_<area>.cc); this file only dispatches.
#include <iostream>

#include "cli/commands.h"

namespace hearth::cli {

namespace {

constexpr const char* kAdminUsage = R"(Usage: hearth admin AREA COMMAND [FLAGS]

Areas:
  region     Region catalog: create, update, list, drain, activate
  device     Devices: list, show, cordon, uncordon, drain, ban, unban

Every admin command talks to --coordinator (HEARTH_COORDINATOR) with the session token in
--token (HEARTH_TOKEN). Run `hearth admin AREA --help` for its commands.
)";

}  // namespace

int RunAdmin(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kAdminUsage;
    return args.empty() ? 2 : 0;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "region") return RunAdminRegion(rest);
  if (args[0] == "device") return RunAdminDevice(rest);
  std::cerr << "hearth admin: unknown area '" << args[0] << "'\n\n" << kAdminUsage;
  return 2;
}

}  // namespace hearth::cli
