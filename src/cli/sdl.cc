// hearth sdl check FILE: can this Akash SDL run on the edge fleet, and if not, why.
#include "coordinator/akash/sdl.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "common/flags.h"
#include "coordinator/akash/fleet_client.h"

namespace hearth::cli {

int RunSdl(const Args& args) {
  std::string config_path, region = "default", fleet_path;
  bool json = false;
  FlagSet flags("hearth sdl check [FLAGS] FILE",
                "Parses an Akash SDL (v2.0) file and reports, per deployed service, whether it\n"
                "can run on the edge fleet and why not (ip_lease, persistent_storage,\n"
                "gpu_unavailable, too_large, invalid), plus the bid-script input each placement\n"
                "group implies. Exit 0 when the file could be judged (runnable or not), 2 when\n"
                "it is not valid SDL, 1 when the fleet state is unavailable.");
  flags.String("akash-config", &config_path,
               "The Akash policy file (edge policy; coordinator URL and token for fleet state).");
  flags.String("region", &region, "The region to judge against.");
  flags.String("fleet", &fleet_path,
               "A fleet snapshot JSON file to judge against instead of asking the coordinator.");
  flags.Bool("json", &json,
             "Print {\"runnable\",\"reasons\":[{\"code\",\"service\",\"message\"}],"
             "\"bid_inputs\"}.");
  if (args.empty() || args[0] != "check") {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::cout << flags.Help();
      return 0;
    }
    std::cerr << "hearth sdl: expected `hearth sdl check FILE` (see hearth sdl check --help)\n";
    return 2;
  }
  auto rest = flags.Parse(Args(args.begin() + 1, args.end()));
  if (!rest.ok()) {
    std::cerr << "hearth sdl check: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (rest->size() != 1) {
    std::cerr << "hearth sdl check: give exactly one SDL file (see --help)\n";
    return 2;
  }
  const std::string& file = rest->front();
  std::ifstream in(file);
  if (!in) {
    std::cerr << "hearth sdl check: cannot read '" << file << "'\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto sdl = akash::ParseSdl(ss.str());
  if (!sdl.ok()) {
    const std::string msg = sdl.status().field() + ": " + sdl.status().message();
    if (json) {
      api::SdlCheckReport report;
      report.reasons.push_back({"invalid", "", msg});
      std::cout << api::EncodeSdlCheck(report).dump(2) << "\n";
    } else {
      std::cerr << file << ": not valid SDL: " << msg << "\n";
    }
    return 2;
  }
  akash::AkashConfig config;
  if (!config_path.empty()) {
    auto c = akash::LoadAkashConfig(config_path);
    if (!c.ok()) {
      std::cerr << "hearth sdl check: " << c.status().ToString() << "\n";
      return 2;
    }
    config = std::move(*c);
  }
  api::FleetSnapshot fleet;
  if (!fleet_path.empty()) {
    auto f = akash::ReadFleetFile(fleet_path);
    if (!f.ok()) {
      std::cerr << "hearth sdl check: --fleet: " << f.status().ToString() << "\n";
      return 1;
    }
    fleet = std::move(*f);
  } else {
    auto f = akash::FetchFleet(config, region, SystemClock::Instance());
    if (!f.ok()) {
      std::cerr << "hearth sdl check: no fleet state: " << f.status().message()
                << " (give --fleet FILE or coordinator.url in --akash-config)\n";
      return 1;
    }
    if (f->from_cache) std::cerr << "hearth sdl check: " << f->note << "\n";
    fleet = std::move(f->fleet);
  }
  const api::SdlCheckReport report = akash::CheckSdl(*sdl, config.Region(region), fleet);
  if (json) {
    std::cout << api::EncodeSdlCheck(report).dump(2) << "\n";
    return 0;
  }
  std::cout << file << ": " << (report.runnable ? "runnable" : "NOT runnable") << " on region '"
            << region << "' (" << fleet.devices_online << " devices online)\n";
  for (const auto& r : report.reasons) std::cout << "  " << r.code << ": " << r.message << "\n";
  for (const auto& b : report.bid_inputs) std::cout << "  bid-script input: " << b.dump() << "\n";
  return 0;
}

}  // namespace hearth::cli
