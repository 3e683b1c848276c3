// Pod attribution: which device ran how much of each Akash lease.
//
// The Akash provider labels every pod of a lease with `akash.network/lease.id.owner`, `.dseq`,
// `.gseq`, `.oseq` and `.provider`; the kube module records each such pod that runs on an edge
// node as a store::PodRun (when it started and stopped running there, what it requested). Over
// a window, a device's share of a lease is its part of the lease's weighted pod time: the sum
// over its pods of (time running inside the window) × (the pod's request weight, with the
// reward policy's capacity weights: per CPU core, per GiB of memory, per GPU). Shares are
// integers in parts per million that sum to exactly 10^6 per lease, and revenue split by them
// sums to exactly the lease's amount (largest remainder, ties to the smaller device id).
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/amount.h"
#include "common/clock.h"
#include "store/store.h"

namespace hearth::kube {

inline constexpr int64_t kShareScale = 1'000'000;  // shares are in parts per million

// "owner/dseq/gseq/oseq/provider" from a pod's labels; nullopt unless all five are present.
std::optional<std::string> LeaseIdFromLabels(const nlohmann::json& labels);

struct PodRequests {
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
  int64_t gpus = 0;  // nvidia.com/gpu + amd.com/gpu
};
// The sum of the pod's containers' resource requests (limits when a request is absent, as
// Kubernetes defaults requests to limits). Unreadable quantities count as zero.
PodRequests RequestsOf(const nlohmann::json& pod);

// Weights per resource; the rewards' CapacityTable values.
struct ShareWeights {
  int64_t per_cpu_core = 10;
  int64_t per_memory_gib = 2;
  int64_t per_gpu = 100;
};

struct DeviceShare {
  DeviceId device_id;
  int64_t run_ms = 0;    // pod time inside the window
  int64_t weighted = 0;  // Σ pod time (ms) × request weight (milli-units)
  int64_t share_ppm = 0;
  std::vector<std::string> pods;  // "namespace/name", sorted
};
struct LeaseShares {
  std::string lease_id;
  std::vector<DeviceShare> devices;  // by device id
};

// Every lease with pod time in [from, to), by lease id.
std::vector<LeaseShares> SharesOf(const std::vector<store::PodRun>& runs, Timestamp from,
                                  Timestamp to, const ShareWeights& weights);

// Splits `amount` over the lease's devices by weighted pod time; sums to `amount` exactly.
std::map<DeviceId, Amount, store::IdTextLess> SplitByShares(const LeaseShares& lease,
                                                            Amount amount);

// Revenue per device for lease revenue as the rewards ledger records it ({"leases":
// [{"lease_id","amount"}, ...]}): each lease's amount split by its shares over [from, to).
// Leases without pod time on edge devices attribute nothing. Empty when no lease has any.
std::map<DeviceId, Amount, store::IdTextLess> AttributeLeaseRevenue(
    const nlohmann::json& lease_detail, const std::vector<store::PodRun>& runs, Timestamp from,
    Timestamp to, const ShareWeights& weights);

nlohmann::json EncodeShares(const std::vector<LeaseShares>& shares);

}  // namespace hearth::kube
