#include "coordinator/network/network.h"

#include <algorithm>

#include "api/regions.h"
#include "common/log.h"
#include "coordinator/regions/proposals.h"

namespace hearth::network {
namespace {

bool Homeable(const store::Device& d) { return d.role == "worker" || d.role == "control"; }
bool Up(const store::Device& gateway) { return !gateway.gateway_down_at.has_value(); }

int PortOf(const std::string& endpoint) {
  const size_t colon = endpoint.rfind(':');
  return colon == std::string::npos ? 0 : std::stoi(endpoint.substr(colon + 1));
}

// Parses a stored prefix; a corrupt one is an internal error, not the caller's.
StatusOr<Ipv4Prefix> StoredPrefix(const std::string& text, const std::string& what) {
  auto p = Ipv4Prefix::Parse(text, what);
  if (!p.ok()) return Status::Internal("stored " + what + " is corrupt: " + p.status().message());
  return p;
}

// Bumps a device's version once per change set.
Status Bump(store::NetworkTx& tx, const DeviceId& id, ChangeSet* cs) {
  if (!cs->bumped.insert(id).second) return Status::Ok();
  return tx.BumpVersion(id);
}

StatusOr<std::vector<store::Device>> UpGateways(store::NetworkTx& tx, const std::string& region) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> all, tx.ListByRole(region, "gateway"));
  std::vector<store::Device> up;
  for (auto& g : all) {
    if (Up(g)) up.push_back(std::move(g));
  }
  return up;
}

// Worker loads of the up gateways (the store keeps each gateway's count as workers move).
std::map<DeviceId, int64_t> Loads(const std::vector<store::Device>& up) {
  std::map<DeviceId, int64_t> loads;
  for (const auto& g : up) loads[g.id] = g.homed_workers;
  return loads;
}

}  // namespace

std::optional<DeviceId> LeastLoaded(const std::map<DeviceId, int64_t>& loads) {
  std::optional<DeviceId> best;
  int64_t best_load = 0;
  for (const auto& [id, load] : loads) {  // map order: ties go to the smallest id
    if (!best || load < best_load) {
      best = id;
      best_load = load;
    }
  }
  return best;
}

std::vector<Move> PlanRebalance(const std::map<DeviceId, std::vector<DeviceId>>& homed) {
  std::map<DeviceId, std::vector<DeviceId>> h = homed;
  std::vector<Move> moves;
  if (h.size() < 2) return moves;
  while (true) {
    auto max_it = h.begin(), min_it = h.begin();
    for (auto it = h.begin(); it != h.end(); ++it) {
      if (it->second.size() > max_it->second.size()) max_it = it;
      if (it->second.size() < min_it->second.size()) min_it = it;
    }
    if (max_it->second.size() <= min_it->second.size() + 1) break;
    const DeviceId w = max_it->second.back();  // the newest-id worker moves
    max_it->second.pop_back();
    min_it->second.push_back(w);
    moves.push_back({w, max_it->first, min_it->first});
  }
  return moves;
}

StatusOr<int64_t> AllocateIndex(store::NetworkTx& tx, const std::string& pool, int64_t first,
                                int64_t last, const DeviceId& device, Timestamp now,
                                const std::string& field, const std::string& prefix_text) {
  const int64_t size = last - first + 1;
  auto exhausted = [&](int64_t claimed) {
    return Status(Code::kResourceExhausted,
                  "no free address left in " + prefix_text + " (" + std::to_string(claimed) +
                      " in use); widen the region's " + field + " or add a region",
                  "addresses_exhausted", field);
  };
  // A full pool is refused at once: devices waiting for addresses are retried every tick, and
  // scanning the whole pool for each of them would take the coordinator's CPU.
  HEARTH_ASSIGN_OR_RETURN(int64_t in_use, tx.ClaimedCount(pool));
  if (in_use >= size) return exhausted(in_use);
  HEARTH_ASSIGN_OR_RETURN(int64_t cursor, tx.Cursor(pool));
  if (cursor < first || cursor > last) cursor = first;
  // Next-fit: the cursor usually points at a free index, so a join costs one lookup however
  // large the region.
  for (int64_t i = 0; i < size; ++i) {
    const int64_t idx = first + (cursor - first + i) % size;
    HEARTH_ASSIGN_OR_RETURN(bool taken, tx.IsClaimed(pool, idx));
    if (taken) continue;
    HEARTH_RETURN_IF_ERROR(tx.Claim(pool, idx, device, now));
    HEARTH_RETURN_IF_ERROR(tx.SetCursor(pool, idx == last ? first : idx + 1));
    return idx;
  }
  HEARTH_ASSIGN_OR_RETURN(int64_t claimed, tx.ClaimedCount(pool));
  return exhausted(claimed);
}

