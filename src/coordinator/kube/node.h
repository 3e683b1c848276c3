// Node: what the coordinator wants a device's Kubernetes Node to look like, and how far the
// observed Node is from it.
//
// Labels: region, device id and edge marker under hearth.dev/, and the GPU labels exactly as
// Akash's inventory operator writes them (akash-network/provider operator/inventory:
// `akash.network/capabilities.gpu.vendor.<vendor>.model.<model>` = count, with `.ram.<size>` and
// `.interface.<pcie|sxm>` variants, and `nvidia.com/gpu.present=true`). Taints: the region's
// edge taint when its policy requires opt-in. Spec: podCIDR (set once, when empty) and
// unschedulable (the device's admin state). Labels and taints under Hearth's keys are owned by
// Hearth: one that is no longer wanted is removed; everything else on the Node is left alone.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/inventory/inventory.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace hearth::kube {

inline constexpr const char* kLabelRegion = "hearth.dev/region";
inline constexpr const char* kLabelDevice = "hearth.dev/device";
inline constexpr const char* kLabelEdge = "hearth.dev/edge";
inline constexpr const char* kAkashGpuLabelPrefix = "akash.network/capabilities.gpu.";
inline constexpr const char* kNvidiaGpuPresent = "nvidia.com/gpu.present";
// The edge taint's key; a region that requires opt-in taints its edge nodes with it.
inline constexpr const char* kEdgeTaintKey = "hearth.dev/edge";

struct Taint {
  std::string key, value, effect;  // effect: NoSchedule, PreferNoSchedule or NoExecute
  std::string ToString() const;    // "key=value:Effect" (or "key:Effect" without a value)
  nlohmann::json ToJson() const;
  bool operator==(const Taint&) const = default;
};
// "key=value:Effect" or "key:Effect"; errors name `field`.
StatusOr<Taint> ParseTaint(const std::string& text, const std::string& field);
// The default edge taint: hearth.dev/edge=true:NoSchedule.
Taint DefaultEdgeTaint();

// A region's node policy.
struct NodePolicy {
  std::optional<Taint> edge_taint;  // set: every edge node carries it (workloads opt in)
};

// "hearth-<the 16 characters after dev_>-<generation>": a DNS label, unique per identity.
std::string NodeName(const DeviceId& device, int64_t generation);

// The GPU labels of Akash's inventory operator for the device's GPUs (models the Akash GPU
// database knows; others are skipped, as the operator skips them).
std::map<std::string, std::string> AkashGpuLabels(const agent::Inventory& inventory);

// True for the label keys Hearth owns on edge nodes.
bool IsManagedLabel(const std::string& key);

struct DesiredNode {
  std::string name;
  std::map<std::string, std::string> labels;  // every managed label, with its value
  std::vector<Taint> taints;                  // every managed taint
  std::string pod_cidr;                       // "" when the device has none
  bool unschedulable = false;
};

// The node the device should have under `policy` ("cordoned", "drained" and "banned" admin
// states, and removal, make it unschedulable).
DesiredNode DesiredNodeFor(const store::Device& device, const std::string& node_name,
                           const NodePolicy& policy);

// What differs between an observed Node object and the desired one, as a JSON merge patch
// (nullopt: nothing to do). A change of taints replaces the whole list, so the patch then carries
// the Node's resourceVersion as a precondition (a concurrent change → 409, retried on the next
// event). `conflicts` gets what cannot be fixed by a patch (e.g. a different podCIDR, which is
// immutable once set).
std::optional<nlohmann::json> NodePatch(const nlohmann::json& node, const DesiredNode& desired,
                                        std::vector<std::string>* conflicts);

// What the coordinator reports about a Node (the device's k8s_state / k8s_json).
struct NodeFacts {
  bool ready = false;
  std::string
      ready_reason;  // the Ready condition's reason, e.g. "KubeletReady", "NodeStatusUnknown"
  std::string ready_since;  // its lastTransitionTime (RFC 3339, as the apiserver wrote it)
  nlohmann::json capacity = nlohmann::json::object();  // status.capacity (cpu, memory, GPUs...)
  bool unschedulable = false;
  std::string pod_cidr;
  std::string kubelet_version;
};
NodeFacts ObserveNode(const nlohmann::json& node);

// RFC 3339 with optional fraction ("2026-12-02T08:00:00Z", "...T08:00:00.123456Z") → Timestamp;
// nullopt when unreadable.
std::optional<Timestamp> ParseKubeTime(const std::string& text);

}  // namespace hearth::kube
