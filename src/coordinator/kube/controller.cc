#include "coordinator/kube/controller.h"

#include <algorithm>

#include "common/log.h"
#include "coordinator/kube/attribution.h"
#include "coordinator/kube/bootstrap_token.h"

namespace hearth::kube {
namespace {

constexpr Duration kCoalesce = std::chrono::milliseconds(20);
constexpr Duration kRegionRefresh = std::chrono::seconds(10);

const nlohmann::json& Meta(const nlohmann::json& obj) {
  static const nlohmann::json empty = nlohmann::json::object();
  return obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"] : empty;
}

std::string NameOf(const nlohmann::json& obj) { return Meta(obj).value("name", ""); }

std::string NodeOfPod(const nlohmann::json& pod) {
  if (!pod.contains("spec") || !pod["spec"].is_object()) return "";
  return pod["spec"].value("nodeName", "");
}

// What the controller keeps of a pod: enough for drains and attribution.
nlohmann::json SlimPod(const nlohmann::json& pod) {
  nlohmann::json p = pod;
  if (p.contains("metadata") && p["metadata"].is_object()) p["metadata"].erase("managedFields");
  return p;
}

// Leaving the region's cluster: removed, banned, or moved to another region (a drained region
// re-places its devices; coordinator/network) — the old Node goes before the new one comes.
bool Leaving(const store::Device& d, const std::string& region) {
  return d.removed_at.has_value() || d.admin_state == "banned" || d.region_id != region;
}
bool Draining(const store::Device& d, const std::string& region) {
  return Leaving(d, region) || d.admin_state == "drained";
}
// The device's Kubernetes state belongs to the region it is attached to now.
bool MovedAway(const store::Device& d, const std::string& region) {
  return !d.removed_at && d.region_id != region;
}

// When the drain was asked for: the removal, or the admin state change.
Timestamp DrainRequestedAt(const store::Device& d) {
  if (d.removed_at) return *d.removed_at;
  return d.admin_state_at.value_or(d.enrolled_at);
}

// The earliest container start of a running pod, else its startTime.
std::optional<Timestamp> StartedAt(const nlohmann::json& pod) {
  std::optional<Timestamp> best;
  if (!pod.contains("status") || !pod["status"].is_object()) return best;
  const auto& st = pod["status"];
  if (st.contains("containerStatuses") && st["containerStatuses"].is_array()) {
    for (const auto& c : st["containerStatuses"]) {
      if (!c.is_object() || !c.contains("state") || !c["state"].is_object()) continue;
      const auto& s = c["state"];
      if (s.contains("running") && s["running"].is_object()) {
        auto t = ParseKubeTime(s["running"].value("startedAt", ""));
        if (t && (!best || *t < *best)) best = t;
      }
    }
  }
  if (!best) best = ParseKubeTime(st.value("startTime", ""));
  return best;
}

// The latest container finish of a pod that stopped, if the kubelet reported one.
std::optional<Timestamp> FinishedAt(const nlohmann::json& pod) {
  std::optional<Timestamp> best;
  if (!pod.contains("status") || !pod["status"].is_object()) return best;
  const auto& st = pod["status"];
  if (!st.contains("containerStatuses") || !st["containerStatuses"].is_array()) return best;
  for (const auto& c : st["containerStatuses"]) {
    if (!c.is_object() || !c.contains("state") || !c["state"].is_object()) continue;
    const auto& s = c["state"];
    if (s.contains("terminated") && s["terminated"].is_object()) {
      auto t = ParseKubeTime(s["terminated"].value("finishedAt", ""));
      if (t && (!best || *t > *best)) best = t;
    }
  }
  return best;
}

bool Running(const nlohmann::json& pod) {
  return pod.contains("status") && pod["status"].is_object() &&
         pod["status"].value("phase", "") == "Running";
}

}  // namespace

RegionController::RegionController(ControllerOptions options, Client& client, store::Store& store,
                                   const Clock& clock, Random& random, http::Notifier& notifier)
    : options_(std::move(options)),
      client_(client),
      store_(store),
      clock_(clock),
      random_(random),
      notifier_(notifier) {}

RegionController::~RegionController() { Stop(); }

void RegionController::SetJoinFallbacks(std::string server, std::string ca_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  fallback_server_ = std::move(server);
  fallback_ca_hash_ = std::move(ca_hash);
  if (join_server_.empty()) join_server_ = fallback_server_;
  if (join_ca_hash_.empty()) join_ca_hash_ = fallback_ca_hash_;
}

std::pair<std::string, std::string> RegionController::JoinEndpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {join_server_, join_ca_hash_};
}

