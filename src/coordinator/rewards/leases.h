// Revenue of an epoch from Akash lease records.
//
// Input is the Akash REST lease list (GET /akash/market/v1beta4/leases/list):
//   {"leases":[{"lease":{"lease_id":{"owner","dseq","gseq","oseq","provider"},"state",
//     "price":{"denom","amount"},"created_at":"<height>","closed_on":"<height>"}}, ...]}
// where price.amount is a decimal string per block and heights are strings. An epoch is the
// block window [start_height, end_height) (about 6 s per block). A lease earns
// price × (blocks it was open within the window), floored to micro-units per lease.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/amount.h"
#include "common/status.h"

namespace hearth::rewards {

struct LeaseRevenue {
  std::string lease_id;  // owner/dseq/gseq/oseq/provider
  int64_t blocks = 0;
  Amount amount;
};

struct EpochLeaseRevenue {
  Amount total;
  std::vector<LeaseRevenue> leases;  // leases that earned in the window
  nlohmann::json ToJson() const;
};

// Errors name the field ("leases[2].lease.price.amount"). Leases in another denomination than
// `denom` are refused (a mixed batch needs a price conversion Hearth does not do).
StatusOr<EpochLeaseRevenue> RevenueFromLeases(const nlohmann::json& lease_list,
                                              int64_t start_height, int64_t end_height,
                                              const std::string& denom = "uakt");

}  // namespace hearth::rewards
