// hearth bid-script: the Akash provider daemon's bid price script (see
// ../shared/reference/akash/bid-script.md and coordinator/akash/bid_script.h).
#include "coordinator/akash/bid_script.h"

#include <cstdlib>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "common/flags.h"

namespace hearth::cli {

int RunBidScriptCommand(const Args& args) {
  std::string config_path, region = "default";
  FlagSet flags("hearth bid-script [FLAGS] < order.json",
                "Akash bid price script. Reads one order (JSON) from stdin and either prints the\n"
                "bid price per block and exits 0, or exits 1 with a one-line reason on stderr\n"
                "(IP leases, persistent storage beyond policy, GPU models no online device has,\n"
                "resources larger than the largest online device, no price for the denomination,\n"
                "price above the tenant's maximum). Fleet state comes from the coordinator\n"
                "(coordinator.url/token in the config), else from the cache file.");
  flags.String("akash-config", &config_path,
               "The Akash policy file (YAML): prices, edge policy, coordinator URL and token.");
  flags.String("region", &region, "The region this provider serves.");
  flags.Epilog(
      "In provider-services: --bid-price-strategy=shellScript\n"
      "  --bid-price-script-path=/usr/local/bin/hearth-bid (a wrapper that runs\n"
      "  `exec hearth bid-script --akash-config /etc/hearth/akash.yaml`)");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth: not bidding: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "hearth: not bidding: no --akash-config (or HEARTH_AKASH_CONFIG) given\n";
    return 2;
  }
  auto config = akash::LoadAkashConfig(config_path);
  if (!config.ok()) {
    std::cerr << "hearth: not bidding: " << config.status().ToString() << "\n";
    return 2;
  }
  // One JSON document; anything beyond 1 MiB is not an order.
  std::string input;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    input.append(buf, static_cast<size_t>(std::cin.gcount()));
    if (input.size() > (size_t{1} << 20)) {
      std::cerr << "hearth: not bidding: the order on stdin is larger than 1 MiB\n";
      return 1;
    }
  }
  const char* denom = std::getenv("AKASH_DENOM");
  const akash::BidScriptResult r = akash::RunBidScript(
      input, *config, region, denom ? denom : "",
      [&] { return akash::FetchFleet(*config, region, SystemClock::Instance()); });
  std::cout << r.out << std::flush;
  std::cerr << r.err << std::flush;
  return r.exit_code;
}

}  // namespace hearth::cli
