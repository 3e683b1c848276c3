#include "coordinator/devices/handlers.h"

#include <cctype>
#include <charconv>

#include "agent/inventory/inventory.h"
#include "api/device_auth.h"
#include "api/types.h"
#include "common/encoding.h"
#include "common/keys.h"
#include "common/log.h"
#include "coordinator/devices/hardware.h"
#include "coordinator/devices/stats.h"

namespace hearth::devices {

using http::Request;
using http::Response;

namespace {

constexpr std::string_view kCredentialPrefix = "hdc_";
// GET /v1/devices/{id} lists this many hardware changes, the newest.
constexpr int64_t kHardwareChangesShown = 50;

Status NotYours() {
  return Status(Code::kNotFound, "no such device among yours; list them with GET /v1/devices",
                "device_not_found");
}

}  // namespace

StatusOr<store::Device> VisibleDevice(coordinator::Context& ctx, const accounts::Principal& p,
                                      const std::string& id) {
  if (!IsWellFormedId(id, kDevicePrefix)) return NotYours();
  auto d = ctx.store.GetDevice(DeviceId(id));
  if (!d.ok()) return d.status().code() == Code::kNotFound ? NotYours() : d.status();
  if (d->removed_at || (!p.admin() && d->owner_id != p.account.id)) return NotYours();
  return d;
}

bool HasDeviceCredential(const Request& req) {
  return req.Header("authorization").rfind("Bearer " + std::string(kCredentialPrefix), 0) == 0;
}

StatusOr<store::Device> AuthenticateDevice(coordinator::Context& ctx, const Request& req,
                                           const std::string& id) {
  const std::string authz = req.Header("authorization");
  const Status bad = Status::Unauthenticated(
      "the device credential is not valid for this device; re-enroll with `hearth join`",
      "invalid_device_credential");
  if (!HasDeviceCredential(req) || !IsWellFormedId(id, kDevicePrefix)) return bad;
  auto d = ctx.store.GetDevice(DeviceId(id));
  if (!d.ok()) return d.status().code() == Code::kNotFound ? bad : d.status();
  if (!ConstantTimeEquals(Sha256Hex(authz.substr(7)), d->credential_hash)) return bad;
  if (d->removed_at) {
    return Status::Unauthenticated(
        "this device was removed by its owner at " + FormatRfc3339(*d->removed_at) +
            "; its credential is revoked. Enroll again with a new install key",
        "device_removed");
  }
  if (d->admin_state == "banned") {
    return Status(Code::kPermissionDenied,
                  "this device was banned by an admin" +
                      (d->admin_reason.empty() ? std::string() : " (" + d->admin_reason + ")") +
                      "; its owner can ask the region's admin to lift the ban",
                  "device_banned");
  }
  auto identity = IdentityPublicKey::Parse(d->identity_public_key, "identity_public_key");
  if (!identity.ok()) return Status::Internal("stored identity key is corrupt");
  HEARTH_RETURN_IF_ERROR(api::VerifyDeviceRequest(
      *identity, req.method, req.path, req.body, req.Header(api::kDeviceDateHeader),
      req.Header(api::kDeviceSignatureHeader), ctx.clock.Now()));
  return d;
}

namespace {

// Parses an optional non-negative integer query parameter within [lo, hi].
StatusOr<int64_t> QueryInt(const Request& req, const std::string& name, int64_t def, int64_t lo,
                           int64_t hi) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return def;
  int64_t v = 0;
  const char* b = it->second.data();
  const char* e = b + it->second.size();
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e || v < lo || v > hi) {
    return Status::InvalidArgument(name, name + " must be an integer from " + std::to_string(lo) +
                                             " to " + std::to_string(hi));
  }
  return v;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whether `needle` (lowercase) occurs in the device's id, name, owner, hostname or GPU models.
bool Matches(const store::Device& d, const std::string& needle) {
  if (needle.empty()) return true;
  std::string hay = d.id.str() + " " + d.name + " " + d.owner_id.str();
  if (Lower(hay).find(needle) != std::string::npos) return true;
  // Parsing every inventory is the cost of a search over a large fleet; only a device whose raw
  // inventory contains the text can match in its hostname or a GPU model.
  if (Lower(d.inventory_json).find(needle) == std::string::npos) return false;
  nlohmann::json inv = nlohmann::json::parse(d.inventory_json, nullptr, false);
  if (inv.is_object()) {
    hay += " " + inv.value("hostname", std::string());
    if (auto g = inv.find("gpus"); g != inv.end() && g->is_array()) {
      for (const auto& gpu : *g) {
        if (gpu.is_object()) hay += " " + gpu.value("model", std::string());
      }
    }
  }
  return Lower(hay).find(needle) != std::string::npos;
}

// Whether `p` may manage `d`: a network admin, or the admin of the device's region.
StatusOr<bool> ManagesDevice(coordinator::Context& ctx, const accounts::Principal& p,
                             const store::Device& d) {
  if (p.admin()) return true;
  if (d.region_id.empty()) return false;
  std::optional<store::Region> region;
  HEARTH_RETURN_IF_ERROR(ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(region, tx.FindRegion(d.region_id));
    return Status::Ok();
  }));
  return region && region->admin == p.account.id;
}

