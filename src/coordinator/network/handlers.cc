#include "coordinator/network/handlers.h"

#include <charconv>

#include "api/network.h"
#include "common/log.h"
#include "coordinator/devices/handlers.h"

namespace hearth::network {

using http::Request;
using http::Response;

namespace {

constexpr int64_t kDefaultWaitSeconds = 30;
constexpr int64_t kMaxWaitSeconds = 60;

StatusOr<int64_t> QueryNumber(const Request& req, const std::string& name, int64_t def,
                              int64_t max) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return def;
  int64_t v = 0;
  const std::string& t = it->second;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v < 0 || v > max) {
    return Status::InvalidArgument(name, "must be a whole number from 0 to " + std::to_string(max));
  }
  return v;
}

}  // namespace

void RegisterRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/devices/{id}/config", [&ctx](const Request& req) {
    auto d = devices::AuthenticateDevice(ctx, req, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    auto since = QueryNumber(req, "since", 0, INT64_MAX);
    if (!since.ok()) return Response::Error(since.status());
    auto wait = QueryNumber(req, "wait", kDefaultWaitSeconds, kMaxWaitSeconds);
    if (!wait.ok()) return Response::Error(wait.status());
    // The cheap check first: a parked long-poll re-runs this every re-check interval.
    auto version = ctx.store.ConfigVersion(d->id);
    if (!version.ok()) return Response::Error(version.status());
    if (*version > *since) {
      auto config = ctx.network.DesiredConfig(d->id);
      if (!config.ok()) return Response::Error(config.status());
      if (ctx.kube != nullptr) {  // workers of a region with a cluster: how to join it
        auto join = ctx.kube->JoinFor(*d);
        if (!join.ok()) return Response::Error(join.status());
        config->kubernetes = std::move(*join);
      }
      return Response::Json(200, api::EncodeNetworkConfig(*config));
    }
    if (req.final_attempt || *wait == 0) {
      Response r;
      r.status = 304;
      return r;
    }
    return Response::WaitFor(d->id.str(), std::chrono::seconds(*wait));
  });

  router.Add("POST", "/v1/devices/{id}/config/applied", [&ctx](const Request& req) {
    auto d = devices::AuthenticateDevice(ctx, req, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    auto report = api::DecodeAppliedReport(req.body);
    if (!report.ok()) return Response::Error(report.status());
    if (report->version > d->config_version) {
      return Response::Error(Status::InvalidArgument(
          "version", "is " + std::to_string(report->version) + " but the newest config issued is " +
                         std::to_string(d->config_version) + "; report the version you applied"));
    }
    if (!report->error.empty()) {
      log::Warn(
          "device could not apply its network config",
          {{"device_id", d->id.str()}, {"version", report->version}, {"error", report->error}});
    }
    if (Status st = ctx.store.RecordApplied(d->id, report->version, report->error); !st.ok()) {
      return Response::Error(st);
    }
    return Response::NoContent();
  });

  router.Add("GET", "/v1/gateways", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    if (!p->admin()) {
      return Response::Error(Status(Code::kPermissionDenied,
                                    "only admins can list gateways; sign in as an admin",
                                    "admin_required"));
    }
    auto all = ctx.store.ListDevices(std::nullopt);
    if (!all.ok()) return Response::Error(all.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *all) {
      if (d.role != "gateway") continue;
      out.push_back({{"id", d.id.str()},
                     {"name", d.name},
                     {"region", d.region_id},
                     {"endpoint", d.endpoint},
                     {"overlay_ip", d.overlay_ip},
                     {"state", d.gateway_down_at ? "down" : "up"},
                     {"homed_workers", d.homed_workers},
                     {"last_seen", FormatRfc3339(d.last_seen)},
                     {"desired_version", d.config_version},
                     {"applied_version", d.applied_version}});
    }
    return Response::Json(200, {{"gateways", out}});
  });
}

}  // namespace hearth::network
