// Placement: which regional cluster a new device joins, or why it waits (DESIGN §4).
//
// A pure function of its inputs — the active regions (centre, served countries, capacity,
// hardware policy), the device's evidence (RTT samples to region gateways, GeoIP country and
// coordinates, declared country, hardware class) and the configured bounds. No I/O, no clock, no
// randomness: the same inputs give the same decision, so it is table-tested and benchmarked
// alone, and the overlay (coordinator/network) calls it inside its store transaction.
//
// Evidence is used in order of strength: measured RTT (median of the samples per gateway, the
// best gateway per region), then GeoIP coordinates (great-circle distance to the region centre),
// then a country (GeoIP's, else the declared one) served by a region. Among acceptable regions the
// lowest RTT / distance wins; ties go to the lower region id. A region is acceptable when it has
// capacity (used < max, max 0 = unlimited) and its hardware policy accepts the device's class.
// With no acceptable region within the bound the device is waitlisted in a coarse cell.
// Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hearth::placement {

enum class HardwarePolicy { kMixed, kGpuOnly, kCpuOnly };
std::string_view HardwarePolicyName(HardwarePolicy p);  // "mixed", "gpu-only", "cpu-only"
std::optional<HardwarePolicy> ParseHardwarePolicy(std::string_view s);

enum class HardwareClass { kCpu, kGpu };

struct GeoPoint {
  double lat = 0;  // degrees, [-90, 90]
  double lon = 0;  // degrees, [-180, 180]
};
// True when both coordinates are finite and within range.
bool ValidGeoPoint(const GeoPoint& p);
// Great-circle distance in kilometres (haversine, mean Earth radius).
double DistanceKm(const GeoPoint& a, const GeoPoint& b);

// An active region as placement sees it.
struct Candidate {
  std::string id;
  GeoPoint centre;
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2, upper case
  int64_t used = 0;                    // devices placed there now
  int64_t max_workers = 0;             // 0: unlimited
  HardwarePolicy policy = HardwarePolicy::kMixed;
};

// RTT samples from the device to one gateway of a region (milliseconds).
struct RttProbe {
  std::string region;
  std::string gateway;  // endpoint probed, for the evidence record
  std::vector<double> samples_ms;
};

struct Evidence {
  HardwareClass hardware = HardwareClass::kCpu;
  std::vector<RttProbe> rtt;
  std::optional<std::string> geoip_country;
  std::optional<GeoPoint> geoip_location;
  std::optional<std::string> declared_country;
};

struct Bounds {
  double max_rtt_ms = 150;        // a region measured slower than this is not acceptable
  double max_distance_km = 3000;  // by GeoIP coordinates
};

struct Decision {
  std::optional<std::string> region;  // nullopt: waitlisted
  // Machine-readable: placed by "rtt", "geoip_location", "geoip_country", "declared_country";
  // waitlisted for "out_of_bound", "no_capacity", "hardware_not_accepted", "no_region_serves",
  // "no_evidence", "no_active_region".
  std::string reason;
  std::string detail;    // one human sentence: what decided it
  std::string evidence;  // which evidence decided: "rtt", "geoip_location", "geoip_country",
                         // "declared_country" or "" when none applied
  double metric = 0;     // the RTT (ms) or distance (km) that decided, 0 for countries
};

// The decision for one device. Candidates are the active regions, in any order.
Decision Place(const std::vector<Candidate>& regions, const Evidence& evidence,
               const Bounds& bounds);

// Median of `samples` (mean of the middle two for an even count); 0 for none.
double Median(std::vector<double> samples);

// The waitlist cell: country plus a 1° × 1° grid cell (roughly 100 km, "city size or larger"),
// e.g. "DE/52/13"; "DE/-/-" without coordinates, "ZZ/…" without a country. Public views of a
// device's location show only this.
std::string WaitlistCell(const std::optional<std::string>& country,
                         const std::optional<GeoPoint>& location);

}  // namespace hearth::placement