// A device the principal may read: its own, any for admins, and those placed in a region the
// principal administers (so a region admin can open the devices it manages).
StatusOr<store::Device> ReadableDevice(coordinator::Context& ctx, const accounts::Principal& p,
                                       const std::string& id) {
  auto d = VisibleDevice(ctx, p, id);
  if (d.ok() || d.status().code() != Code::kNotFound || !IsWellFormedId(id, kDevicePrefix)) {
    return d;
  }
  auto found = ctx.store.GetDevice(DeviceId(id));
  if (!found.ok() || found->removed_at) return d;
  HEARTH_ASSIGN_OR_RETURN(bool manages, ManagesDevice(ctx, p, *found));
  return manages ? found : d;
}

// The admin list's filters beside the text search: ?region= (a region id, or "none" for
// devices not placed), ?gpu= ("any", "none" or an Akash model name), ?owner= (account id or
// email).
struct Filter {
  std::optional<std::string> region;
  std::optional<std::string> gpu;
  std::optional<AccountId> owner;
  bool Matches(const store::Device& d) const {
    if (region && (*region == "none" ? !d.region_id.empty() : d.region_id != *region)) return false;
    if (owner && d.owner_id != *owner) return false;
    if (!gpu) return true;
    nlohmann::json inv = nlohmann::json::parse(d.inventory_json, nullptr, false);
    const nlohmann::json* gpus = nullptr;
    if (inv.is_object() && inv.contains("gpus") && inv["gpus"].is_array()) gpus = &inv["gpus"];
    const bool has = gpus && !gpus->empty();
    if (*gpu == "any") return has;
    if (*gpu == "none") return !has;
    if (!has) return false;
    for (const auto& g : *gpus) {
      if (g.is_object() && Lower(g.value("model", std::string())) == *gpu) return true;
    }
    return false;
  }
};

StatusOr<Filter> FilterFrom(coordinator::Context& ctx, const Request& req) {
  Filter f;
  auto get = [&req](const char* name) -> std::optional<std::string> {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  f.region = get("region");
  if (auto g = get("gpu")) {
    f.gpu = Lower(*g);
    if (f.gpu->size() > 64)
      return Status::InvalidArgument("gpu", "gpu must be any, none or a GPU model");
  }
  if (auto o = get("owner")) {
    if (o->find('@') != std::string::npos) {
      auto a = ctx.store.FindAccountByEmail(Lower(*o));
      if (!a.ok() && a.status().code() != Code::kNotFound) return a.status();
      // An unknown email matches no device rather than failing the search.
      f.owner = a.ok() ? a->id : AccountId("acc_unknown");
    } else {
      f.owner = AccountId(*o);
    }
  }
  return f;
}

}  // namespace

