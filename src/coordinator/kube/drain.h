// Drain: moving a node's pods away through the Eviction API (policy/v1), as `kubectl drain`
// does, so PodDisruptionBudgets are respected: the apiserver refuses an eviction that would
// break a budget with 429, and the drain retries it until its timeout. DaemonSet pods and mirror
// (static) pods are left in place; pods already terminating are waited for.
//
// The drain's progress is a DrainReport kept in the device's k8s_json ("drain"), so a restarted
// coordinator resumes a drain where it was (same start, same timeout) and the report of what
// could not be evicted survives. Pure functions; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "coordinator/kube/client.h"

namespace hearth::kube {

enum class PodDrainClass {
  kEvict,        // evict it
  kTerminating,  // already being deleted: wait for it
  kDaemonSet,    // left in place (DaemonSet pods run on every node, even cordoned ones)
  kMirror,       // a static pod's mirror: the kubelet owns it
};
PodDrainClass ClassifyForDrain(const nlohmann::json& pod);

// "namespace/name".
std::string PodKey(const nlohmann::json& pod);

// The eviction request for a pod (POST .../pods/<name>/eviction).
Request EvictionRequest(const std::string& ns, const std::string& name, Duration timeout);

struct DrainReport {
  enum class State { kRunning, kDone, kTimedOut };
  State state = State::kRunning;
  Timestamp started_at;
  std::optional<Timestamp> finished_at;
  std::vector<std::string> evicted;                // pods evicted, "namespace/name"
  std::map<std::string, std::string> not_evicted;  // pod → why (the last refusal), while left
  int64_t attempts = 0;                            // eviction requests sent

  nlohmann::json ToJson() const;
  // nullopt when `j` is not a report (absent or from an older version).
  static std::optional<DrainReport> FromJson(const nlohmann::json& j);
};
std::string DrainStateName(DrainReport::State s);

// Why an eviction answer did not evict: 429 → the disruption budget message; other statuses
// their Status message. Empty for success (200/201) and for a pod that is gone (404).
std::string EvictionRefusal(const StatusOr<Response>& r);

}  // namespace hearth::kube
