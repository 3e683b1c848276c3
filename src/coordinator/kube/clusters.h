// Clusters: the coordinator's Kubernetes clusters, one per region that has one (DESIGN §6).
//
// Configured with `hearth serve --kubeconfig REGION=PATH` (repeatable) and/or
// `--kubeconfig-dir DIR` (every DIR/<region>.kubeconfig). No cluster configured: the coordinator
// holds no Clusters and everything Kubernetes is off. Each region gets a RestClient and a
// RegionController (controller.h). JoinFor() builds a worker's api::KubeJoin from the store
// alone, so the device config handler never waits for Kubernetes.
// Thread-safe after Create(); Start/Stop from one thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/network.h"
#include "common/clock.h"
#include "common/random.h"
#include "coordinator/kube/controller.h"
#include "coordinator/kube/rest_client.h"
#include "http/notifier.h"
#include "store/store.h"

namespace hearth::kube {

struct ClusterSpec {
  std::string region;
  std::string kubeconfig;  // path
};

// `flags` are "REGION=PATH" (field "--kubeconfig"); `dir` adds DIR/<region>.kubeconfig for each
// such file (field "--kubeconfig-dir"). A region named twice is an error. Sorted by region.
StatusOr<std::vector<ClusterSpec>> ParseClusterSpecs(const std::vector<std::string>& flags,
                                                     const std::string& dir);

// "REGION" (the default edge taint) or "REGION=key=value:Effect" (field "--kube-edge-taint").
StatusOr<std::pair<std::string, Taint>> ParseEdgeTaintSpec(const std::string& text);

struct ClustersOptions {
  std::vector<ClusterSpec> clusters;
  std::map<std::string, Taint> edge_taints;  // regions whose edge nodes are tainted
  Duration token_ttl = std::chrono::hours(24);
  Duration drain_timeout = std::chrono::minutes(5);
  Duration resync = std::chrono::seconds(1);
  bool enabled() const { return !clusters.empty(); }
};

class Clusters {
 public:
  // Loads every kubeconfig and checks each region exists in the store. Errors name the flag
  // and the file. `store`, `clock`, `random` and `notifier` must outlive the Clusters.
  static StatusOr<std::unique_ptr<Clusters>> Create(ClustersOptions options, store::Store& store,
                                                    const Clock& clock, Random& random,
                                                    http::Notifier& notifier);
  ~Clusters();

  void Start();
  void Stop();

  std::vector<std::string> regions() const;
  // The region's controller, or null when the region has no cluster.
  RegionController* controller(const std::string& region) const;
  Client* client(const std::string& region) const;

  // The join parameters of a worker whose region has a cluster and whose node identity exists
  // (nullopt otherwise: not a worker, no cluster, not issued yet, retired, banned). Reads only
  // the store.
  StatusOr<std::optional<api::KubeJoin>> JoinFor(const store::Device& device) const;

 private:
  struct Region {
    std::unique_ptr<RestClient> client;
    std::unique_ptr<RegionController> controller;
  };
  Clusters(ClustersOptions options, store::Store& store)
      : options_(std::move(options)), store_(store) {}

  ClustersOptions options_;
  store::Store& store_;
  std::map<std::string, Region> regions_;
  bool started_ = false;
};

}  // namespace hearth::kube
