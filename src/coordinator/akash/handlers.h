// Routes of the Akash integration:
//   POST /v1/sdl/check                      (no auth, rate limited) SDL YAML → SdlCheckReport
//   GET  /v1/public/regions                 (no auth, rate limited, cacheable) region summaries
//   GET  /v1/public/regions/{id}            (each summary is computed at most once a minute)
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

// The public summary of a region at `now` from its devices, the devices removed in the churn
// window and the uptime intervals of the last 30 days (pure; exposed for tests).
api::PublicRegion SummarizeRegion(const RegionConfig& region,
                                  const std::vector<store::Device>& devices,
                                  const std::vector<store::Device>& removed,
                                  const std::vector<store::UptimeInterval>& intervals,
                                  Timestamp now, const api::LivenessPolicy& liveness);

}  // namespace hearth::akash
