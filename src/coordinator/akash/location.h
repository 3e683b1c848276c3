// Where a region's online devices are, for its provider attributes (country, city) and the
// public API (country only): "where most devices are", from each device's placement evidence
// (store::Device::placement_evidence_json): GeoIP's {"geoip":{"country","city",...}} first,
// else the owner's declared "country". Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/types.h"
#include "store/store.h"

namespace hearth::akash {

struct FleetLocation {
  std::string country;  // ISO 3166-1 alpha-2 most online devices are in; "" when none says
  std::string city;     // GeoIP city most online devices of that country are in; "" when none
  int64_t devices_with_country = 0;  // online devices that told a country
  int64_t devices_in_country = 0;    // of those, in `country`
  int64_t devices_in_city = 0;       // online devices in `city` (and `country`)
};

// Majorities over the online devices at `now`; ties go to the alphabetically first value. A
// city counts only inside the winning country. Unreadable or malformed evidence is skipped.
FleetLocation ComputeLocation(const std::vector<store::Device>& devices, Timestamp now,
                              const api::LivenessPolicy& liveness);

}  // namespace hearth::akash