Network::Network(Config config, store::Store& store, const Clock& clock, http::Notifier& notifier)
    : config_(std::move(config)), store_(store), clock_(clock), notifier_(notifier) {}

Status Network::Init() {
  HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix overlay,
                          Ipv4Prefix::Parse(config_.default_overlay_prefix, "--overlay-prefix"));
  HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix pods,
                          Ipv4Prefix::Parse(config_.default_pod_prefix, "--pod-prefix"));
  HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix services,
                          Ipv4Prefix::Parse(config_.default_service_prefix, "--service-prefix"));
  static const Ipv4Prefix kCgnat = *Ipv4Prefix::Parse("100.64.0.0/10", "overlay");
  if (!kCgnat.Contains(overlay) || overlay.length() > 30) {
    return Status::InvalidArgument("--overlay-prefix",
                                   "must be inside 100.64.0.0/10 and hold at least 4 addresses, "
                                   "e.g. 100.64.0.0/16");
  }
  if (config_.pod_cidr_length < pods.length() || config_.pod_cidr_length > 28) {
    return Status::InvalidArgument(
        "--pod-cidr-length",
        "must be between the pod prefix length (" + std::to_string(pods.length()) + ") and 28");
  }
  if (overlay.Overlaps(pods) || overlay.Overlaps(services) || pods.Overlaps(services)) {
    return Status::InvalidArgument("--pod-prefix",
                                   "the overlay, pod and service prefixes must not overlap");
  }
  return store_.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> r,
                            tx.FindRegion(std::string(kDefaultRegion)));
    if (r) return Status::Ok();
    store::Region region;
    region.id = std::string(kDefaultRegion);
    region.name = "Default region";
    region.overlay_prefix = overlay.ToString();
    region.pod_prefix = pods.ToString();
    region.service_prefix = services.ToString();
    region.pod_cidr_length = config_.pod_cidr_length;
    region.created_at = clock_.Now();
    region.updated_at = region.created_at;
    return tx.InsertRegion(region);
  });
}

StatusOr<ChangeSet> Network::Run(const std::function<Status(store::NetworkTx&, ChangeSet*)>& fn) {
  ChangeSet cs;
  HEARTH_RETURN_IF_ERROR(store_.NetworkTransaction([&](store::NetworkTx& tx) {
    cs = ChangeSet();  // a retried transaction starts afresh
    return fn(tx, &cs);
  }));
  for (const DeviceId& id : cs.bumped) notifier_.Notify(id.str());
  return cs;
}

Status Network::BumpRegionGateways(store::NetworkTx& tx, const std::string& region, ChangeSet* cs) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> gateways, tx.ListByRole(region, "gateway"));
  for (const auto& g : gateways) HEARTH_RETURN_IF_ERROR(Bump(tx, g.id, cs));
  return Status::Ok();
}