void RegionController::Start() {
  WatchOptions nodes;
  nodes.path = "/api/v1/nodes";
  node_watch_ = client_.StartWatch(nodes, [this](const WatchEvent& e) { OnNode(e); });
  WatchOptions leases;
  leases.path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
  lease_watch_ = client_.StartWatch(leases, [this](const WatchEvent& e) { OnLease(e); });
  WatchOptions pods;
  pods.path = "/api/v1/pods";
  pods.field_selector = "spec.nodeName!=";
  pod_watch_ = client_.StartWatch(pods, [this](const WatchEvent& e) { OnPod(e); });
  worker_ = std::thread([this] { Run(); });
}

void RegionController::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (node_watch_) node_watch_->Stop();
  if (lease_watch_) lease_watch_->Stop();
  if (pod_watch_) pod_watch_->Stop();
  if (worker_.joinable()) worker_.join();
}

void RegionController::Wake() { cv_.notify_one(); }

void RegionController::OnNode(const WatchEvent& e) {
  const std::string name = NameOf(e.object);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (e.type == WatchEvent::Type::kDeleted) {
      nodes_.erase(name);
    } else {
      nlohmann::json n = e.object;
      if (n.contains("metadata") && n["metadata"].is_object()) n["metadata"].erase("managedFields");
      nodes_[name] = std::move(n);
    }
    dirty_nodes_.insert(name);
  }
  Wake();
}

void RegionController::OnLease(const WatchEvent& e) {
  const std::string name = NameOf(e.object);
  std::lock_guard<std::mutex> lock(mu_);
  if (e.type == WatchEvent::Type::kDeleted) {
    lease_renewed_.erase(name);
    return;
  }
  std::string renewed;
  if (e.object.contains("spec") && e.object["spec"].is_object()) {
    renewed = e.object["spec"].value("renewTime", "");
  }
  lease_renewed_[name] = renewed;
}

void RegionController::OnPod(const WatchEvent& e) {
  const std::string uid = Meta(e.object).value("uid", "");
  if (uid.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto old = pods_.find(uid);
    if (old != pods_.end()) pods_on_[NodeOfPod(old->second)].erase(uid);
    if (e.type == WatchEvent::Type::kDeleted) {
      pods_.erase(uid);
    } else {
      nlohmann::json p = SlimPod(e.object);
      pods_on_[NodeOfPod(p)].insert(uid);
      pods_[uid] = std::move(p);
    }
    dirty_pods_.insert(uid);
  }
  Wake();
}

void RegionController::Run() {
  Timestamp next_full = clock_.Now();
  while (true) {
    bool full = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const Duration wait = std::max(Duration(0), next_full - clock_.Now());
      cv_.wait_for(lock, wait, [&] {
        return stopping_ || !dirty_nodes_.empty() || !dirty_pods_.empty() ||
               clock_.Now() >= next_full;
      });
      if (stopping_) return;
      full = clock_.Now() >= next_full;
      if (!full) {
        // Let a burst of events (many nodes registering at once) gather into one pass.
        cv_.wait_for(lock, kCoalesce, [&] { return stopping_; });
        if (stopping_) return;
      }
    }
    Pass(full);
    if (full) next_full = clock_.Now() + options_.resync;
  }
}

