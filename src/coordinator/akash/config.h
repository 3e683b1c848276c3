// AkashConfig: the edge policy, price table and provider identity, one YAML (or JSON) file
// shared by the coordinator (`hearth serve --akash-config`) and the bid script
// (`hearth bid-script --config`). Regions are keyed by id; until regions exist, "default" holds
// every device. Parsing is pure and never throws; errors name the key and its line.
//
//   provider: {organization: Example, email: ops@example.com}   # host: akash, tier: community
//   coordinator: {url: http://127.0.0.1:8080, token: "...", timeout: 300ms}
//   cache: {path: /var/lib/hearth/akash-fleet.json, max_age: 24h}
//   regions:
//     default:
//       location_region: eu-west          # Akash location-region key
//       country: DE                       # used when devices report no location
//       city: Berlin
//       ip_leases: false
//       persistent_storage: {classes: [beta3], max_size: 50Gi}   # absent: none offered
//       ram_storage_max: 8Gi              # optional cap on `ram` class storage
//       bid_above_max: false              # bid our price even above the tenant's maximum
//       prices:                           # per block, in the denomination's units
//         uact: {cpu_per_core: 100, memory_per_gib: 50, endpoint: 10,
//                storage_per_gib: {ephemeral: 2, beta3: 5, ram: 10},
//                gpu_per_unit: {"*": 2000, rtx4090: 3000}}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/secret.h"
#include "common/status.h"

namespace hearth::akash {

// Rates per block in the denomination's units (e.g. uact), as decimals.
struct PriceTable {
  long double cpu_per_core = 0;
  long double memory_per_gib = 0;
  std::map<std::string, long double> storage_per_gib;  // class → rate; "ephemeral" included
  std::map<std::string, long double> gpu_per_unit;     // model or "*" → rate
  long double endpoint = 0;
};

struct EdgePolicy {
  bool ip_leases = false;
  std::set<std::string> persistent_classes;  // empty: no persistent storage offered
  int64_t persistent_max_bytes = 0;          // per replica, summed over its volumes
  std::optional<int64_t> ram_max_bytes;      // per replica
  bool bid_above_max = false;
  std::map<std::string, PriceTable> prices;  // denomination → table
};

struct RegionConfig {
  std::string id;
  std::string location_region, country, city;
  EdgePolicy policy;
};

struct AkashConfig {
  std::string host = "akash", tier = "community";
  std::string organization, email;
  std::string coordinator_url;
  Secret<std::string> token;
  Duration timeout = std::chrono::milliseconds(300);
  std::string cache_path;
  Duration cache_max_age = std::chrono::hours(24);
  std::map<std::string, RegionConfig> regions;

  // The region's config; a region without its own entry gets the "default" entry's policy
  // (with its own id), and with neither the built-in conservative policy (no prices).
  RegionConfig Region(const std::string& id) const;
};

StatusOr<AkashConfig> ParseAkashConfig(const std::string& text, const std::string& source);
StatusOr<AkashConfig> LoadAkashConfig(const std::string& path);

}  // namespace hearth::akash
