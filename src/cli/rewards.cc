// `hearth rewards split`: the reward split of one epoch, from JSON on stdin to JSON on stdout.
// The ledger settles epochs with the same function (coordinator/rewards/split.h).
#include <iostream>
#include <iterator>
#include <string>

#include "cli/commands.h"
#include "common/flags.h"
#include "coordinator/rewards/split_codec.h"

namespace hearth::cli {
namespace {

constexpr const char* kRewardsUsage = R"(Usage: hearth rewards SUBCOMMAND

  split   Split one epoch's revenue between the operator and the devices (JSON stdin → stdout)

Run `hearth rewards split --help` for the input and output shapes.
)";

int RunSplit(const Args& args) {
  FlagSet flags(
      "hearth rewards split < epoch.json",
      "Reads one epoch's input as JSON on stdin and prints the allocation as JSON.\n"
      "Amounts are integers in micro-units (uakt); bps are basis points (10000 = 100 %).\n\n"
      "Input:\n"
      "  {\"revenue\":N,\"operator\":{\"fixed_cost\":N,\"fee_bps\":N},\"usage_share_bps\":N,\n"
      "   \"epoch_seconds\":N (optional; online_seconds may not exceed it),\n"
      "   \"devices\":[{\"id\":S,\"online_seconds\":N,\"capacity_weight\":N,\n"
      "                \"attributed_revenue\":N,\"eligible\":B}]}\n"
      "Output (allocations sorted by id):\n"
      "  {\"operator\":N,\"allocations\":[{\"id\":S,\"usage\":N,\"participation\":N,"
      "\"total\":N}]}\n\n"
      "operator = min(revenue, fixed_cost + fee); the rest is a usage pool (by\n"
      "attributed revenue) and a participation pool (by capacity_weight ×\n"
      "online_seconds) over eligible devices, rounded by largest remainder so the\n"
      "epoch balances to the unit. Exit code 2 on invalid input (the field is named).");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth rewards split: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (!rest->empty()) {
    std::cerr << "hearth rewards split: unexpected argument '" << (*rest)[0]
              << "'; the epoch input is read from stdin\n";
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(std::cin)),
                         std::istreambuf_iterator<char>());
  auto input = rewards::DecodeSplitInput(text);
  if (!input.ok()) {
    std::cerr << "hearth rewards split: " << input.status().ToString() << "\n";
    return 2;
  }
  auto result = rewards::Split(*input);
  if (!result.ok()) {
    std::cerr << "hearth rewards split: " << result.status().ToString() << "\n";
    return 2;
  }
  std::cout << rewards::EncodeSplitResult(*result).dump() << "\n";
  return 0;
}

}  // namespace

int RunRewards(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kRewardsUsage;
    return args.empty() ? 2 : 0;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "split") return RunSplit(rest);
  std::cerr << "hearth rewards: unknown subcommand '" << args[0] << "'\n\n" << kRewardsUsage;
  return 2;
}

}  // namespace hearth::cli
