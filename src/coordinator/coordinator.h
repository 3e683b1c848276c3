// Coordinator: wires the store, auth and every module's routes into one router, plus
// /healthz, /metrics, the OpenAPI document and the start page. `hearth serve` runs it.
#pragma once

#include <memory>
#include <optional>

#include "common/metrics.h"
#include "coordinator/context.h"
#include "coordinator/rewards/ledger.h"
#include "coordinator/web/static_files.h"
#include "http/router.h"

namespace hearth::coordinator {

class Coordinator {
 public:
  // `store`, `clock` and `random` must outlive the Coordinator.
  Coordinator(Config config, store::Store& store, const Clock& clock, Random& random);

  const http::Router& router() const { return router_; }
  Metrics& metrics() { return metrics_; }
  Context& context() { return ctx_; }
  http::Notifier& notifier() { return notifier_; }
  network::Network& network() { return network_; }

  // Checks the configuration and prepares the store (the default region), then connects to the
  // configured Kubernetes clusters and starts their controllers. Call before serving.
  Status Init();
  // The Kubernetes clusters, or null when none is configured.
  kube::Clusters* kube() { return kube_.get(); }

  // Serves the web portal's files (before the server starts; not thread-safe with serving). The
  // start page "/" becomes the portal; without it "/" stays the built-in minimal page.
  void SetWebFiles(web::StaticFiles files) { web_ = std::move(files); }
  // The portal's file for a GET that matched no route (ServerOptions::static_files), or nullopt.
  std::optional<http::Response> ServeStatic(const http::Request& req) const {
    return web_ ? web_->Serve(req) : std::nullopt;
  }
  rewards::Ledger& ledger() { return ledger_; }

  // With an empty store: creates the first admin from the given credentials, or logs how to.
  Status BootstrapAdmin(const std::string& email, const Secret<std::string>& password);

 private:
  void RegisterCoreRoutes();

  accounts::Auth auth_;
  http::RateLimiter auth_limiter_;
  http::Notifier notifier_;
  network::Network network_;
  Context ctx_;
  rewards::Ledger ledger_;
  http::Router router_;
  Metrics metrics_;
  std::optional<web::StaticFiles> web_;
  std::unique_ptr<kube::Clusters> kube_;  // last: stopped before everything it uses
};

}  // namespace hearth::coordinator
