// FleetSource for processes outside the coordinator (the bid script, `hearth sdl check`): the
// live snapshot from GET /v1/akash/regions/{id}/fleet with a short timeout, written to a cache
// file on success; the cached snapshot when the coordinator is unreachable. Not thread-safe.
#pragma once

#include <string>

#include "api/akash.h"
#include "common/clock.h"
#include "coordinator/akash/config.h"

namespace hearth::akash {

struct FleetFetch {
  api::FleetSnapshot fleet;
  bool from_cache = false;
  std::string note;  // why the cache was used, e.g. "coordinator unreachable: ..."
};

// Live snapshot, else the cache (refused when older than config.cache_max_age).
StatusOr<FleetFetch> FetchFleet(const AkashConfig& config, const std::string& region,
                                const Clock& clock);

// Reads a snapshot file (the cache, or one given to `hearth sdl check --fleet`).
StatusOr<api::FleetSnapshot> ReadFleetFile(const std::string& path);
// Writes atomically (temporary file + rename).
Status WriteFleetFile(const std::string& path, const api::FleetSnapshot& fleet);

}  // namespace hearth::akash
