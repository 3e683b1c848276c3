#include "coordinator/akash/handlers.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "api/akash.h"
#include "common/encoding.h"
#include "coordinator/akash/attributes.h"
#include "coordinator/akash/availability.h"
#include "coordinator/akash/fleet.h"
#include "coordinator/akash/location.h"
#include "coordinator/akash/sdl.h"

namespace hearth::akash {

using http::Request;
using http::Response;

namespace {

constexpr int64_t kChurnWindowDays = 30;
// As long as clients may cache a summary (Cache-Control max-age), the server reuses it: a burst
// from many addresses costs one computation over 30 days of uptime intervals per region.
constexpr auto kPublicCacheFor = std::chrono::seconds(60);

// Token bucket for the unauthenticated endpoints and the summaries computed for them, owned by
// the routes.
struct PublicState {
  explicit PublicState(const coordinator::Context& ctx)
      : limiter(ctx.clock, ctx.config.public_rate_per_minute,
                std::max(10, ctx.config.public_rate_per_minute / 4)) {}
  http::RateLimiter limiter;
  std::mutex mu;
  std::map<std::string, std::pair<Timestamp, api::PublicRegion>> summaries;  // guarded by mu
};

std::optional<Response> Limited(PublicState& st, const Request& req) {
  if (st.limiter.Allow(req.remote_address)) return std::nullopt;
  Response r = Response::Error(Status(Code::kResourceExhausted,
                                      "too many requests from this address; wait and retry",
                                      "rate_limited"));
  r.headers.emplace_back("Retry-After",
                         std::to_string(st.limiter.RetryAfterSeconds(req.remote_address)));
  return r;
}

Response Cacheable(Response r) {
  r.headers.emplace_back("Cache-Control", "public, max-age=60");
  return r;
}

StatusOr<api::FleetSnapshot> Fleet(coordinator::Context& ctx, const std::string& region) {
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> devices, RegionDevices(ctx.store, region));
  return ComputeFleet(devices, region, ctx.clock.Now(), ctx.config.liveness);
}

StatusOr<api::PublicRegion> PublicSummary(coordinator::Context& ctx, PublicState& st,
                                          const std::string& id) {
  const Timestamp now = ctx.clock.Now();
  {
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.summaries.find(id);
    if (it != st.summaries.end() && now - it->second.first < kPublicCacheFor &&
        now >= it->second.first) {
      return it->second.second;
    }
  }
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> devices, RegionDevices(ctx.store, id));
  const Timestamp since = now - std::chrono::hours(24 * kChurnWindowDays);
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> removed,
                          ctx.store.ListDevicesRemovedSince(since));
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::UptimeInterval> intervals,
                          ctx.store.ListUptime(since, now));
  api::PublicRegion r = SummarizeRegion(ctx.config.akash->Region(id), devices, removed, intervals,
                                        now, ctx.config.liveness);
  std::lock_guard<std::mutex> lock(st.mu);
  st.summaries[id] = {now, r};
  return r;
}

// The admin session, or the bid-script token from the Akash config.
Status AuthorizeFleet(coordinator::Context& ctx, const Request& req) {
  const std::string& token = ctx.config.akash->token.Reveal();
  const std::string authz = req.Header("authorization");
  if (!token.empty() && authz.rfind("Bearer ", 0) == 0 &&
      ConstantTimeEquals(Sha256Hex(authz.substr(7)), Sha256Hex(token))) {
    return Status::Ok();
  }
  auto p = ctx.auth.Authenticate(req);
  if (!p.ok()) return p.status();
  if (!p->admin()) return Status::PermissionDenied("only admins and the bid script may read this");
  return Status::Ok();
}

}  // namespace