void RegionController::RefreshRegion() {
  std::optional<store::Region> region;
  Status st = store_.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(region, tx.FindRegion(options_.region));
    return Status::Ok();
  });
  if (!st.ok()) {
    log::Warn("kube: reading the region failed",
              {{"region", options_.region}, {"error", st.ToString()}});
    return;
  }
  region_read_at_ = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  join_server_ =
      region && !region->kube_api_endpoint.empty() ? region->kube_api_endpoint : fallback_server_;
  std::string hash = region ? region->kube_ca_hash : "";
  if (hash.rfind("sha256:", 0) == 0) hash = hash.substr(7);
  join_ca_hash_ = hash.empty() ? fallback_ca_hash_ : hash;
}

Status RegionController::Load() {
  if (clock_.Now() - region_read_at_ >= kRegionRefresh) RefreshRegion();
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::KubeNode> rows, store_.ListKubeNodes(options_.region));
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> live, store_.ListDevices(std::nullopt));
  devices_.clear();
  for (store::Device& d : live) {
    if (d.region_id == options_.region && d.role == "worker") devices_[d.id] = std::move(d);
  }
  rows_.clear();
  by_node_.clear();
  for (store::KubeNode& r : rows) {
    by_node_[r.node_name] = r.device_id;
    // A removed device whose node is not retired yet still has work to do.
    if (!r.retired_at && devices_.count(r.device_id) == 0) {
      auto d = store_.GetDevice(r.device_id);
      if (d.ok()) devices_[r.device_id] = std::move(*d);
    }
    rows_[r.device_id] = std::move(r);
  }
  // Resume the drains a previous run of the coordinator started (their report is in k8s_json).
  for (const auto& [id, d] : devices_) {
    if (!Draining(d, options_.region) || drains_.count(id) != 0) continue;
    auto stored = nlohmann::json::parse(d.k8s_json, nullptr, false);
    if (!stored.is_object() || !stored.contains("drain")) continue;
    if (auto r = DrainReport::FromJson(stored["drain"]);
        r && r->started_at >= DrainRequestedAt(d)) {
      drains_.emplace(id, *r);
    }
  }
  return Status::Ok();
}

void RegionController::EnsureJoins(Batch& batch) {
  const Timestamp now = clock_.Now();
  for (const auto& [id, d] : devices_) {
    if (Leaving(d, options_.region) || d.overlay_ip.empty() || joining_.count(id) != 0) continue;
    auto it = rows_.find(id);
    const bool fresh = it == rows_.end() || it->second.retired_at.has_value();
    const bool rotate = !fresh && it->second.token_expires_at - now < options_.token_ttl / 4;
    if (!fresh && !rotate) continue;
    int64_t previous_generation = it == rows_.end() ? 0 : it->second.generation;
    if (it == rows_.end()) {
      // A device moved here from another region: its old region drains and deletes its Node
      // and retires that identity first; then it joins here as the next generation.
      auto elsewhere = store_.GetKubeNode(id);
      if (!elsewhere.ok()) {
        log::Warn("kube: reading a node identity failed",
                  {{"device_id", id.str()}, {"error", elsewhere.status().ToString()}});
        continue;
      }
      if (*elsewhere) {
        if (!(*elsewhere)->retired_at) continue;
        previous_generation = (*elsewhere)->generation;
      }
    }
    store::KubeNode row;
    if (fresh) {
      row.device_id = id;
      row.region_id = options_.region;
      row.generation = previous_generation + 1;
      row.node_name = NodeName(id, row.generation);
      row.created_at = now;
    } else {
      row = it->second;
    }
    const BootstrapToken token = GenerateBootstrapToken(random_);
    row.token_id = token.id;
    row.token_secret = token.secret;
    // Whole seconds: the Secret's expiration has no fraction.
    row.token_expires_at = FromUnixMillis((ToUnixMillis(now + options_.token_ttl) / 1000) * 1000);
    Request req;
    req.method = "POST";
    req.path = "/api/v1/namespaces/kube-system/secrets";
    req.body = BootstrapTokenSecret(token, row.token_expires_at,
                                    "hearth: join of " + id.str() + " as " + row.node_name)
                   .dump();
    req.timeout = options_.request_timeout;
    joining_.insert(id);
    batch.Add(std::move(req), [this, row](const StatusOr<Response>& r) {
      joining_.erase(row.device_id);
      Status st = r.ok() ? ToStatus(*r, "create bootstrap token") : r.status();
      if (!st.ok()) {
        ++stats_.request_errors;
        log::Warn("kube: creating a join token failed; retrying",
                  {{"device_id", row.device_id.str()}, {"error", st.ToString()}});
        return;
      }
      ++stats_.tokens_created;
      if (Status put = store_.PutKubeNode(row); !put.ok()) {
        log::Error("kube: storing the node identity failed",
                   {{"device_id", row.device_id.str()}, {"error", put.ToString()}});
        return;
      }
      rows_[row.device_id] = row;
      by_node_[row.node_name] = row.device_id;
      notifier_.Notify(row.device_id.str());  // the agent's config long-poll
      log::Info("kube: join token issued", {{"device_id", row.device_id.str()},
                                            {"node", row.node_name},
                                            {"expires", FormatRfc3339(row.token_expires_at)}});
    });
  }
}