Status Network::Rehome(store::NetworkTx& tx, const store::Device& device,
                       const std::optional<DeviceId>& to, ChangeSet* cs) {
  if (device.home_gateway == to) return Status::Ok();
  HEARTH_RETURN_IF_ERROR(tx.SetHome(device.id, to));
  HEARTH_RETURN_IF_ERROR(Bump(tx, device.id, cs));
  // Counted when a worker lands on a gateway (unhoming on the way there is not a second move).
  if (device.role == "worker" && to) ++cs->moved_workers;
  // The old and new home gateways' peers change, and every sibling's route to them.
  return BumpRegionGateways(tx, device.region_id, cs);
}

StatusOr<std::string> Network::ChooseRegion(store::NetworkTx& tx, const store::Device& d) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Region> regions, tx.ListRegions());
  std::vector<placement::Candidate> candidates;
  bool configured = false;
  for (const auto& r : regions) {
    if (r.location_region.empty()) continue;
    configured = true;
    // A gateway or control node named in a region's catalog belongs there — also while the
    // region is bootstrapping, since its gateways coming up is what activates it.
    if (d.role != "worker" && !d.endpoint.empty() &&
        (r.status == "active" || r.status == "bootstrapping") &&
        std::find(r.gateways.begin(), r.gateways.end(), d.endpoint) != r.gateways.end()) {
      return r.id;
    }
    if (r.status != "active") continue;
    placement::Candidate c;
    c.id = r.id;
    c.centre = {r.centre_lat, r.centre_lon};
    c.countries = r.countries;
    HEARTH_ASSIGN_OR_RETURN(c.used, tx.CountInRegion(r.id));
    c.max_workers = r.max_workers;
    c.policy = placement::ParseHardwarePolicy(r.hardware_policy)
                   .value_or(placement::HardwarePolicy::kMixed);
    candidates.push_back(std::move(c));
  }
  if (!configured) return std::string(kDefaultRegion);
  placement::Evidence ev;
  auto inventory = nlohmann::json::parse(d.inventory_json, nullptr, false);
  if (!inventory.is_discarded() && inventory.contains("gpus") && inventory["gpus"].is_array() &&
      !inventory["gpus"].empty()) {
    ev.hardware = placement::HardwareClass::kGpu;
  }
  auto stored = nlohmann::json::parse(d.placement_evidence_json, nullptr, false);
  if (!stored.is_discarded()) {
    if (auto e = api::DecodeStoredPlacementEvidence(stored); e.ok()) {
      ev.declared_country = e->country;
      for (auto& p : e->rtt) ev.rtt.push_back({p.region, p.gateway, p.samples_ms});
      if (e->geoip) {
        ev.geoip_country = e->geoip->country;
        if (e->geoip->lat && e->geoip->lon) {
          ev.geoip_location = placement::GeoPoint{*e->geoip->lat, *e->geoip->lon};
        }
      }
    }
  }
  const placement::Decision dec = placement::Place(candidates, ev, config_.placement);
  nlohmann::json j = {{"region", dec.region ? nlohmann::json(*dec.region) : nlohmann::json()},
                      {"reason", dec.reason},
                      {"detail", dec.detail},
                      {"evidence", dec.evidence}};
  if (dec.region && dec.metric > 0) j["metric"] = dec.metric;
  // The cell from the strongest location evidence: GeoIP's country and coordinates, else the
  // declared country alone.
  const std::string cell = dec.region ? ""
                           : ev.geoip_country
                               ? placement::WaitlistCell(ev.geoip_country, ev.geoip_location)
                               : placement::WaitlistCell(ev.declared_country, std::nullopt);
  if (j.dump() != d.placement_json || cell != d.waitlist_cell) {
    HEARTH_RETURN_IF_ERROR(tx.SetPlacement(d.id, j.dump(), cell));
    // Newly waitlisted here: the cell may now be full enough to propose a region. (Only then,
    // so re-placing a long waitlist every tick does not recount it.)
    if (!cell.empty() && cell != d.waitlist_cell) {
      HEARTH_RETURN_IF_ERROR(
          regions::MaybePropose(tx, cell, {config_.proposal_min_devices, config_.proposal_min_gpus},
                                config_.webhook, clock_.Now())
              .status());
    }
  }
  return dec.region.value_or("");
}

