// Wire type of the network map (GET /v1/map): the whole network's worker devices aggregated per
// coarse cell, the regions with their status and centre, and waitlist counts per cell.
//
// Privacy (DESIGN §4): a cell is a country plus a whole-degree grid square (placement's
// WaitlistCell, roughly 100 km) or a country alone; the map carries only cell counts, never a
// device's coordinates, city, address, id, name or owner. `mine` counts are the caller's own.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace hearth::api {

// One cell of the map. lat/lon are the cell's south-west corner in whole degrees (the square
// [lat, lat+1) × [lon, lon+1)); both absent for a country-only cell ("KE/-/-").
struct MapCell {
  std::string cell;     // "DE/52/13", "KE/-/-"; "ZZ" stands for an unknown country
  std::string country;  // ISO 3166-1 alpha-2, "ZZ" when unknown
  std::optional<int> lat, lon;
  int64_t devices = 0;          // every live worker located in the cell (placed or waitlisted)
  int64_t online = 0;           // of those, online now
  int64_t gpus = 0;             // GPUs of those devices
  int64_t mine = 0;             // the caller's devices among `devices`
  int64_t waitlisted = 0;       // devices waiting in the cell for a region
  int64_t waitlisted_gpus = 0;  // GPUs of the waiting devices
  std::map<std::string, int64_t> gpu_models;  // Akash model name → units
};

// A region as the map shows it: catalog status and centre (admin-entered, not a device's).
struct MapRegion {
  std::string id, name, status, location_region, hardware_policy;
  double lat = 0, lon = 0;
  std::vector<std::string> countries;
  int64_t max_workers = 0;  // 0: unlimited
  int64_t devices = 0;      // live workers placed there
  int64_t online = 0;
  int64_t gpus = 0;
  int64_t mine = 0;
};

struct NetworkMap {
  Timestamp generated_at;
  std::string cell_size = "1deg";  // grid squares of whole degrees
  std::vector<MapCell> cells;      // ordered by cell text
  std::vector<MapRegion> regions;  // regions with a catalog entry (a location), by id
  int64_t unlocated = 0;           // live workers without any location evidence
  int64_t unlocated_mine = 0;
  int64_t devices = 0;  // every live worker (located or not)
  int64_t online = 0;
  int64_t gpus = 0;
  int64_t waitlisted = 0;
  int64_t mine = 0;
};

// Response of GET /v1/map.
nlohmann::json EncodeNetworkMap(const NetworkMap& m);

}  // namespace hearth::api
