// Eligibility of a device for one epoch's rewards: a pure function of the device's facts, so
// the ledger, its audit and the tests agree on every verdict and its reason.
//
// A device is eligible for the epoch [start, end) unless, checked in this order:
//   "banned"              its admin state is 'banned' since before the epoch's end;
//   "hardware_unverified" Kubernetes reports the node's capacity (the kube module's k8s_json
//                         "capacity") and the inventory claims more than it: CPU cores or
//                         threads above capacity "cpu", memory above capacity "memory" by more
//                         than kMemoryTolerancePercent, or more NVIDIA/AMD GPUs than
//                         "nvidia.com/gpu"/"amd.com/gpu" (a missing key counts as 0). No
//                         capacity (no cluster, not joined yet) → verified. The weight comes
//                         from the inventory, so a claim above what the node has would be paid.
//   "probation"           it enrolled less than `probation` before the epoch's start.
// The reason is "<code>: <detail>", at most kMaxReasonLength characters. Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "agent/inventory/inventory.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/rewards/split.h"  // kMaxReasonLength

namespace hearth::rewards {

inline constexpr int64_t kMemoryTolerancePercent = 2;

struct EligibilityFacts {
  Timestamp enrolled_at;
  std::string admin_state = "active";       // 'active' | 'cordoned' | 'drained' | 'banned'
  std::optional<Timestamp> admin_state_at;  // when it entered admin_state (unknown: always)
  // The inventory as stored at enrollment; an error when it does not parse.
  StatusOr<agent::Inventory> inventory = agent::Inventory{};
  std::string k8s_json = "{}";  // the kube module's node facts; "" / "{}" = none
};

struct Eligibility {
  bool eligible = true;
  std::string reason;  // empty when eligible
};

Eligibility EligibilityFor(const EligibilityFacts& facts, Timestamp epoch_start,
                           Timestamp epoch_end, Duration probation);

// A Kubernetes resource quantity ("16", "15500m", "64Gi", "65843184Ki", "1.5G", "2e3") scaled
// by `scale` (1000 for CPU millicores, 1 for bytes and counts), rounded down; std::nullopt when
// it is not a quantity or does not fit in int64.
std::optional<int64_t> ParseQuantity(const std::string& q, int64_t scale);

}  // namespace hearth::rewards