Status Network::AttachLocked(store::NetworkTx& tx, const store::Device& d, ChangeSet* cs) {
  HEARTH_ASSIGN_OR_RETURN(const std::string region_id, ChooseRegion(tx, d));
  if (region_id.empty()) return Status::Ok();  // waitlisted: Tick places it when it can
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> region, tx.FindRegion(region_id));
  if (!region) return Status::Internal("region " + region_id + " does not exist");
  HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix overlay, StoredPrefix(region->overlay_prefix, "overlay"));
  const Timestamp now = clock_.Now();
  // Index 0 is the network address; the last one is left out like a broadcast address.
  // A worker needs a pod CIDR too: with none left it must not keep the overlay address it
  // would claim first (Tick retries waiting devices and commits what the others did).
  if (d.role == "worker") {
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix pods, StoredPrefix(region->pod_prefix, "pod"));
    const int64_t n = int64_t{1} << (region->pod_cidr_length - pods.length());
    HEARTH_ASSIGN_OR_RETURN(int64_t pods_in_use, tx.ClaimedCount(region_id + "/pod"));
    if (pods_in_use >= n) {
      return Status(Code::kResourceExhausted,
                    "no free pod CIDR left in " + region->pod_prefix + " (" +
                        std::to_string(pods_in_use) +
                        " in use); widen the region's pod_prefix or add a region",
                    "addresses_exhausted", "pod_prefix");
    }
  }
  HEARTH_ASSIGN_OR_RETURN(
      int64_t ip_idx,
      AllocateIndex(tx, region_id + "/overlay", 1, static_cast<int64_t>(overlay.size()) - 2, d.id,
                    now, "overlay_prefix", region->overlay_prefix));
  const std::string ip = overlay.Subnet(static_cast<uint64_t>(ip_idx), 32).address().ToString();
  std::string pod_cidr;
  if (d.role == "worker") {
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix pods, StoredPrefix(region->pod_prefix, "pod"));
    const int64_t n = int64_t{1} << (region->pod_cidr_length - pods.length());
    HEARTH_ASSIGN_OR_RETURN(int64_t pod_idx, AllocateIndex(tx, region_id + "/pod", 0, n - 1, d.id,
                                                           now, "pod_prefix", region->pod_prefix));
    pod_cidr = pods.Subnet(static_cast<uint64_t>(pod_idx), region->pod_cidr_length).ToString();
  }
  HEARTH_RETURN_IF_ERROR(tx.SetAddressing(d.id, region_id, ip, pod_cidr));
  HEARTH_RETURN_IF_ERROR(Bump(tx, d.id, cs));
  store::Device attached = d;
  attached.region_id = region_id;
  if (Homeable(d)) {
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> up, UpGateways(tx, region_id));
    if (auto gw = LeastLoaded(Loads(up))) {
      HEARTH_RETURN_IF_ERROR(Rehome(tx, attached, gw, cs));
    }
    return Status::Ok();
  }
  // A new gateway: every gateway gains a sibling peer, then the region is rebalanced onto it.
  HEARTH_RETURN_IF_ERROR(BumpRegionGateways(tx, region_id, cs));
  return Rebalance(tx, region_id, cs);
}

Status Network::Rebalance(store::NetworkTx& tx, const std::string& region, ChangeSet* cs) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> up, UpGateways(tx, region));
  if (up.empty()) return Status::Ok();
  // Devices without a home (no gateway was up when they came) go to the least loaded first.
  for (const char* role : {"worker", "control"}) {
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> unhomed, tx.ListUnhomed(region, role));
    for (const auto& d : unhomed) {
      // Re-read: each re-homing changes the loads.
      HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> now_up, UpGateways(tx, region));
      HEARTH_RETURN_IF_ERROR(Rehome(tx, d, LeastLoaded(Loads(now_up)), cs));
    }
  }
  std::map<DeviceId, std::vector<DeviceId>> homed;
  std::map<DeviceId, store::Device> workers;
  for (const auto& g : up) {
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> list, tx.ListHomedOn(g.id));
    auto& ids = homed[g.id];
    for (auto& w : list) {
      if (w.role != "worker") continue;
      ids.push_back(w.id);
      workers.emplace(w.id, std::move(w));
    }
  }
  for (const Move& m : PlanRebalance(homed)) {
    HEARTH_RETURN_IF_ERROR(Rehome(tx, workers.at(m.worker), m.to, cs));
  }
  return Status::Ok();
}

