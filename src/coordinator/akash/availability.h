// Reliability figures of a region for the public provider API (DESIGN §7): fleet availability
// and the median device's availability over a window, from the rewards' uptime intervals
// (store::UptimeInterval, one per span of heartbeats without a gap beyond --offline-after), and
// churn per calendar day from enrolments and removals. Pure functions; thread-safe.
//
// A device counts in a window from max(window start, enrolment) to min(now, removal): time before
// it joined or after it left is neither up nor down. Its uptime there is the union of its
// intervals clipped to that span. An interval ends at the device's last heartbeat, so an online
// device's current interval lags `now` by less than one heartbeat interval.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/store.h"

namespace hearth::akash {

struct Availability {
  std::optional<double> fleet;          // Σ up / Σ counted time, 0..1; nullopt: no device counted
  std::optional<double> median_device;  // median over devices of each one's up / counted time
  int64_t devices = 0;                  // devices counted in the window
};

// Over [now − window, now). `devices` are the region's workers, removed ones included (a removed
// device counts until its removal); `intervals` may hold other devices' intervals (ignored).
Availability ComputeAvailability(const std::vector<store::Device>& devices,
                                 const std::vector<store::UptimeInterval>& intervals, Timestamp now,
                                 Duration window);

struct DailyChurn {
  std::string date;  // UTC day, "2026-11-25"
  int64_t joined = 0;
  int64_t left = 0;
};

// The last `days` UTC calendar days, oldest first, today (partial) last: devices enrolled and
// removed on each day.
std::vector<DailyChurn> ComputeDailyChurn(const std::vector<store::Device>& devices, Timestamp now,
                                          int days);

}  // namespace hearth::akash
