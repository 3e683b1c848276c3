// Coordinator: wires the store, auth and every module's routes into one router, plus
// /healthz, /metrics, the OpenAPI document and the start page. `hearth serve` runs it.
#pragma once

#include <memory>

#include "common/metrics.h"
#include "coordinator/context.h"
#include "coordinator/rewards/ledger.h"
#include "http/router.h"

namespace hearth::coordinator {

class Coordinator {
 public:
  // `store`, `clock` and `random` must outlive the Coordinator.
  Coordinator(Config config, store::Store& store, const Clock& clock, Random& random);

  const http::Router& router() const { return router_; }
  Metrics& metrics() { return metrics_; }
  Context& context() { return ctx_; }
  rewards::Ledger& ledger() { return ledger_; }

  // With an empty store: creates the first admin from the given credentials, or logs how to.
  Status BootstrapAdmin(const std::string& email, const Secret<std::string>& password);

 private:
  void RegisterCoreRoutes();

  accounts::Auth auth_;
  http::RateLimiter auth_limiter_;
  Context ctx_;
  rewards::Ledger ledger_;
  http::Router router_;
  Metrics metrics_;
};

}  // namespace hearth::coordinator
