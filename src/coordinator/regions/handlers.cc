#include "coordinator/regions/handlers.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>

#include "api/json_reader.h"
#include "api/regions.h"
#include "api/types.h"
#include "common/log.h"
#include "coordinator/regions/catalog.h"
#include "coordinator/regions/proposals.h"

namespace hearth::regions {

using http::Request;
using http::Response;

namespace {

Status AdminRequired(std::string_view what) {
  return {Code::kPermissionDenied, "only admins can " + std::string(what) + "; sign in as an admin",
          "admin_required"};
}

StatusOr<std::map<std::string, int64_t>> DeviceCounts(coordinator::Context& ctx) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> all, ctx.store.ListDevices(std::nullopt));
  std::map<std::string, int64_t> counts;
  for (const auto& d : all) {
    if (!d.region_id.empty()) ++counts[d.region_id];
  }
  return counts;
}

Response RegionResponse(coordinator::Context& ctx, int status, const store::Region& r) {
  auto counts = DeviceCounts(ctx);
  if (!counts.ok()) return Response::Error(counts.status());
  return Response::Json(status, api::EncodeRegion(r, (*counts)[r.id]));
}

}  // namespace

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/regions", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    std::vector<store::Region> regions;
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(regions, tx.ListRegions());
      return Status::Ok();
    });
    if (!st.ok()) return Response::Error(st);
    auto counts = DeviceCounts(ctx);
    if (!counts.ok()) return Response::Error(counts.status());
    nlohmann::json out = nlohmann::json::array();
    bool any = false;
    for (const auto& r : regions) {
      if (!p->admin() && r.admin != p->account.id) continue;
      any = true;
      out.push_back(api::EncodeRegion(r, (*counts)[r.id]));
    }
    if (!p->admin() && !any) return Response::Error(AdminRequired("list regions"));
    return Response::Json(200, {{"regions", out}});
  });

  router.Add("PUT", "/v1/regions/{id}/admin", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminRequired("appoint region admins"));
    auto body = api::ParseObject(req.body);
    if (!body.ok()) return Response::Error(body.status());
    auto email = api::JsonReader(*body).String("email", 254);
    if (!email.ok()) return Response::Error(email.status());
    std::string normalized = *email;
    for (char& c : normalized) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto account = ctx.store.FindAccountByEmail(normalized);
    if (!account.ok()) {
      return Response::Error(account.status().code() == Code::kNotFound
                                 ? Status::InvalidArgument("email",
                                                           "no account has this email; "
                                                           "the person must sign up first")
                                 : account.status());
    }
    store::Region r;
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> found,
                              tx.FindRegion(req.params.at("id")));
      if (!found) return Status::NotFound("no such region: " + req.params.at("id"));
      r = *found;
      r.admin = account->id;
      r.updated_at = ctx.clock.Now();
      return tx.UpdateRegion(r);
    });
    if (!st.ok()) return Response::Error(st);
    log::Info("region admin appointed", {{"region", r.id}, {"account_id", account->id.str()}});
    return RegionResponse(ctx, 200, r);
  });

  router.Add("GET", "/v1/regions/{id}/devices", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    const std::string id = req.params.at("id");
    std::optional<store::Region> found;
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(found, tx.FindRegion(id));
      return Status::Ok();
    });
    if (!st.ok()) return Response::Error(st);
    // To anyone but admins and this region's admin, the region does not exist.
    if (!found || (!p->admin() && found->admin != p->account.id)) {
      return Response::Error(Status::NotFound("no such region: " + id));
    }
    auto all = ctx.store.ListDevices(std::nullopt);
    if (!all.ok()) return Response::Error(all.status());
    const Timestamp now = ctx.clock.Now();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *all) {
      if (d.region_id == id) out.push_back(api::EncodeDevice(d, now, ctx.config.liveness));
    }
    return Response::Json(200, {{"devices", out}});
  });

  router.Add("GET", "/v1/regions/proposals", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    nlohmann::json out = nlohmann::json::array();
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(std::vector<store::RegionProposal> all, tx.ListProposals());
      for (const auto& prop : all) {
        HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> waiting, tx.ListWaitlisted(prop.cell));
        // Owners see the proposals of cells where a device of theirs waits (or whose region
        // they were approved to run); admins see all.
        const bool mine =
            std::any_of(waiting.begin(), waiting.end(),
                        [&](const store::Device& d) { return d.owner_id == p->account.id; }) ||
            prop.volunteer == p->account.id;
        if (!p->admin() && !mine) continue;
        HEARTH_ASSIGN_OR_RETURN(Waiting w, CountWaiting(tx, prop.cell));
        HEARTH_ASSIGN_OR_RETURN(std::vector<store::RegionVolunteer> vols,
                                tx.ListVolunteers(prop.id));
        nlohmann::json vj = nlohmann::json::array();
        for (const auto& v : vols) {
          if (!p->admin() && v.account_id != p->account.id) continue;
          auto details = nlohmann::json::parse(v.details_json, nullptr, false);
          vj.push_back({{"account_id", v.account_id.str()},
                        {"hosting", details.is_discarded() ? nlohmann::json::object() : details},
                        {"at", FormatRfc3339(v.created_at)}});
        }
        out.push_back(api::EncodeProposal(prop, w.devices, w.gpus, vj));
      }
      return Status::Ok();
    });
    if (!st.ok()) return Response::Error(st);
    return Response::Json(200, {{"proposals", out}});
  });

  router.Add("POST", "/v1/regions/proposals/{id}/volunteer", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto details = api::DecodeHostingDetails(req.body);
    if (!details.ok()) return Response::Error(details.status());
    auto v = Volunteer(ctx.store, ctx.clock.Now(), ctx.config.network.webhook, req.params.at("id"),
                       p->account.id, *details);
    if (!v.ok()) return Response::Error(v.status());
    return Response::Json(201, {{"proposal", v->proposal_id},
                                {"account_id", v->account_id.str()},
                                {"hosting", api::EncodeHostingDetails(*details)}});
  });

  router.Add("POST", "/v1/regions/proposals/{id}/approve", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminRequired("approve region proposals"));
    auto body = api::DecodeApprove(req.body);
    if (!body.ok()) return Response::Error(body.status());
    // The volunteer by account id or email.
    std::optional<AccountId> volunteer;
    if (body->volunteer.find('@') != std::string::npos) {
      std::string email = body->volunteer;
      for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto a = ctx.store.FindAccountByEmail(email);
      if (a.ok()) volunteer = a->id;
    } else if (auto a = ctx.store.GetAccount(AccountId(body->volunteer)); a.ok()) {
      volunteer = a->id;
    }
    if (!volunteer) {
      return Response::Error(Status::InvalidArgument(
          "volunteer", "no account has this id or email; name one of the proposal's volunteers"));
    }
    auto r = Approve(ctx.store, ctx.clock.Now(), ctx.config.network.webhook, req.params.at("id"),
                     *volunteer, body->region);
    if (!r.ok()) return Response::Error(r.status());
    log::Info("region proposal approved",
              {{"proposal", req.params.at("id")}, {"region", r->id}, {"by", p->account.id.str()}});
    return RegionResponse(ctx, 201, *r);
  });

  router.Add("GET", "/v1/admin/events", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminRequired("read the admin event log"));
    int64_t after = 0, limit = 100;
    for (auto [key, target, max] :
         {std::tuple{"after", &after, INT64_MAX}, std::tuple{"limit", &limit, int64_t{1000}}}) {
      auto it = req.query.find(key);
      if (it == req.query.end()) continue;
      char* end = nullptr;
      errno = 0;
      const long long v = std::strtoll(it->second.c_str(), &end, 10);
      if (it->second.empty() || *end != '\0' || errno != 0 || v < 0 || v > max) {
        return Response::Error(Status::InvalidArgument(
            key, std::string("must be an integer between 0 and ") + std::to_string(max)));
      }
      *target = v;
    }
    if (limit == 0) limit = 100;
    auto events = ctx.store.ListEvents(after, limit);
    if (!events.ok()) return Response::Error(events.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *events) out.push_back(api::EncodeAdminEvent(e));
    return Response::Json(200, {{"events", out}});
  });

  router.Add("POST", "/v1/checkin", [&ctx](const Request& req) {
    if (auto limited = coordinator::RateLimited(ctx, req)) return *limited;
    auto body = api::ParseObject(req.body.empty() ? "{}" : req.body);
    if (!body.ok()) return Response::Error(body.status());
    auto gpus = api::JsonReader(*body).OptInt("gpus", 0, 1024);
    if (!gpus.ok()) return Response::Error(gpus.status());
    const bool gpu = gpus->value_or(0) > 0;
    std::vector<store::Region> regions;
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(regions, tx.ListRegions());
      return Status::Ok();
    });
    if (!st.ok()) return Response::Error(st);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : regions) {
      if (r.location_region.empty() || r.status != "active") continue;
      if ((gpu && r.hardware_policy == "cpu-only") || (!gpu && r.hardware_policy == "gpu-only")) {
        continue;
      }
      out.push_back({{"region", r.id}, {"name", r.name}, {"gateways", r.gateways}});
    }
    return Response::Json(200, {{"candidates", out}});
  });

  router.Add("POST", "/v1/regions", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(AdminRequired("create regions"));
    auto spec = api::DecodeRegionSpec(req.body, /*for_create=*/true);
    if (!spec.ok()) return Response::Error(spec.status());
    auto r = Create(ctx.store, ctx.clock.Now(), *spec);
    if (!r.ok()) return Response::Error(r.status());
    log::Info("region created", {{"region", r->id}, {"by", p->account.id.str()}});
    return RegionResponse(ctx, 201, *r);
  });

  router.Add("PATCH", "/v1/regions/{id}", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    const std::string id = req.params.at("id");
    if (!p->admin()) {
      // A region admin may change its own region; to anyone else the region does not exist.
      std::optional<store::Region> found;
      Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
        HEARTH_ASSIGN_OR_RETURN(found, tx.FindRegion(id));
        return Status::Ok();
      });
      if (!st.ok()) return Response::Error(st);
      if (!found || found->admin != p->account.id) {
        return Response::Error(Status::NotFound("no such region: " + id));
      }
    }
    auto spec = api::DecodeRegionSpec(req.body, /*for_create=*/false);
    if (!spec.ok()) return Response::Error(spec.status());
    auto r = Update(ctx.store, ctx.clock.Now(), id, *spec);
    if (!r.ok()) return Response::Error(r.status());
    return RegionResponse(ctx, 200, *r);
  });

  for (const auto& transition : {std::pair{"drain", "draining"}, std::pair{"activate", "active"}}) {
    const char* verb = transition.first;
    const char* status = transition.second;
    router.Add("POST", std::string("/v1/regions/{id}/") + verb,
               [&ctx, verb, status](const Request& req) {
                 auto p = ctx.auth.Authenticate(req);
                 if (!p.ok()) return Response::Error(p.status());
                 if (!p->admin()) {
                   return Response::Error(AdminRequired(std::string(verb) + " regions"));
                 }
                 auto r = SetStatus(ctx.store, ctx.clock.Now(), req.params.at("id"), status);
                 if (!r.ok()) return Response::Error(r.status());
                 log::Info("region status changed", {{"region", r->id}, {"status", r->status}});
                 // Draining moves the region's devices now (and Tick finishes it after a
                 // crash); activating places waitlisted devices on the next tick.
                 auto cs = ctx.network.ReplaceDraining();
                 if (!cs.ok()) return Response::Error(cs.status());
                 if (cs->replaced > 0) {
                   log::Info("devices re-placed", {{"region", r->id}, {"count", cs->replaced}});
                 }
                 return RegionResponse(ctx, 200, *r);
               });
  }
}

}  // namespace hearth::regions
