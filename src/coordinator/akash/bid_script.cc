#include "coordinator/akash/bid_script.h"

#include "coordinator/akash/policy.h"

namespace hearth::akash {
namespace {

BidScriptResult Decline(const std::string& reason) {
  std::string line = "hearth: not bidding: " + reason;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return {1, "", line + "\n"};
}

}  // namespace

BidScriptResult RunBidScript(const std::string& order_text, const AkashConfig& config,
                             const std::string& region, const std::string& env_denom,
                             const FleetSource& fleet) {
  try {
    auto order = ParseOrder(order_text, env_denom);
    if (!order.ok()) {
      return Decline("invalid order: " + order.status().field() + ": " + order.status().message());
    }
    auto fetched = fleet();
    if (!fetched.ok()) return Decline("no fleet state: " + fetched.status().message());
    const Decision d = Decide(*order, config.Region(region), fetched->fleet);
    if (!d.bid) {
      std::string line = d.ReasonLine();
      if (fetched->from_cache) line += " [" + fetched->note + "]";
      return Decline(line);
    }
    BidScriptResult r;
    r.exit_code = 0;
    r.out = d.price + "\n";
    if (fetched->from_cache) r.err = "hearth: " + fetched->note + "\n";
    return r;
  } catch (const std::exception& e) {
    return Decline(std::string("internal error: ") + e.what());
  }
}

}  // namespace hearth::akash