StatusOr<ChangeSet> Network::Attach(const DeviceId& device) {
  return Run([&](store::NetworkTx& tx, ChangeSet* cs) -> Status {
    HEARTH_ASSIGN_OR_RETURN(store::Device d, tx.GetDevice(device));
    if (d.removed_at) return Status::NotFound("device " + device.str() + " was removed");
    if (!d.region_id.empty()) return Status::Ok();       // attached already
    if (d.admin_state == "banned") return Status::Ok();  // never placed
    return AttachLocked(tx, d, cs);
  });
}

StatusOr<ChangeSet> Network::Remove(const DeviceId& device) {
  return Run([&](store::NetworkTx& tx, ChangeSet* cs) -> Status {
    HEARTH_ASSIGN_OR_RETURN(store::Device d, tx.GetDevice(device));
    HEARTH_RETURN_IF_ERROR(tx.MarkRemoved(d.id, clock_.Now()));
    HEARTH_RETURN_IF_ERROR(tx.ReleaseClaims(d.id));
    if (d.region_id.empty()) return Status::Ok();
    if (Homeable(d)) {
      // Its home gateway loses a peer; siblings lose it from their route to that gateway.
      return d.home_gateway ? BumpRegionGateways(tx, d.region_id, cs) : Status::Ok();
    }
    HEARTH_RETURN_IF_ERROR(BumpRegionGateways(tx, d.region_id, cs));
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> orphans, tx.ListHomedOn(d.id));
    for (const auto& o : orphans) HEARTH_RETURN_IF_ERROR(Rehome(tx, o, std::nullopt, cs));
    return Rebalance(tx, d.region_id, cs);
  });
}

Status Network::ActivateBootstrapped(store::NetworkTx& tx, Timestamp now) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Region> regions, tx.ListRegions());
  for (store::Region& r : regions) {
    if (r.status != "bootstrapping") continue;
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> gateways, tx.ListByRole(r.id, "gateway"));
    // Up: enrolled in the region and heartbeating (a heartbeat since enrollment, recent enough).
    auto up = std::find_if(gateways.begin(), gateways.end(), [&](const store::Device& g) {
      return g.last_heartbeat_json != "{}" && now - g.last_seen <= config_.gateway_down_after &&
             g.admin_state != "banned";
    });
    if (up == gateways.end()) continue;
    r.status = "active";
    r.updated_at = now;
    HEARTH_RETURN_IF_ERROR(tx.UpdateRegion(r));
    store::AdminEvent e;
    e.at = now;
    e.kind = "region_activated";
    e.region_id = r.id;
    e.message = "region " + r.id + " is active: gateway " + up->id.str() +
                " is up; its waitlisted devices are being placed";
    e.detail_json = nlohmann::json{{"region", r.id}, {"gateway", up->id.str()}}.dump();
    HEARTH_RETURN_IF_ERROR(regions::RecordEvent(tx, config_.webhook, e));
  }
  return Status::Ok();
}

