// The bid price script's logic, apart from process I/O so tests can drive it: order text in,
// exit code + stdout + stderr out. Exit 0 with one positive decimal on stdout = bid; exit 1
// with one line on stderr = decline (the provider daemon logs it). Never throws.
#pragma once

#include <functional>
#include <string>

#include "coordinator/akash/config.h"
#include "coordinator/akash/fleet_client.h"

namespace hearth::akash {

struct BidScriptResult {
  int exit_code = 1;
  std::string out;  // the price and a newline, when bidding
  std::string err;  // the one-line reason when declining; a note when bidding from the cache
};

using FleetSource = std::function<StatusOr<FleetFetch>()>;

BidScriptResult RunBidScript(const std::string& order_text, const AkashConfig& config,
                             const std::string& region, const std::string& env_denom,
                             const FleetSource& fleet);

}  // namespace hearth::akash