StatusOr<std::string> AdminStateAfter(const std::string& current, const std::string& action) {
  if (action == "cordon") return current == "active" ? "cordoned" : current;
  if (action == "uncordon") {
    if (current == "banned") {
      return Status(Code::kFailedPrecondition,
                    "the device is banned; lift the ban with the action \"unban\"",
                    "device_banned");
    }
    return std::string("active");
  }
  if (action == "drain") return current == "banned" ? current : "drained";
  if (action == "ban") return std::string("banned");
  if (action == "unban") {
    if (current != "banned") {
      return Status(Code::kFailedPrecondition, "the device is not banned", "device_not_banned");
    }
    return std::string("active");
  }
  return Status::InvalidArgument(
      "action", "unknown action '" + action + "'; use cordon, uncordon, drain, ban or unban");
}

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/devices", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    std::optional<AccountId> owner;
    if (!p->admin() || req.query.count("mine")) owner = p->account.id;
    auto list = ctx.store.ListDevices(owner);
    if (!list.ok()) return Response::Error(list.status());
    nlohmann::json out = nlohmann::json::array();
    const Timestamp now = ctx.clock.Now();
    for (const auto& d : *list) out.push_back(api::EncodeDevice(d, now, ctx.config.liveness));
    if (WantsStats(req)) {
      auto stats = DeviceStats(ctx.store, *list, now);
      if (!stats.ok()) return Response::Error(stats.status());
      for (size_t i = 0; i < stats->size(); ++i) out[i]["stats"] = std::move((*stats)[i]);
    }
    return Response::Json(200, {{"devices", out}});
  });

  // The network's devices for admins, filtered and one page at a time (the portal's admin view
  // stays fast with tens of thousands of devices).
  router.Add("GET", "/v1/admin/devices", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) {
      return Response::Error(Status(Code::kPermissionDenied,
                                    "only admins can list the network's devices; your own are at "
                                    "GET /v1/devices",
                                    "admin_required"));
    }
    auto limit = QueryInt(req, "limit", 50, 1, 500);
    if (!limit.ok()) return Response::Error(limit.status());
    auto offset = QueryInt(req, "offset", 0, 0, int64_t{1} << 40);
    if (!offset.ok()) return Response::Error(offset.status());
    const std::string status = req.query.count("status") ? req.query.at("status") : "";
    if (!status.empty() && status != "online" && status != "stale" && status != "offline") {
      return Response::Error(
          Status::InvalidArgument("status", "status must be online, stale or offline"));
    }
    const std::string needle = Lower(req.query.count("q") ? req.query.at("q") : "");
    auto filter = FilterFrom(ctx, req);
    if (!filter.ok()) return Response::Error(filter.status());
    auto list = ctx.store.ListDevices(std::nullopt);
    if (!list.ok()) return Response::Error(list.status());
    const Timestamp now = ctx.clock.Now();
    nlohmann::json counts = {{"online", 0}, {"stale", 0}, {"offline", 0}};
    nlohmann::json page = nlohmann::json::array();
    std::vector<store::Device> shown;
    int64_t total = 0;
    for (const auto& d : *list) {
      if (!Matches(d, needle) || !filter->Matches(d)) continue;
      const std::string s(api::DeviceStatusName(api::StatusOf(d, now, ctx.config.liveness)));
      counts[s] = counts[s].get<int64_t>() + 1;
      if (!status.empty() && s != status) continue;
      if (total >= *offset && total < *offset + *limit) {
        page.push_back(api::EncodeDevice(d, now, ctx.config.liveness));
        shown.push_back(d);
      }
      ++total;
    }
    if (WantsStats(req)) {  // for the page only, however large the fleet
      auto stats = DeviceStats(ctx.store, shown, now);
      if (!stats.ok()) return Response::Error(stats.status());
      for (size_t i = 0; i < stats->size(); ++i) page[i]["stats"] = std::move((*stats)[i]);
    }
    return Response::Json(200, {{"devices", page}, {"total", total}, {"counts", counts}});
  });

  // Admin decisions on one device: cordon, uncordon, drain, ban, unban. Only the state is
  // written here; coordinator/kube reconciles the cluster to it (cordon, evict, delete the Node).
  router.Add("POST", "/v1/admin/devices/{id}/actions", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    const std::string id = req.params.at("id");
    StatusOr<store::Device> d = NotYours();
    if (IsWellFormedId(id, kDevicePrefix)) d = ctx.store.GetDevice(DeviceId(id));
    if (!d.ok() || d->removed_at) {
      return Response::Error(Status(Code::kNotFound,
                                    "no such device; list them with GET /v1/admin/devices",
                                    "device_not_found"));
    }
    auto manages = ManagesDevice(ctx, *p, *d);
    if (!manages.ok()) return Response::Error(manages.status());
    if (!*manages) {
      return Response::Error(Status(Code::kPermissionDenied,
                                    "only admins and the admin of the device's region can " +
                                        std::string("cordon, drain or ban it"),
                                    "admin_required"));
    }
    auto action = api::DecodeDeviceAction(req.body);
    if (!action.ok()) return Response::Error(action.status());
    auto next = AdminStateAfter(d->admin_state, action->action);
    if (!next.ok()) return Response::Error(next.status());
    const Timestamp now = ctx.clock.Now();
    if (*next != d->admin_state || action->reason != d->admin_reason) {
      if (Status st = ctx.store.SetAdminState(d->id, *next, action->reason, now); !st.ok()) {
        return Response::Error(st);
      }
      d->admin_state = *next;
      d->admin_reason = action->reason;
      d->admin_state_at = now;
    }
    log::Info("device admin action", {{"device_id", d->id.str()},
                                      {"action", action->action},
                                      {"admin_state", d->admin_state},
                                      {"by", p->account.id.str()}});
    return Response::Json(200, api::EncodeDevice(*d, now, ctx.config.liveness));
  });

  router.Add("GET", "/v1/devices/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto d = ReadableDevice(ctx, *p, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    const Timestamp now = ctx.clock.Now();
    nlohmann::json j = api::EncodeDevice(*d, now, ctx.config.liveness);
    if (WantsStats(req)) {
      auto stats = DeviceStats(ctx.store, {*d}, now);
      if (!stats.ok()) return Response::Error(stats.status());
      j["stats"] = std::move(stats->front());
    }
    auto changes = ctx.store.ListHardwareChanges(d->id, kHardwareChangesShown);
    if (!changes.ok()) return Response::Error(changes.status());
    j["hardware_changes"] = nlohmann::json::array();
    for (const store::HardwareChange& c : *changes) {
      j["hardware_changes"].push_back(EncodeHardwareChange(c));
    }
    return Response::Json(200, j);
  });

  router.Add("PATCH", "/v1/devices/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto d = VisibleDevice(ctx, *p, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    auto name = api::DecodeRename(req.body);
    if (!name.ok()) return Response::Error(name.status());
    if (Status st = ctx.store.RenameDevice(d->id, *name); !st.ok()) return Response::Error(st);
    d->name = *name;
    return Response::Json(200, api::EncodeDevice(*d, ctx.clock.Now(), ctx.config.liveness));
  });

  router.Add("DELETE", "/v1/devices/{id}", [&ctx](const Request& req) {
    StatusOr<store::Device> d = Status::Internal("unset");
    std::string by;
    if (HasDeviceCredential(req)) {
      d = AuthenticateDevice(ctx, req, req.params.at("id"));  // `hearth leave`
      by = "device";
    } else {
      auto p = ctx.auth.Authenticate(req);
      if (!p.ok()) return Response::Error(p.status());
      d = VisibleDevice(ctx, *p, req.params.at("id"));
      by = p->account.id.str();
    }
    if (!d.ok()) return Response::Error(d.status());
    // Marks it removed, releases its addresses and withdraws it from the overlay at once.
    if (auto cs = ctx.network.Remove(d->id); !cs.ok()) return Response::Error(cs.status());
    log::Info("device removed", {{"device_id", d->id.str()}, {"by", by}});
    return Response::NoContent();
  });

  router.Add("POST", "/v1/devices/{id}/heartbeat", [&ctx](const Request& req) {
    auto d = AuthenticateDevice(ctx, req, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    auto hb = api::DecodeHeartbeat(req.body);
    if (!hb.ok()) return Response::Error(hb.status());
    const Timestamp now = ctx.clock.Now();
    store::Heartbeat record{now, hb->agent_version, api::EncodeHeartbeatPayload(*hb).dump(),
                            ctx.config.liveness.offline_after};
    if (hb->inventory) {
      auto inventory = agent::InventoryFromJson(*hb->inventory);
      if (!inventory.ok()) return Response::Error(inventory.status());
      // Compared with the inventory read at authentication: one agent per device sends these,
      // one heartbeat at a time.
      record.inventory = InventoryUpdateFor(d->inventory_json, *inventory, now);
    }
    if (Status st = ctx.store.RecordHeartbeat(d->id, record); !st.ok()) {
      return Response::Error(st);
    }
    if (record.inventory && record.inventory->change) {
      log::Info("hardware changed", {{"device_id", d->id.str()},
                                     {"kind", record.inventory->change->kind},
                                     {"changes", record.inventory->change->changes_json}});
    }
    return Response::Json(
        200, {{"status", "online"},
              {"heartbeat_interval_seconds", std::chrono::duration_cast<std::chrono::seconds>(
                                                 ctx.config.liveness.heartbeat_interval)
                                                 .count()}});
  });
}

}  // namespace hearth::devices
