// RegionController: keeps one region's Kubernetes cluster in step with the store (DESIGN §6).
//
// From the store (the source of truth, so a restarted coordinator resumes where it was):
//   - every attached worker gets a node identity (store::KubeNode: node name with a generation,
//     a bootstrap token that expires and is rotated before it does); the device's config version
//     is bumped so its agent fetches the join parameters (api::KubeJoin);
//   - the device's admin state: active → schedulable; cordoned → unschedulable; drained →
//     cordon + drain; banned or removed → cordon + drain + delete the Node + revoke the token
//     (the identity is retired; a device that comes back gets the next generation).
// From the cluster (list+watch of Nodes, node Leases and bound Pods):
//   - when a device's Node appears: spec.podCIDR (when empty), labels, taints (node.h);
//   - Ready and the lease are reflected on the device (store k8s_state / k8s_json);
//   - pods of Akash leases on edge nodes are recorded as store::PodRun (attribution.h).
//
// All work runs on the controller's own thread: watch callbacks only record what changed and
// wake it; requests to the apiserver are sent asynchronously with a bounded number in flight.
// HTTP handlers never wait for it. Thread-safe: Start/Stop from one thread; the rest from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "coordinator/kube/batch.h"
#include "coordinator/kube/client.h"
#include "coordinator/kube/drain.h"
#include "coordinator/kube/node.h"
#include "http/notifier.h"
#include "store/store.h"

namespace hearth::kube {

struct ControllerOptions {
  std::string region;
  NodePolicy policy;
  Duration token_ttl = std::chrono::hours(24);  // rotated when a quarter is left
  Duration drain_timeout = std::chrono::minutes(5);
  Duration resync = std::chrono::seconds(1);  // store re-read, drain steps, lease ages
  Duration request_timeout = std::chrono::seconds(10);
  size_t max_in_flight = 16;
  // A lease renewal alone is written to the store at most this often (per device).
  Duration lease_write_interval = std::chrono::seconds(30);
};

// Counters, readable from any thread.
struct ControllerStats {
  std::atomic<int64_t> passes{0};
  std::atomic<int64_t> node_patches{0};
  std::atomic<int64_t> request_errors{0};
  std::atomic<int64_t> tokens_created{0};
  std::atomic<int64_t> tokens_revoked{0};
  std::atomic<int64_t> evictions{0};
  std::atomic<int64_t> nodes_deleted{0};
  std::atomic<int64_t> pod_runs_started{0};
  std::atomic<int64_t> pod_runs_stopped{0};
  std::atomic<int64_t> state_writes{0};
};

class RegionController {
 public:
  // `client`, `store`, `clock`, `random` and `notifier` must outlive the controller.
  RegionController(ControllerOptions options, Client& client, store::Store& store,
                   const Clock& clock, Random& random, http::Notifier& notifier);
  ~RegionController();

  // Starts the watches and the worker thread. Call once.
  void Start();
  // Stops the watches and the worker (waits for requests in flight, at most request_timeout).
  void Stop();

  const ControllerOptions& options() const { return options_; }
  const ControllerStats& stats() const { return stats_; }
  // True once the watches delivered their first lists and one full pass ran after that.
  bool synced() const { return synced_.load(); }

  // The region's apiserver URL and CA hash for join tokens: the region catalog's
  // kube_api_endpoint / kube_ca_hash when set, else `fallback_server` / `fallback_ca_hash`
  // (from the kubeconfig). Refreshed from the store by the worker.
  void SetJoinFallbacks(std::string server, std::string ca_hash);
  std::pair<std::string, std::string> JoinEndpoint() const;

 private:
  void OnNode(const WatchEvent& e);
  void OnLease(const WatchEvent& e);
  void OnPod(const WatchEvent& e);
  void Wake();
  void Run();
  void Pass(bool full);
  Status Load();
  void RefreshRegion();
  void EnsureJoins(Batch& batch);
  void Reconcile(const store::Device& d, const store::KubeNode& row,
                 const std::optional<nlohmann::json>& node, bool full, Batch& batch);
  void Leave(const store::Device& d, const store::KubeNode& row, Batch& batch);
  void DrainStep(const store::Device& d, const std::string& node_name, Timestamp requested_at,
                 Batch& batch);
  void ProcessPods(bool full);
  void WriteState(const store::Device& d, const store::KubeNode* row,
                  const std::optional<nlohmann::json>& node);
  void FlushStates();
  Status Retire(const store::KubeNode& row);

  ControllerOptions options_;
  Client& client_;
  store::Store& store_;
  const Clock& clock_;
  Random& random_;
  http::Notifier& notifier_;
  ControllerStats stats_;
  std::atomic<bool> synced_{false};

  std::unique_ptr<Watch> node_watch_, lease_watch_, pod_watch_;
  std::thread worker_;

  // Shared with the watch callbacks.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                 // GUARDED_BY(mu_)
  std::map<std::string, nlohmann::json> nodes_;           // GUARDED_BY(mu_) name → Node
  std::map<std::string, std::string> lease_renewed_;      // GUARDED_BY(mu_) node → renewTime
  std::map<std::string, nlohmann::json> pods_;            // GUARDED_BY(mu_) uid → Pod
  std::map<std::string, std::set<std::string>> pods_on_;  // GUARDED_BY(mu_) node → uids
  std::set<std::string> dirty_nodes_;                     // GUARDED_BY(mu_)
  std::set<std::string> dirty_pods_;                      // GUARDED_BY(mu_)
  std::string join_server_, join_ca_hash_;                // GUARDED_BY(mu_)
  std::string fallback_server_, fallback_ca_hash_;        // GUARDED_BY(mu_)

  // Worker thread only.
  std::map<DeviceId, store::Device, store::IdTextLess> devices_;
  std::map<DeviceId, store::KubeNode, store::IdTextLess> rows_;
  std::map<std::string, DeviceId> by_node_;
  std::map<DeviceId, DrainReport, store::IdTextLess> drains_;
  std::map<DeviceId, std::vector<std::string>, store::IdTextLess> conflicts_;
  struct Written {
    std::string state, json_without_lease, lease;
    Timestamp lease_written_at;
  };
  std::map<DeviceId, Written, store::IdTextLess> written_;
  std::vector<store::KubeStateUpdate> pending_states_;
  std::map<std::string, store::PodRun> open_runs_;  // uid → run
  std::vector<store::PodRun> runs_started_;
  std::vector<store::PodRunStop> runs_stopped_;
  bool runs_loaded_ = false;
  std::set<DeviceId, store::IdTextLess> joining_;  // token requests in flight
  Timestamp region_read_at_;
};

}  // namespace hearth::kube
