#include "coordinator/kube/clusters.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>

#include "common/log.h"
#include "coordinator/kube/bootstrap_token.h"

namespace hearth::kube {
namespace {

constexpr const char* kSuffix = ".kubeconfig";

bool ValidRegionId(const std::string& id) {
  return !id.empty() && id.size() <= 40 && std::isalpha(static_cast<unsigned char>(id[0])) != 0 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::islower(c) != 0 || std::isdigit(c) != 0 || c == '-';
         });
}

}  // namespace

StatusOr<std::vector<ClusterSpec>> ParseClusterSpecs(const std::vector<std::string>& flags,
                                                     const std::string& dir) {
  std::map<std::string, ClusterSpec> by_region;
  auto add = [&](ClusterSpec spec, const std::string& field) -> Status {
    if (!ValidRegionId(spec.region)) {
      return Status::InvalidArgument(field, "'" + spec.region +
                                                "' is not a region id (lowercase letters, digits "
                                                "and '-', starting with a letter)");
    }
    if (by_region.count(spec.region) != 0) {
      return Status::InvalidArgument(field, "region '" + spec.region + "' has two kubeconfigs (" +
                                                by_region[spec.region].kubeconfig + " and " +
                                                spec.kubeconfig + "); give one");
    }
    by_region[spec.region] = std::move(spec);
    return Status::Ok();
  };
  for (const std::string& f : flags) {
    const size_t eq = f.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == f.size()) {
      return Status::InvalidArgument(
          "--kubeconfig", "'" + f + "' is not REGION=PATH, e.g. eu-central=/etc/hearth/eu.yaml");
    }
    HEARTH_RETURN_IF_ERROR(add({f.substr(0, eq), f.substr(eq + 1)}, "--kubeconfig"));
  }
  if (!dir.empty()) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
      return Status::InvalidArgument("--kubeconfig-dir",
                                     "cannot read directory '" + dir + "'; give an existing one");
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) names.emplace_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      const size_t len = std::char_traits<char>::length(kSuffix);
      if (n.size() <= len || n.compare(n.size() - len, len, kSuffix) != 0) continue;
      HEARTH_RETURN_IF_ERROR(add({n.substr(0, n.size() - len), dir + "/" + n}, "--kubeconfig-dir"));
    }
  }
  std::vector<ClusterSpec> out;
  for (auto& [region, spec] : by_region) out.push_back(std::move(spec));
  return out;
}

StatusOr<std::pair<std::string, Taint>> ParseEdgeTaintSpec(const std::string& text) {
  const size_t eq = text.find('=');
  const std::string region = text.substr(0, eq);
  if (!ValidRegionId(region)) {
    return Status::InvalidArgument("--kube-edge-taint",
                                   "'" + text + "' is not REGION or REGION=key=value:Effect");
  }
  if (eq == std::string::npos) return std::make_pair(region, DefaultEdgeTaint());
  HEARTH_ASSIGN_OR_RETURN(Taint t, ParseTaint(text.substr(eq + 1), "--kube-edge-taint"));
  return std::make_pair(region, t);
}

StatusOr<std::unique_ptr<Clusters>> Clusters::Create(ClustersOptions options, store::Store& store,
                                                     const Clock& clock, Random& random,
                                                     http::Notifier& notifier) {
  std::unique_ptr<Clusters> c(new Clusters(options, store));
  std::vector<store::Region> known;
  HEARTH_RETURN_IF_ERROR(store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(known, tx.ListRegions());
    return Status::Ok();
  }));
  for (const auto& entry : options.edge_taints) {
    const std::string& region = entry.first;
    const bool has = std::any_of(options.clusters.begin(), options.clusters.end(),
                                 [&](const ClusterSpec& s) { return s.region == region; });
    if (!has) {
      return Status::InvalidArgument("--kube-edge-taint", "region '" + region +
                                                              "' has no cluster; give it a "
                                                              "--kubeconfig first");
    }
  }
  for (const ClusterSpec& spec : options.clusters) {
    const bool exists = std::any_of(known.begin(), known.end(),
                                    [&](const store::Region& r) { return r.id == spec.region; });
    if (!exists) {
      return Status::InvalidArgument("--kubeconfig", "region '" + spec.region +
                                                         "' does not exist; create it first "
                                                         "(hearth admin region create) or fix "
                                                         "the name");
    }
    auto cfg = LoadKubeConfig(spec.kubeconfig);
    if (!cfg.ok()) {
      return cfg.status().WithContext("--kubeconfig " + spec.region + "=" + spec.kubeconfig);
    }
    const std::string server = cfg->server;
    auto client = RestClient::Create(std::move(*cfg));
    if (!client.ok()) {
      return client.status().WithContext("--kubeconfig " + spec.region + "=" + spec.kubeconfig);
    }
    ControllerOptions co;
    co.region = spec.region;
    if (auto t = options.edge_taints.find(spec.region); t != options.edge_taints.end()) {
      co.policy.edge_taint = t->second;
    }
    co.token_ttl = options.token_ttl;
    co.drain_timeout = options.drain_timeout;
    co.resync = options.resync;
    auto controller =
        std::make_unique<RegionController>(co, **client, store, clock, random, notifier);
    controller->SetJoinFallbacks(server, CaBundleHash((*client)->ca_pem()));
    c->regions_[spec.region] = {std::move(*client), std::move(controller)};
  }
  return c;
}

Clusters::~Clusters() { Stop(); }

void Clusters::Start() {
  if (started_) return;
  started_ = true;
  for (auto& [region, r] : regions_) {
    r.controller->Start();
    log::Info("kube: watching the region's cluster", {{"region", region}});
  }
}

void Clusters::Stop() {
  // Controllers first: they use the clients.
  for (auto& [region, r] : regions_) r.controller->Stop();
}

std::vector<std::string> Clusters::regions() const {
  std::vector<std::string> out;
  for (const auto& [region, r] : regions_) out.push_back(region);
  return out;
}

RegionController* Clusters::controller(const std::string& region) const {
  auto it = regions_.find(region);
  return it == regions_.end() ? nullptr : it->second.controller.get();
}

Client* Clusters::client(const std::string& region) const {
  auto it = regions_.find(region);
  return it == regions_.end() ? nullptr : it->second.client.get();
}

StatusOr<std::optional<api::KubeJoin>> Clusters::JoinFor(const store::Device& d) const {
  RegionController* rc = controller(d.region_id);
  if (rc == nullptr || d.role != "worker" || d.removed_at || d.admin_state == "banned") {
    return std::optional<api::KubeJoin>();
  }
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::KubeNode> row, store_.GetKubeNode(d.id));
  if (!row || row->retired_at || row->region_id != d.region_id) {
    return std::optional<api::KubeJoin>();
  }
  const auto [server, ca_hash] = rc->JoinEndpoint();
  BootstrapToken token{row->token_id, row->token_secret};
  const DesiredNode desired = DesiredNodeFor(d, row->node_name, rc->options().policy);
  api::KubeJoin j;
  j.server = server;
  j.token = K3sJoinToken(ca_hash, token).Reveal();
  j.node_name = row->node_name;
  j.node_ip = d.overlay_ip;
  j.pod_cidr = d.pod_cidr;
  j.labels = desired.labels;
  for (const Taint& t : desired.taints) j.taints.push_back(t.ToString());
  return std::optional<api::KubeJoin>(std::move(j));
}

}  // namespace hearth::kube