void RegionController::Pass(bool full) {
  ++stats_.passes;
  const bool nodes_synced = node_watch_->stats().synced.load();
  const bool pods_synced = pod_watch_->stats().synced.load();
  const bool leases_synced = lease_watch_->stats().synced.load();
  std::set<std::string> dirty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty.swap(dirty_nodes_);
  }
  if (full) {
    if (Status st = Load(); !st.ok()) {
      log::Warn("kube: reading the store failed",
                {{"region", options_.region}, {"error", st.ToString()}});
      return;
    }
  }
  Batch batch(client_, options_.max_in_flight);
  if (full) EnsureJoins(batch);
  // Acting on a Node's absence needs the first list of every watch.
  const bool ready = nodes_synced && pods_synced && leases_synced;
  if (ready) {
    std::vector<const store::Device*> todo;
    if (full) {
      for (const auto& [id, d] : devices_) todo.push_back(&d);
    } else {
      for (const std::string& name : dirty) {
        auto it = by_node_.find(name);
        if (it == by_node_.end()) continue;
        auto d = devices_.find(it->second);
        if (d != devices_.end()) todo.push_back(&d->second);
      }
    }
    for (const store::Device* d : todo) {
      auto row = rows_.find(d->id);
      if (row == rows_.end()) {
        WriteState(*d, nullptr, std::nullopt);
        continue;
      }
      std::optional<nlohmann::json> node;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = nodes_.find(row->second.node_name);
        if (it != nodes_.end()) node = it->second;
      }
      Reconcile(*d, row->second, node, full, batch);
    }
  }
  batch.Run();
  if (pods_synced) ProcessPods(false);  // the first call reads everything
  FlushStates();
  if (full && ready && !synced_.load()) synced_ = true;
}

void RegionController::Reconcile(const store::Device& d, const store::KubeNode& row,
                                 const std::optional<nlohmann::json>& node, bool full,
                                 Batch& batch) {
  if (row.retired_at) {
    WriteState(d, &row, std::nullopt);
    return;
  }
  if (node) {
    const DesiredNode desired = DesiredNodeFor(d, row.node_name, options_.policy);
    std::vector<std::string> conflicts;
    std::optional<nlohmann::json> patch = NodePatch(*node, desired, &conflicts);
    conflicts_[d.id] = conflicts;
    if (patch) {
      Request req;
      req.method = "PATCH";
      req.path = "/api/v1/nodes/" + row.node_name;
      req.body = patch->dump();
      req.content_type = ContentType(PatchType::kMerge);
      req.timeout = options_.request_timeout;
      const std::string name = row.node_name;
      batch.Add(std::move(req), [this, name](const StatusOr<Response>& r) {
        if (r.ok() && r->status == 200) {
          ++stats_.node_patches;
          nlohmann::json updated = r->Json();
          if (updated.is_object()) {
            updated["metadata"].erase("managedFields");
            std::lock_guard<std::mutex> lock(mu_);
            if (nodes_.count(name) != 0) nodes_[name] = std::move(updated);
          }
          return;
        }
        // 409: the Node changed under us; its watch event brings us back.
        if (r.ok() && r->status == 409) return;
        ++stats_.request_errors;
        log::Warn(
            "kube: patching a node failed",
            {{"node", name},
             {"error", r.ok() ? ToStatus(*r, "patch node").ToString() : r.status().ToString()}});
      });
    }
  }
  if (Draining(d, options_.region)) {
    if (full && node) DrainStep(d, row.node_name, DrainRequestedAt(d), batch);
    if (full && Leaving(d, options_.region)) Leave(d, row, batch);
  } else if (d.admin_state == "active") {
    drains_.erase(d.id);  // back in service: the last maintenance's report is history
  }
  WriteState(d, &row, node);
}

