// Context: what every coordinator module's handlers share — the store, time, randomness,
// auth, liveness policy and config. Owned by Coordinator; outlives every request.
#pragma once

#include <memory>
#include <optional>

#include "api/types.h"
#include "common/clock.h"
#include "common/random.h"
#include "coordinator/accounts/auth.h"
#include "coordinator/akash/config.h"
#include "coordinator/geoip/geoip.h"
#include "coordinator/kube/clusters.h"
#include "coordinator/network/network.h"
#include "coordinator/rewards/payout.h"
#include "coordinator/rewards/policy.h"
#include "http/message.h"
#include "http/rate_limit.h"
#include "store/store.h"

namespace hearth::coordinator {

struct Config {
  api::LivenessPolicy liveness;
  bool allow_signup = true;
  Duration session_ttl = std::chrono::hours(24 * 7);
  // Sign-in, sign-up and enrollment attempts per client address and minute (0: unlimited),
  // with bursts up to auth_rate_burst.
  int auth_rate_per_minute = 30;
  int auth_rate_burst = 10;
  // Edge policy, prices and provider identity for the Akash endpoints (never null).
  std::shared_ptr<const akash::AkashConfig> akash = std::make_shared<akash::AkashConfig>();
  // Requests per client address and minute to the public, unauthenticated Akash endpoints.
  int public_rate_per_minute = 120;
  network::Config network;
  // GeoIP of client addresses for placement (`hearth serve --geoip-db`); null: none.
  std::shared_ptr<const geoip::Database> geoip;
  // Rewards: one operator policy for every device until regions carry their own.
  rewards::RewardPolicy rewards;
  rewards::PayoutConfig payout;
  // Kubernetes clusters per region (none: Kubernetes features are off).
  kube::ClustersOptions kube;
};

struct Context {
  store::Store& store;
  const Clock& clock;
  Random& random;
  accounts::Auth& auth;
  http::RateLimiter& auth_limiter;
  http::Notifier& notifier;
  network::Network& network;
  Config config;
  kube::Clusters* kube = nullptr;  // set by Coordinator::Init when a cluster is configured
};

// A 429 response when the client at req.remote_address is over the auth rate limit.
inline std::optional<http::Response> RateLimited(Context& ctx, const http::Request& req) {
  if (ctx.auth_limiter.Allow(req.remote_address)) return std::nullopt;
  http::Response r = http::Response::Error(
      Status(Code::kResourceExhausted, "too many attempts from this address; wait and retry",
             "rate_limited"));
  r.headers.emplace_back("Retry-After",
                         std::to_string(ctx.auth_limiter.RetryAfterSeconds(req.remote_address)));
  return r;
}

}  // namespace hearth::coordinator