Status Network::ReplaceDrainingLocked(store::NetworkTx& tx, ChangeSet* cs) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Region> regions, tx.ListRegions());
  for (const store::Region& r : regions) {
    if (r.status != "draining") continue;
    for (const char* role : {"worker", "control"}) {
      HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> devices, tx.ListByRole(r.id, role));
      for (const store::Device& d : devices) {
        // Off its gateway first (the gateway loses the peer), then out of the region: its
        // addresses go back to the region's pools and it is unattached, as if newly enrolled.
        if (d.home_gateway) HEARTH_RETURN_IF_ERROR(Rehome(tx, d, std::nullopt, cs));
        HEARTH_RETURN_IF_ERROR(tx.ReleaseClaims(d.id));
        HEARTH_RETURN_IF_ERROR(tx.SetAddressing(d.id, "", "", ""));
        HEARTH_RETURN_IF_ERROR(Bump(tx, d.id, cs));
        HEARTH_ASSIGN_OR_RETURN(store::Device detached, tx.GetDevice(d.id));
        ++cs->replaced;
        if (detached.admin_state == "banned") continue;  // never placed again
        // Draining regions are not candidates, so this places it elsewhere or waitlists it.
        Status st = AttachLocked(tx, detached, cs);
        if (!st.ok() && st.code() != Code::kResourceExhausted) return st;
        log::Info("device re-placed from a draining region",
                  {{"device", d.id.str()}, {"from", r.id}});
      }
    }
  }
  return Status::Ok();
}

StatusOr<ChangeSet> Network::ReplaceDraining() {
  return Run([&](store::NetworkTx& tx, ChangeSet* cs) { return ReplaceDrainingLocked(tx, cs); });
}

StatusOr<ChangeSet> Network::Tick() {
  const Timestamp now = clock_.Now();
  return Run([&](store::NetworkTx& tx, ChangeSet* cs) -> Status {
    // First: a bootstrapping region whose gateway came up becomes active, so the waitlisted
    // devices below are placed in the same tick.
    HEARTH_RETURN_IF_ERROR(ActivateBootstrapped(tx, now));
    HEARTH_RETURN_IF_ERROR(ReplaceDrainingLocked(tx, cs));
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> unattached, tx.ListUnattached());
    for (const auto& d : unattached) {
      if (d.admin_state == "banned") continue;  // never placed (the CONTRACT's ban)
      // A device that could not be attached (e.g. addresses exhausted) keeps waiting.
      if (Status st = AttachLocked(tx, d, cs); !st.ok()) {
        if (st.code() != Code::kResourceExhausted) return st;
      }
    }
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Region> regions, tx.ListRegions());
    for (const auto& region : regions) {
      HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> gateways,
                              tx.ListByRole(region.id, "gateway"));
      bool changed = false;
      for (const auto& g : gateways) {
        const bool silent = now - g.last_seen > config_.gateway_down_after;
        if (silent && Up(g)) {
          log::Warn("gateway down: no heartbeat",
                    {{"gateway", g.id.str()}, {"last_seen", FormatRfc3339(g.last_seen)}});
          HEARTH_RETURN_IF_ERROR(tx.SetGatewayDown(g.id, now));
          HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> homed, tx.ListHomedOn(g.id));
          for (const auto& w : homed) HEARTH_RETURN_IF_ERROR(Rehome(tx, w, std::nullopt, cs));
          changed = true;
        } else if (!silent && !Up(g)) {
          log::Info("gateway back up", {{"gateway", g.id.str()}});
          HEARTH_RETURN_IF_ERROR(tx.SetGatewayDown(g.id, std::nullopt));
          HEARTH_RETURN_IF_ERROR(BumpRegionGateways(tx, region.id, cs));
          changed = true;
        }
      }
      HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> waiting,
                              tx.ListUnhomed(region.id, "worker"));
      if (changed || !waiting.empty()) HEARTH_RETURN_IF_ERROR(Rebalance(tx, region.id, cs));
    }
    return Status::Ok();
  });
}

