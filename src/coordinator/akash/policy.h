// The edge policy decision and the price: whether a region of home devices should bid on an
// order, and at what price. Pure functions of (order, region config, fleet snapshot); used by
// `hearth bid-script` and by the SDL check, so both judge alike. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/akash.h"
#include "coordinator/akash/config.h"
#include "coordinator/akash/order.h"

namespace hearth::akash {

// Appends to `out` every reason the region cannot run one replica of `r`: ip_lease,
// persistent_storage, gpu_unavailable, too_large. `service` labels the reasons ("" for orders;
// then messages name the resource by `label`, e.g. "resources[0]").
void CheckResource(const ResourceReq& r, const EdgePolicy& policy, const api::FleetSnapshot& fleet,
                   const std::string& service, const std::string& label,
                   std::vector<api::CheckReason>* out);

// The price per block for `o` at its precision, as a decimal string ("12.500000"); never zero
// or negative (at least one unit of the last decimal). kFailedPrecondition reason "no_price"
// when the table has no rate for something the order needs; kResourceExhausted "too_large"
// when the price does not fit.
StatusOr<std::string> PriceOrder(const Order& o, const PriceTable& table,
                                 const api::FleetSnapshot& fleet);

// Compares two non-negative decimal strings at `precision` digits (extra digits truncated):
// <0, 0, >0.
int CompareDecimal(const std::string& a, const std::string& b, int precision);

struct Decision {
  bool bid = false;
  std::string price;                      // when bid
  std::vector<api::CheckReason> reasons;  // when not
  // "ip_lease: ...; too_large: ..." on one line, for the bid script's stderr.
  std::string ReasonLine() const;
};

Decision Decide(const Order& o, const RegionConfig& region, const api::FleetSnapshot& fleet);

}  // namespace hearth::akash

namespace hearth::akash {
// Σ amount_i × count_i of non-negative decimals, exact to 18 decimals ("10000.000000000000000000",
// as the provider daemon writes prices).
std::string SumDecimal(const std::vector<std::pair<std::string, int64_t>>& terms);
}  // namespace hearth::akash
