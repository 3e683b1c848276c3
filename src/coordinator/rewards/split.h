// The reward split of one epoch: a pure function from the epoch's revenue, the operator policy
// and each device's uptime, capacity and attributed revenue to integer micro-unit payouts.
//
// Pools (docs/architecture.md, "Rewards"):
//   operator     = min(revenue, fixed_cost + floor(fee_bps × revenue / 10000))
//   rest         = revenue − operator
//   usage pool U = floor(rest × usage_share_bps / 10000), by each eligible device's attributed
//                  revenue a (A = Σ a over eligible devices)
//   participation pool Q = rest − U, by capacity_weight × online_seconds w of every eligible
//                  device (W = Σ w), so an idle device still earns
//   A usage pool with A = 0 moves to the participation pool; a participation pool with W = 0
//   goes to the operator. Ineligible devices (probation, banned, unverified) earn nothing.
// A device's exact share is e = U·a/A + Q·w/W (a rational; 0 when ineligible), Σ e = U + Q.
// It is rounded ONCE, as a whole, never per pool; then split into usage and participation.
//
// Closed epoch (`carry` false: `hearth rewards split` with the input, one epoch alone):
//   total  = largest-remainder apportionment of U + Q over the exact shares e (remainders
//            compared exactly; ties: smaller id first), so total ∈ {⌊e⌋, ⌈e⌉};
//   usage  = ⌊U·a/A⌋, plus one for each of the U − Σ⌊U·a/A⌋ leftover usage units, given to
//            devices with a usage remainder that hold a rounded-up unit (larger remainder
//            first, then smaller id); if those are fewer than the leftover, the rest is
//            relabelled from other rounded-up units (devices with attributed revenue first);
//   participation = total − usage.
//   Guarantees: operator + Σ total = revenue; Σ usage = U; Σ participation = Q; nothing is
//   negative; total ∈ {⌊e⌋, ⌈e⌉}; usage ≥ ⌊U·a/A⌋ and participation ≥ ⌊Q·w/W⌋ (so an eligible
//   device whose exact participation share is ≥ 1 unit is paid participation); the result is
//   independent of the input order; raising one device's online seconds never lowers its
//   total (its share grows, every other share shrinks or stays); replacing a device by two
//   devices with half its attributed revenue and capacity weight each and its uptime gives the
//   two together at most ONE unit more than the one device (write e = 2k + f: if f ≥ 1 the two
//   get at most 2k + 2 ≤ ⌊e⌋ + 1; if 0 < f < 1 and both halves (remainder f/2) round up, every
//   share that outranked the whole (remainder f) outranks the halves too, and at most L − 2 of
//   the L leftover units went to those, so the whole rounded up as well).
//
// Carry epoch (`carry` true: the ledger). Each device brings `carry_in`, the sub-unit share it
// has accrued but not been paid, in 1/kCarryScale micro-units (0 ≤ carry_in < kCarryScale):
//   f      = largest-remainder apportionment of (U + Q)·kCarryScale over e·kCarryScale (exact,
//            ties: smaller id), so ⌊e·S⌋ ≤ f ≤ ⌈e·S⌉ with S = kCarryScale;
//   total  = ⌊(f + carry_in) / S⌋, carry_out = (f + carry_in) mod S;
//   usage  = ⌊U·a/A⌋ (≤ total); participation = total − usage (idle devices: all of it);
//   carried = U + Q − Σ total, booked to the ledger's carry account (negative: paid out of it).
//   Guarantees: operator + Σ total + carried = revenue and Σ carry_out − Σ carry_in =
//   carried·S exactly (the carry account always holds Σ carries / S units); nothing negative;
//   order-independent; monotone in online seconds for a given carry_in. Over any run of epochs
//   a device's cumulative total is exactly ⌊(its first carry_in + Σ f) / S⌋: it never trails
//   its accrued exact share by a whole unit, so an eligible device (idle or not) is paid as soon
//   as its accrued share reaches one unit — every epoch in which e ≥ 1, and otherwise within
//   ⌈S / ⌊e·S⌋⌉ epochs at a constant share e ≥ 1/S. Splitting a device in two (halves of a
//   and capacity weight, carries summing to its carry) gains at most one unit in an epoch, and
//   at most one unit over any run of fewer than S epochs (the halves' f exceed the whole's by at
//   most one 1/S each epoch, and ⌊x⌋ + ⌊y⌋ ≤ ⌊x + y⌋).
//   What no rule can give: a positive payment in EVERY epoch to every eligible idle device
//   whenever Q > 0 — a pool of Q units cannot pay more than Q devices, and paying a minimum unit
//   below the exact share would let a machine split into k devices gain k − 1 units.
//
// Allocations are returned sorted by id. No I/O, no clock; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/amount.h"
#include "common/ids.h"
#include "common/status.h"

namespace hearth::rewards {

// Input bounds: they keep every product in Int128 and every sum in int64 (the exact remainder
// comparisons use 256-bit products).
inline constexpr int64_t kMaxBps = 10'000;
inline constexpr int64_t kMaxCapacityWeight = 1'000'000'000;
inline constexpr int64_t kMaxOnlineSeconds = 100'000'000;  // ~3 years
inline constexpr size_t kMaxDevices = 10'000'000;
// Carried remainders are counted in 1/kCarryScale micro-units (10^-18 of a whole AKT).
inline constexpr int64_t kCarryScale = 1'000'000'000'000;
inline constexpr size_t kMaxReasonLength = 200;

// How the operator is paid: the infrastructure cost of the epoch and a fee on its revenue.
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
  std::string ineligible_reason;  // why not eligible ("probation", "banned", ...); audit only
  int64_t carry_in = 0;           // carry epochs only: accrued sub-unit share, [0, kCarryScale)
};

struct SplitInput {
  Amount revenue;
  OperatorPolicy op;
  int64_t usage_share_bps = 0;
  std::optional<int64_t> epoch_seconds;  // when set, online_seconds may not exceed it
  bool carry = false;                    // carry epoch (the ledger) rather than a closed one
  std::vector<SplitDevice> devices;
};

struct Allocation {
  DeviceId id;
  Amount usage;
  Amount participation;
  Amount total;
  int64_t carry_out = 0;  // carry epochs only
  bool operator==(const Allocation&) const = default;
};

struct SplitResult {
  bool carry = false;
  Amount operator_share;      // everything the operator gets, including a moved pool
  Amount usage_pool;          // Σ usage paid (closed epochs: U; 0 when it moved)
  Amount participation_pool;  // Σ participation paid (closed epochs: Q)
  Amount carried;             // carry epochs: U + Q − Σ total (may be negative); closed: 0
  std::vector<Allocation> allocations;  // one per input device, sorted by id
};

// OK, or kInvalidArgument naming the field (e.g. "devices[3].online_seconds") and the fix.
Status ValidateSplitInput(const SplitInput& in);

// Validates, then splits (see the file comment for the rules and guarantees).
StatusOr<SplitResult> Split(const SplitInput& in);

// Largest-remainder apportionment of `pool` in proportion to `weights` (each ≥ 0, sum > 0,
// pool × weight fits in Int128). Ties in remainder go to the smaller index, so callers pass
// weights in id order. Returns one share per weight, summing to pool. Exposed for tests.
std::vector<int64_t> Apportion(int64_t pool, const std::vector<Int128>& weights);

}  // namespace hearth::rewards