StatusOr<api::NetworkConfig> Network::DesiredConfig(const DeviceId& device) {
  api::NetworkConfig c;
  HEARTH_RETURN_IF_ERROR(store_.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    c = api::NetworkConfig();
    HEARTH_ASSIGN_OR_RETURN(store::Device d, tx.GetDevice(device));
    if (d.removed_at) return Status::NotFound("device " + device.str() + " was removed");
    c.version = d.config_version;
    c.role = d.role;
    c.region = d.region_id;
    c.mtu = config_.mtu;
    if (d.region_id.empty()) return Status::Ok();  // not attached yet: nothing to run
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> region, tx.FindRegion(d.region_id));
    if (!region) return Status::Internal("region " + d.region_id + " does not exist");
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix overlay, StoredPrefix(region->overlay_prefix, "overlay"));
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix pods, StoredPrefix(region->pod_prefix, "pod"));
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix services, StoredPrefix(region->service_prefix, "service"));
    HEARTH_ASSIGN_OR_RETURN(c.address, StoredPrefix(d.overlay_ip, "overlay address"));
    if (!d.pod_cidr.empty()) {
      HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix pod, StoredPrefix(d.pod_cidr, "pod CIDR"));
      c.pod_cidr = pod;
    }
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> gateways,
                            tx.ListByRole(d.region_id, "gateway"));
    // The /32 and pod CIDR through which a device is reached.
    auto routed = [](const store::Device& x) {
      std::vector<Ipv4Prefix> out;
      if (auto a = Ipv4Prefix::Parse(x.overlay_ip, "overlay_ip"); a.ok()) out.push_back(*a);
      if (auto p = Ipv4Prefix::Parse(x.pod_cidr, "pod_cidr"); p.ok()) out.push_back(*p);
      return out;
    };
    if (Homeable(d)) {
      c.routes = {overlay, pods, services};
      std::sort(c.routes.begin(), c.routes.end());
      for (const auto& g : gateways) {
        if (d.home_gateway == g.id) {
          api::PeerConfig p;
          p.public_key = g.wg_public_key;
          p.name = g.id.str();
          p.role = "gateway";
          p.endpoint = g.endpoint;
          p.allowed_ips = c.routes;
          p.persistent_keepalive_seconds = api::kWorkerKeepaliveSeconds;
          c.peers.push_back(std::move(p));
        } else if (Up(g)) {
          c.standby_gateways.push_back({g.id.str(), g.endpoint, g.wg_public_key});
        }
      }
      return Status::Ok();
    }
    // A gateway: a peer per homed device, a peer per sibling gateway carrying the devices homed
    // there, forwarding on, the region's overlay and pod prefixes routed into the interface.
    c.listen_port = PortOf(d.endpoint);
    c.forwarding = true;
    c.routes = {overlay, pods};
    std::sort(c.routes.begin(), c.routes.end());
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> homed, tx.ListHomedOn(d.id));
    for (const auto& w : homed) {
      api::PeerConfig p;
      p.public_key = w.wg_public_key;
      p.name = w.id.str();
      p.role = w.role;
      p.allowed_ips = routed(w);
      c.peers.push_back(std::move(p));
    }
    for (const auto& g : gateways) {
      if (g.id == d.id) continue;
      api::PeerConfig p;
      p.public_key = g.wg_public_key;
      p.name = g.id.str();
      p.role = "gateway";
      p.endpoint = g.endpoint;
      p.allowed_ips = routed(g);
      p.persistent_keepalive_seconds = api::kWorkerKeepaliveSeconds;
      HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> theirs, tx.ListHomedOn(g.id));
      for (const auto& w : theirs) {
        for (const auto& r : routed(w)) p.allowed_ips.push_back(r);
      }
      std::sort(p.allowed_ips.begin(), p.allowed_ips.end());
      c.peers.push_back(std::move(p));
    }
    for (auto& p : c.peers) std::sort(p.allowed_ips.begin(), p.allowed_ips.end());
    std::sort(c.peers.begin(), c.peers.end(),
              [](const auto& a, const auto& b) { return a.public_key < b.public_key; });
    return Status::Ok();
  }));
  return c;
}

}  // namespace hearth::network
