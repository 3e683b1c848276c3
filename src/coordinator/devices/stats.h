// Per-device summaries the portal shows beside each device: uptime over the last 24 hours and
// 7 days (from the uptime intervals heartbeats record for rewards) and earnings in the last
// 24 hours and in total (from the owner's ledger entries), plus the uptime timeline of one
// device. Uptime counts only the part of a window after the device enrolled, so a device added
// an hour ago and online since shows 100 %.
//
// GET /v1/devices, GET /v1/admin/devices and GET /v1/devices/{id} add "stats" to each device
// when asked with ?stats=1; GET /v1/devices/{id}/uptime?days=N is the timeline.
// UptimeOver is a pure function; the rest read the store. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "coordinator/context.h"
#include "http/router.h"
#include "store/store.h"

namespace hearth::devices {

struct UptimeShare {
  int64_t online_seconds = 0;
  int64_t window_seconds = 0;  // the part of [from, to) after enrollment
  // online / window, or -1 when the window is empty (enrolled after `to`).
  double fraction() const {
    return window_seconds > 0 ? static_cast<double>(online_seconds) / window_seconds : -1;
  }
};

// Online seconds of `intervals` (one device's, not overlapping) within [max(from, enrolled), to).
UptimeShare UptimeOver(const std::vector<store::UptimeInterval>& intervals, Timestamp enrolled,
                       Timestamp from, Timestamp to);

// {"uptime_24h","uptime_7d" (fractions 0..1, null before enrollment),"online_seconds_24h",
//  "online_seconds_7d","earned_24h","earned_total" (uakt)} for each device, in order.
StatusOr<std::vector<nlohmann::json>> DeviceStats(store::Store& store,
                                                  const std::vector<store::Device>& devices,
                                                  Timestamp now);

// True when the request asks for stats (?stats=1).
bool WantsStats(const http::Request& req);

// GET /v1/devices/{id}/uptime.
void RegisterStatsRoutes(http::Router& router, coordinator::Context& ctx);

}  // namespace hearth::devices