void RegionController::DrainStep(const store::Device& d, const std::string& node_name,
                                 Timestamp requested_at, Batch& batch) {
  const Timestamp now = clock_.Now();
  auto it = drains_.find(d.id);
  if (it == drains_.end() || it->second.started_at < requested_at) {
    DrainReport fresh;
    fresh.started_at = std::max(now, requested_at);
    it = drains_.insert_or_assign(d.id, fresh).first;
    log::Info("kube: draining node", {{"device_id", d.id.str()}, {"node", node_name}});
  }
  DrainReport& report = it->second;
  if (report.state != DrainReport::State::kRunning) return;
  std::vector<nlohmann::json> pods;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto on = pods_on_.find(node_name);
    if (on != pods_on_.end()) {
      for (const std::string& uid : on->second) {
        auto p = pods_.find(uid);
        if (p != pods_.end()) pods.push_back(p->second);
      }
    }
  }
  std::map<std::string, std::string> left;
  for (const nlohmann::json& pod : pods) {
    const std::string key = PodKey(pod);
    switch (ClassifyForDrain(pod)) {
      case PodDrainClass::kDaemonSet:
      case PodDrainClass::kMirror:
        break;
      case PodDrainClass::kTerminating:
        left[key] = "terminating";
        break;
      case PodDrainClass::kEvict: {
        auto prev = report.not_evicted.find(key);
        left[key] = prev != report.not_evicted.end() ? prev->second : "eviction pending";
        const std::string ns = Meta(pod).value("namespace", "");
        const std::string name = Meta(pod).value("name", "");
        ++report.attempts;
        ++stats_.evictions;
        const DeviceId id = d.id;
        batch.Add(EvictionRequest(ns, name, options_.request_timeout),
                  [this, id, key](const StatusOr<Response>& r) {
                    auto rep = drains_.find(id);
                    if (rep == drains_.end()) return;
                    const std::string why = EvictionRefusal(r);
                    if (why.empty()) {
                      if (r.ok() && r->status != 404) rep->second.evicted.push_back(key);
                      rep->second.not_evicted.erase(key);
                    } else {
                      rep->second.not_evicted[key] = why;
                    }
                  });
        break;
      }
    }
  }
  report.not_evicted = left;
  if (left.empty()) {
    report.state = DrainReport::State::kDone;
    report.finished_at = now;
    log::Info("kube: node drained",
              {{"device_id", d.id.str()}, {"node", node_name}, {"evicted", report.evicted.size()}});
  } else if (now - report.started_at >= options_.drain_timeout) {
    report.state = DrainReport::State::kTimedOut;
    report.finished_at = now;
    log::Warn("kube: drain timed out; pods left on the node",
              {{"device_id", d.id.str()}, {"node", node_name}, {"left", left.size()}});
  }
}

