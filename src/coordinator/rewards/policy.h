// RewardPolicy: the knobs of the reward split and ledger (epoch length, operator share, pools,
// probation, capacity table, withdrawal minimum), and the capacity weight of a device.
//
// One policy from `hearth serve` flags today; per-region policies replace `op` later (the
// ledger asks OperatorFor(region) — one region for now). Every settled epoch records the
// policy's Version(), so an entry can be traced to the rules that produced it. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/inventory/inventory.h"
#include "common/amount.h"
#include "common/clock.h"
#include "coordinator/rewards/split.h"

namespace hearth::rewards {

// Capacity weight = cores × per_cpu_core + GiB × per_memory_gib + Σ GPU weights. Linear with
// no per-device constant, so splitting one machine into two devices never adds weight.
struct CapacityTable {
  int64_t per_cpu_core = 10;
  int64_t per_memory_gib = 2;
  int64_t gpu_default = 100;                  // a GPU whose model is not in the table
  std::map<std::string, int64_t> gpu_models;  // Akash model name ("rtx4090") → weight
  static CapacityTable Default();
};

int64_t CapacityWeight(const agent::Inventory& inv, const CapacityTable& table);

struct RewardPolicy {
  Duration epoch = std::chrono::hours(1);
  OperatorPolicy op;               // per region later; one policy for now
  int64_t usage_share_bps = 5000;  // of what is left after the operator
  // Carry epochs (split.h): each device's sub-unit share is carried to its next epoch, so an
  // idle device on a small pool is paid once its accrued share reaches a unit.
  bool carry = true;
  Duration probation = std::chrono::hours(24);
  // An epoch is final (settleable) this long after it ends: late heartbeats may still extend
  // uptime intervals into it until the offline threshold has passed.
  Duration settle_grace = std::chrono::minutes(5);
  // The settlement loop waits this long after an epoch for its revenue to be entered; then it
  // settles with whatever revenue is recorded (zero if none).
  Duration revenue_wait = std::chrono::hours(24);
  Amount min_withdrawal = Amount::Micro(1'000'000);
  CapacityTable capacity = CapacityTable::Default();

  nlohmann::json ToJson() const;
  // "pol_" + the first 16 hex digits of SHA-256 over ToJson(): changes when any rule changes.
  std::string Version() const;
};

}  // namespace hearth::rewards
