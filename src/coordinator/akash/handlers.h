// Routes of the Akash integration:
//   POST /v1/sdl/check                      (no auth, rate limited) SDL YAML → SdlCheckReport
//   GET  /v1/public/regions                 (no auth, rate limited, cacheable) region summaries
//   GET  /v1/public/regions/{id}
//   GET  /v1/akash/regions/{id}/fleet       (admin session or the bid-script token) FleetSnapshot
//   GET  /v1/admin/regions/{id}/attributes  (admin) provider attributes, ?format=yaml|json
#pragma once

#include <vector>

#include "api/akash.h"
#include "coordinator/akash/config.h"
#include "coordinator/context.h"
#include "http/router.h"

namespace hearth::akash {

void RegisterRoutes(http::Router& router, coordinator::Context& ctx);

// The public summary of a region at `now` from its devices and the devices removed in the
// churn window (pure; exposed for tests).
api::PublicRegion SummarizeRegion(const RegionConfig& region,
                                  const std::vector<store::Device>& devices,
                                  const std::vector<store::Device>& removed, Timestamp now,
                                  const api::LivenessPolicy& liveness);

}  // namespace hearth::akash