void RegionController::Leave(const store::Device& d, const store::KubeNode& row, Batch& batch) {
  bool node_exists = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    node_exists = nodes_.count(row.node_name) != 0;
  }
  if (node_exists) {
    auto rep = drains_.find(d.id);
    if (rep == drains_.end() || rep->second.state == DrainReport::State::kRunning) return;
    Request req;
    req.method = "DELETE";
    req.path = "/api/v1/nodes/" + row.node_name;
    req.timeout = options_.request_timeout;
    const std::string name = row.node_name;
    batch.Add(std::move(req), [this, name](const StatusOr<Response>& r) {
      if (r.ok() && (r->status == 200 || r->status == 202 || r->status == 404)) {
        ++stats_.nodes_deleted;
        log::Info("kube: node deleted", {{"node", name}});
        return;
      }
      ++stats_.request_errors;
      log::Warn("kube: deleting a node failed", {{"node", name}});
    });
    return;  // the node watch's DELETED event brings the next step
  }
  // No Node (any more): revoke the token and retire the identity.
  Request req;
  req.method = "DELETE";
  req.path = "/api/v1/namespaces/kube-system/secrets/" + BootstrapTokenSecretName(row.token_id);
  req.timeout = options_.request_timeout;
  batch.Add(std::move(req), [this, row](const StatusOr<Response>& r) {
    if (!r.ok() || (r->status != 200 && r->status != 404)) {
      ++stats_.request_errors;
      log::Warn("kube: revoking a join token failed; retrying",
                {{"device_id", row.device_id.str()}});
      return;
    }
    ++stats_.tokens_revoked;
    if (Status st = Retire(row); !st.ok()) {
      log::Error("kube: retiring the node identity failed",
                 {{"device_id", row.device_id.str()}, {"error", st.ToString()}});
    }
  });
}

Status RegionController::Retire(const store::KubeNode& row) {
  store::KubeNode retired = row;
  retired.retired_at = clock_.Now();
  HEARTH_RETURN_IF_ERROR(store_.PutKubeNode(retired));
  rows_[row.device_id] = retired;
  notifier_.Notify(row.device_id.str());
  log::Info("kube: node identity retired",
            {{"device_id", row.device_id.str()}, {"node", row.node_name}});
  auto d = devices_.find(row.device_id);
  if (d != devices_.end()) WriteState(d->second, &rows_[row.device_id], std::nullopt);
  return Status::Ok();
}

void RegionController::ProcessPods(bool full) {
  const Timestamp now = clock_.Now();
  if (!runs_loaded_) {
    auto open = store_.ListOpenPodRuns(options_.region);
    if (!open.ok()) {
      log::Warn("kube: reading pod runs failed", {{"error", open.status().ToString()}});
      return;
    }
    for (store::PodRun& r : *open) open_runs_[r.uid] = std::move(r);
    runs_loaded_ = true;
    full = true;
  }
  std::vector<std::pair<std::string, std::optional<nlohmann::json>>> changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> uids;
    uids.swap(dirty_pods_);
    if (full) {
      for (const auto& [uid, p] : pods_) uids.insert(uid);
      for (const auto& [uid, r] : open_runs_) uids.insert(uid);
    }
    for (const std::string& uid : uids) {
      auto it = pods_.find(uid);
      if (it == pods_.end()) {
        changed.emplace_back(uid, std::nullopt);
      } else {
        changed.emplace_back(uid, it->second);
      }
    }
  }
  for (const auto& [uid, pod] : changed) {
    auto open = open_runs_.find(uid);
    if (!pod) {
      if (open != open_runs_.end()) {
        runs_stopped_.push_back({uid, now});
        open_runs_.erase(open);
      }
      continue;
    }
    const bool running = Running(*pod);
    if (open != open_runs_.end()) {
      if (!running) {
        runs_stopped_.push_back({uid, FinishedAt(*pod).value_or(now)});
        open_runs_.erase(open);
      }
      continue;
    }
    if (!running) continue;
    const std::string node = NodeOfPod(*pod);
    auto dev = by_node_.find(node);
    if (dev == by_node_.end()) continue;  // not an edge node
    auto lease = LeaseIdFromLabels(Meta(*pod).value("labels", nlohmann::json::object()));
    if (!lease) continue;  // not an Akash lease's pod
    const PodRequests req = RequestsOf(*pod);
    store::PodRun run;
    run.uid = uid;
    run.region_id = options_.region;
    run.ns = Meta(*pod).value("namespace", "");
    run.name = Meta(*pod).value("name", "");
    run.node_name = node;
    run.device_id = dev->second;
    run.lease_id = *lease;
    run.cpu_millis = req.cpu_millis;
    run.memory_bytes = req.memory_bytes;
    run.gpus = req.gpus;
    run.started_at = StartedAt(*pod).value_or(now);
    open_runs_[uid] = run;
    runs_started_.push_back(std::move(run));
  }
  if (runs_started_.empty() && runs_stopped_.empty()) return;
  if (Status st = store_.RecordPodRuns(runs_started_, runs_stopped_); !st.ok()) {
    log::Warn("kube: recording pod runs failed; retrying", {{"error", st.ToString()}});
    return;  // kept for the next pass
  }
  stats_.pod_runs_started += static_cast<int64_t>(runs_started_.size());
  stats_.pod_runs_stopped += static_cast<int64_t>(runs_stopped_.size());
  runs_started_.clear();
  runs_stopped_.clear();
}

