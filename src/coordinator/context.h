// Context: what every coordinator module's handlers share — the store, time, randomness,
// auth, liveness policy and config. Owned by Coordinator; outlives every request.
#pragma once

#include "api/types.h"
#include "common/clock.h"
#include "common/random.h"
#include "coordinator/accounts/auth.h"
#include "store/store.h"

namespace hearth::coordinator {

struct Config {
  api::LivenessPolicy liveness;
  bool allow_signup = true;
  Duration session_ttl = std::chrono::hours(24 * 7);
};

struct Context {
  store::Store& store;
  const Clock& clock;
  Random& random;
  accounts::Auth& auth;
  Config config;
};

}  // namespace hearth::coordinator
