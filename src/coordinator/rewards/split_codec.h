// JSON form of the split's input and output: what `hearth rewards split` reads and prints and
// what the ledger stores with each settled epoch for audit.
//
// Input:  {"revenue":N,"operator":{"fixed_cost":N,"fee_bps":N},"usage_share_bps":N,
//          "epoch_seconds"?:N,"devices":[{"id":S,"online_seconds":N,"capacity_weight":N,
//          "attributed_revenue":N,"eligible":B}]}
// Output: {"operator":N,"allocations":[{"id":S,"usage":N,"participation":N,"total":N}]}
// Amounts are integers in micro-units. Decoding never throws; errors name the field
// ("devices[2].eligible") and the fix. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "coordinator/rewards/split.h"

namespace hearth::rewards {

// Decodes and validates (ValidateSplitInput) an input document.
StatusOr<SplitInput> DecodeSplitInput(const nlohmann::json& j);
// Parses text first: malformed JSON → kInvalidArgument reason "malformed_json".
StatusOr<SplitInput> DecodeSplitInput(const std::string& text);

nlohmann::json EncodeSplitInput(const SplitInput& in);
nlohmann::json EncodeSplitResult(const SplitResult& r);

}  // namespace hearth::rewards