void RegionController::WriteState(const store::Device& d, const store::KubeNode* row,
                                  const std::optional<nlohmann::json>& node) {
  if (MovedAway(d, options_.region)) return;  // its new region's controller writes it
  std::string state;
  nlohmann::json j = nlohmann::json::object();
  std::string lease;
  if (row != nullptr) {
    j["node"] = row->node_name;
    j["generation"] = row->generation;
    j["token_expires_at"] = FormatRfc3339(row->token_expires_at);
    if (row->retired_at) {
      j["retired_at"] = FormatRfc3339(*row->retired_at);
    } else if (!node) {
      state = "missing";
      j["joined_at"] = nullptr;
      j["missing_since"] = FormatRfc3339(row->created_at);
    } else {
      const NodeFacts f = ObserveNode(*node);
      state = f.ready ? "ready" : "notready";
      j["ready"] = {{"status", f.ready}, {"reason", f.ready_reason}, {"since", f.ready_since}};
      j["capacity"] = f.capacity;
      j["unschedulable"] = f.unschedulable;
      j["pod_cidr"] = f.pod_cidr;
      j["kubelet_version"] = f.kubelet_version;
      j["joined_at"] = Meta(*node).value("creationTimestamp", "");
      std::lock_guard<std::mutex> lock(mu_);
      auto it = lease_renewed_.find(row->node_name);
      if (it != lease_renewed_.end()) lease = it->second;
    }
    auto c = conflicts_.find(d.id);
    if (c != conflicts_.end() && !c->second.empty() && node) j["conflicts"] = c->second;
  }
  auto rep = drains_.find(d.id);
  if (rep != drains_.end()) j["drain"] = rep->second.ToJson();
  const std::string without_lease = j.dump();
  const Timestamp now = clock_.Now();
  auto w = written_.find(d.id);
  if (w == written_.end()) {
    // First look since start: compare with what the store has.
    auto stored = nlohmann::json::parse(d.k8s_json, nullptr, false);
    if (!stored.is_object()) stored = nlohmann::json::object();
    std::string stored_lease;
    if (stored.contains("lease_renewed_at")) {
      if (stored["lease_renewed_at"].is_string()) stored_lease = stored["lease_renewed_at"];
      stored.erase("lease_renewed_at");
    }
    w = written_.emplace(d.id, Written{d.k8s_state, stored.dump(), stored_lease, now}).first;
  }
  const bool changed = w->second.state != state || w->second.json_without_lease != without_lease;
  const bool lease_moved =
      w->second.lease != lease && now - w->second.lease_written_at >= options_.lease_write_interval;
  if (!changed && !lease_moved) return;
  if (!lease.empty()) j["lease_renewed_at"] = lease;
  w->second = {state, without_lease, lease, lease.empty() ? w->second.lease_written_at : now};
  pending_states_.push_back({d.id, state, j.dump()});
}

void RegionController::FlushStates() {
  if (pending_states_.empty()) return;
  if (Status st = store_.SetKubeStates(pending_states_); !st.ok()) {
    log::Warn("kube: writing node states failed; retrying", {{"error", st.ToString()}});
    for (const auto& u : pending_states_) written_.erase(u.device_id);  // rewrite next time
  } else {
    stats_.state_writes += static_cast<int64_t>(pending_states_.size());
  }
  pending_states_.clear();
}

}  // namespace hearth::kube
