#include "coordinator/coordinator.h"

#include "api/types.h"
#include "common/log.h"
#include "coordinator/accounts/handlers.h"
#include "coordinator/akash/handlers.h"
#include "coordinator/devices/handlers.h"
#include "coordinator/devices/stats.h"
#include "coordinator/enroll/handlers.h"
#include "coordinator/kube/handlers.h"
#include "coordinator/network/handlers.h"
#include "coordinator/regions/handlers.h"
#include "coordinator/regions/map.h"
#include "coordinator/rewards/handlers.h"

namespace hearth::embedded {
extern const std::string_view kOpenApiYaml;
extern const std::string_view kIndexHtml;
}  // namespace hearth::embedded

namespace hearth::coordinator {

using http::Request;
using http::Response;

Coordinator::Coordinator(Config config, store::Store& store, const Clock& clock, Random& random)
    : auth_(store, clock, random, config.session_ttl),
      auth_limiter_(clock, config.auth_rate_per_minute, config.auth_rate_burst),
      network_(config.network, store, clock, notifier_),
      ctx_{store, clock, random, auth_, auth_limiter_, notifier_, network_, config, nullptr},
      ledger_(store, clock, config.rewards) {
  accounts::RegisterRoutes(router_, ctx_);
  enroll::RegisterRoutes(router_, ctx_);
  devices::RegisterRoutes(router_, ctx_);
  devices::RegisterStatsRoutes(router_, ctx_);
  akash::RegisterRoutes(router_, ctx_);
  network::RegisterRoutes(router_, ctx_);
  rewards::RegisterRoutes(router_, ctx_, ledger_, ctx_.config.payout);
  regions::RegisterRoutes(router_, ctx_);
  regions::RegisterMapRoutes(router_, ctx_);
  kube::RegisterRoutes(router_, ctx_);
  RegisterCoreRoutes();

  metrics_.AddGauge("hearth_devices", "Enrolled devices by status.", [this] {
    std::map<std::string, double> counts = {{"online", 0}, {"stale", 0}, {"offline", 0}};
    if (auto list = ctx_.store.ListDevices(std::nullopt); list.ok()) {
      const Timestamp now = ctx_.clock.Now();
      for (const auto& d : *list) {
        ++counts[std::string(api::DeviceStatusName(api::StatusOf(d, now, ctx_.config.liveness)))];
      }
    }
    std::vector<Metrics::Sample> out;
    for (const auto& [status, n] : counts) out.push_back({"status=\"" + status + "\"", n});
    return out;
  });
}

void Coordinator::RegisterCoreRoutes() {
  router_.Add("GET", "/healthz", [this](const Request&) {
    auto v = ctx_.store.SchemaVersion();
    if (!v.ok()) {
      return Response::Json(503, {{"status", "unavailable"}, {"error", v.status().message()}});
    }
    return Response::Json(200,
                          {{"status", "ok"}, {"schema_version", *v}, {"version", HEARTH_VERSION}});
  });
  router_.Add("GET", "/metrics", [this](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Render();
    return r;
  });
  router_.Add("GET", "/v1/openapi.yaml", [](const Request&) {
    Response r;
    r.content_type = "application/yaml";
    r.body = std::string(embedded::kOpenApiYaml);
    return r;
  });
  router_.Add("GET", "/", [this](const Request&) {
    if (web_) return web_->Index();
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(embedded::kIndexHtml);
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    return r;
  });
}

Status Coordinator::Init() {
  HEARTH_RETURN_IF_ERROR(network_.Init());
  if (!ctx_.config.kube.enabled() || kube_) return Status::Ok();
  HEARTH_ASSIGN_OR_RETURN(kube_, kube::Clusters::Create(ctx_.config.kube, ctx_.store, ctx_.clock,
                                                        ctx_.random, notifier_));
  ctx_.kube = kube_.get();
  kube_->Start();
  return Status::Ok();
}

Status Coordinator::BootstrapAdmin(const std::string& email, const Secret<std::string>& password) {
  HEARTH_ASSIGN_OR_RETURN(int64_t n, ctx_.store.CountAccounts());
  if (n > 0) return Status::Ok();
  if (email.empty() || password.empty()) {
    log::Warn(
        "the store has no accounts; to create the first admin, restart with "
        "HEARTH_ADMIN_EMAIL and HEARTH_ADMIN_PASSWORD set");
    return Status::Ok();
  }
  const std::string body = nlohmann::json{{"email", email}, {"password", password.Reveal()}}.dump();
  HEARTH_ASSIGN_OR_RETURN(api::Credentials creds, api::DecodeCredentials(body, true));
  HEARTH_ASSIGN_OR_RETURN(
      store::Account a,
      accounts::CreateAccount(ctx_, creds.email, creds.password, store::Role::kAdmin));
  log::Info("created the first admin", {{"email", a.email}});
  return Status::Ok();
}

}  // namespace hearth::coordinator