api::PublicRegion SummarizeRegion(const RegionConfig& region,
                                  const std::vector<store::Device>& devices,
                                  const std::vector<store::Device>& removed,
                                  const std::vector<store::UptimeInterval>& intervals,
                                  Timestamp now, const api::LivenessPolicy& liveness) {
  api::PublicRegion r;
  r.id = region.id;
  r.location_region = region.location_region;
  // Coarse: the country only, never a city or coordinates; where most online devices are.
  const FleetLocation where = ComputeLocation(devices, now, liveness);
  r.country = where.country.empty() ? region.country : where.country;
  const api::FleetSnapshot fleet = ComputeFleet(devices, region.id, now, liveness);
  r.devices_online = fleet.devices_online;
  r.gpus = fleet.gpus;
  r.churn_window_days = kChurnWindowDays;
  const Timestamp since = now - std::chrono::hours(24 * kChurnWindowDays);
  std::vector<int64_t> uptimes;
  for (const auto& d : devices) {
    if (d.enrolled_at >= since) ++r.joined;
    if (api::StatusOf(d, now, liveness) != api::DeviceStatus::kOnline) continue;
    auto hb = nlohmann::json::parse(d.last_heartbeat_json, nullptr, false);
    if (hb.is_object() && hb.contains("uptime_seconds") &&
        hb["uptime_seconds"].is_number_integer()) {
      uptimes.push_back(hb["uptime_seconds"].get<int64_t>());
    }
  }
  // Workers ever in the window, removed ones included: churn and availability count them.
  std::vector<store::Device> all = devices;
  for (const auto& d : removed) {
    if (d.role != "worker") continue;
    if (d.enrolled_at >= since) ++r.joined;  // joined and left inside the window
    if (d.removed_at && *d.removed_at >= since) ++r.left;
    all.push_back(d);
  }
  for (const auto& day : ComputeDailyChurn(all, now, static_cast<int>(kChurnWindowDays))) {
    r.churn_daily.push_back({day.date, day.joined, day.left});
  }
  if (!uptimes.empty()) {
    std::sort(uptimes.begin(), uptimes.end());
    const size_t n = uptimes.size();
    r.median_reported_uptime_seconds =
        n % 2 ? uptimes[n / 2] : (uptimes[n / 2 - 1] + uptimes[n / 2]) / 2;
  }
  const auto figures = [&](std::optional<double>* fleet_up, std::optional<double>* median,
                           Duration window) {
    const Availability a = ComputeAvailability(all, intervals, now, window);
    *fleet_up = a.fleet;
    *median = a.median_device;
  };
  figures(&r.uptime.h24, &r.median_device_uptime.h24, std::chrono::hours(24));
  figures(&r.uptime.d7, &r.median_device_uptime.d7, std::chrono::hours(24 * 7));
  figures(&r.uptime.d30, &r.median_device_uptime.d30, std::chrono::hours(24 * kChurnWindowDays));
  return r;
}

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  auto st = std::make_shared<PublicState>(ctx);

  router.Add("POST", "/v1/sdl/check", [&ctx, st](const Request& req) {
    if (auto limited = Limited(*st, req)) return *limited;
    const std::string region = req.query.count("region") ? req.query.at("region") : "default";
    auto sdl = ParseSdl(req.body);
    if (!sdl.ok()) {
      Status s = sdl.status();
      return Response::Error(Status(Code::kInvalidArgument, s.message(), "invalid_sdl", s.field()));
    }
    auto fleet = Fleet(ctx, region);
    if (!fleet.ok()) return Response::Error(fleet.status());
    return Response::Json(
        200, api::EncodeSdlCheck(CheckSdl(*sdl, ctx.config.akash->Region(region), *fleet)));
  });

  router.Add("GET", "/v1/public/regions", [&ctx, st](const Request& req) {
    if (auto limited = Limited(*st, req)) return *limited;
    auto r = PublicSummary(ctx, *st, std::string(kDefaultRegion));
    if (!r.ok()) return Response::Error(r.status());
    return Cacheable(
        Response::Json(200, {{"regions", nlohmann::json::array({api::EncodePublicRegion(*r)})}}));
  });

  router.Add("GET", "/v1/public/regions/{id}", [&ctx, st](const Request& req) {
    if (auto limited = Limited(*st, req)) return *limited;
    auto r = PublicSummary(ctx, *st, req.params.at("id"));
    if (!r.ok()) return Response::Error(r.status());
    return Cacheable(Response::Json(200, api::EncodePublicRegion(*r)));
  });

  router.Add("GET", "/v1/akash/regions/{id}/fleet", [&ctx](const Request& req) {
    if (Status s = AuthorizeFleet(ctx, req); !s.ok()) return Response::Error(s);
    auto fleet = Fleet(ctx, req.params.at("id"));
    if (!fleet.ok()) return Response::Error(fleet.status());
    return Response::Json(200, api::EncodeFleet(*fleet));
  });

  router.Add("GET", "/v1/admin/regions/{id}/attributes", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) return Response::Error(Status::PermissionDenied("admins only"));
    const std::string format = req.query.count("format") ? req.query.at("format") : "json";
    if (format != "json" && format != "yaml") {
      return Response::Error(Status::InvalidArgument("format", "must be json or yaml"));
    }
    const std::string id = req.params.at("id");
    auto devices = RegionDevices(ctx.store, id);
    if (!devices.ok()) return Response::Error(devices.status());
    const Timestamp now = ctx.clock.Now();
    const api::ProviderAttributes attrs =
        RegionAttributes(*ctx.config.akash, ctx.config.akash->Region(id),
                         ComputeFleet(*devices, id, now, ctx.config.liveness),
                         ComputeLocation(*devices, now, ctx.config.liveness));
    if (format == "yaml") {
      Response r;
      r.content_type = "application/yaml";
      r.body = api::AttributesYaml(attrs);
      return r;
    }
    return Response::Json(200, api::EncodeAttributes(attrs));
  });
}

}  // namespace hearth::akash
