// The reward split of one epoch: a pure function from the epoch's revenue, the operator policy
// and each device's uptime, capacity and attributed revenue to integer micro-unit payouts.
//
// Rules (docs/architecture.md, "Rewards"):
//   operator     = min(revenue, fixed_cost + floor(fee_bps × revenue / 10000))
//   rest         = revenue − operator
//   usage pool   = floor(rest × usage_share_bps / 10000), paid in proportion to each eligible
//                  device's attributed revenue
//   participation pool = rest − usage pool, paid in proportion to capacity_weight ×
//                  online_seconds of every eligible device (so an idle device still earns)
//   A usage pool with no eligible attributed revenue moves to the participation pool; a
//   participation pool with no eligible device with weight × seconds > 0 goes to the operator.
//   Ineligible devices (probation, banned, unverified) earn nothing.
// Each pool is rounded by largest remainder (ties: smaller id first), so operator + Σ totals
// equals revenue exactly. The result does not depend on the order of the devices; allocations
// are returned sorted by id. No I/O, no clock, no allocation beyond the result; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/amount.h"
#include "common/ids.h"
#include "common/status.h"

namespace hearth::rewards {

// Input bounds: they keep every product in Int128 and every sum in int64.
inline constexpr int64_t kMaxBps = 10'000;
inline constexpr int64_t kMaxCapacityWeight = 1'000'000'000;
inline constexpr int64_t kMaxOnlineSeconds = 100'000'000;  // ~3 years
inline constexpr size_t kMaxDevices = 10'000'000;

// How the operator is paid; per region later, one policy from flags today.
struct OperatorPolicy {
  Amount fixed_cost;  // infrastructure cost of the epoch
  int64_t fee_bps = 0;
};

struct SplitDevice {
  DeviceId id;
  int64_t online_seconds = 0;
  int64_t capacity_weight = 0;
  Amount attributed_revenue;
  bool eligible = false;
};

struct SplitInput {
  Amount revenue;
  OperatorPolicy op;
  int64_t usage_share_bps = 0;
  std::optional<int64_t> epoch_seconds;  // when set, online_seconds may not exceed it
  std::vector<SplitDevice> devices;
};

struct Allocation {
  DeviceId id;
  Amount usage;
  Amount participation;
  Amount total;
  bool operator==(const Allocation&) const = default;
};

struct SplitResult {
  Amount operator_share;                // everything the operator gets, including moved pools
  Amount usage_pool;                    // as paid to devices (0 when it moved)
  Amount participation_pool;            // as paid to devices (0 when it moved to the operator)
  std::vector<Allocation> allocations;  // one per input device, sorted by id
};

// OK, or kInvalidArgument naming the field (e.g. "devices[3].online_seconds") and the fix.
Status ValidateSplitInput(const SplitInput& in);

// Validates, then splits. operator_share + Σ allocations[i].total == revenue.
StatusOr<SplitResult> Split(const SplitInput& in);

// Largest-remainder apportionment of `pool` in proportion to `weights` (each ≥ 0, sum > 0,
// pool × weight fits in Int128). Ties in remainder go to the smaller index, so callers pass
// weights in id order. Returns one share per weight, summing to pool. Exposed for tests.
std::vector<int64_t> Apportion(int64_t pool, const std::vector<Int128>& weights);

}  // namespace hearth::rewards
