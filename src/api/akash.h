// Wire types of the Akash integration endpoints (beside types.h, same rules): the fleet
// snapshot the bid script reads, the SDL check report, the provider attributes and the public
// region summary. Each struct names its endpoint; codecs are pure functions and never throw.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace hearth::api {

// GPUs of one model among a region's online devices.
struct GpuModelCount {
  std::string vendor;  // "nvidia"
  std::string model;   // Akash model name, "rtx4090"
  int64_t units = 0;   // GPUs of this model, summed over online devices
  int64_t devices = 0;
  int64_t max_units_per_device = 0;  // most GPUs of this model on one device
};

// GET /v1/akash/regions/{id}/fleet (admin session or the bid-script token): what a region's
// online devices can hold, computed by akash::ComputeFleet. Also what the bid script caches.
struct FleetSnapshot {
  std::string region;
  Timestamp generated_at;
  int64_t devices_total = 0;                   // enrolled, not removed
  int64_t devices_online = 0;                  // heartbeat within the stale threshold
  std::vector<GpuModelCount> gpus;             // sorted by vendor, model
  std::map<std::string, int64_t> cpu_archs;    // Akash arch name ("x86-64", "arm-64") → devices
  std::map<std::string, int64_t> cpu_vendors;  // "intel", "amd", "arm" → devices
  // The largest single online device in each dimension (not necessarily the same device).
  int64_t largest_cpu_millicores = 0;
  int64_t largest_memory_bytes = 0;
  int64_t largest_gpu_units = 0;
};
nlohmann::json EncodeFleet(const FleetSnapshot& f);
// Validating decoder (the bid script reads this from the coordinator or its cache file).
StatusOr<FleetSnapshot> DecodeFleet(const nlohmann::json& j);

// One reason an SDL (or a bid-script order) cannot run on the edge fleet.
// code: ip_lease | persistent_storage | gpu_unavailable | too_large | invalid
// (the bid script also uses no_price, over_max_price, no_devices).
struct CheckReason {
  std::string code;
  std::string service;  // SDL service name; "" when not tied to one
  std::string message;  // what and why, and what would make it runnable
};
nlohmann::json EncodeReason(const CheckReason& r);

// Response of POST /v1/sdl/check and of `hearth sdl check --json`.
struct SdlCheckReport {
  bool runnable = false;
  std::vector<CheckReason> reasons;
  std::vector<nlohmann::json> bid_inputs;  // one bid-script input per placement group
};
nlohmann::json EncodeSdlCheck(const SdlCheckReport& r);

// GET /v1/admin/regions/{id}/attributes (admin): the provider attribute list of a region.
struct ProviderAttribute {
  std::string key, value;
};
struct ProviderAttributes {
  std::string region;
  std::vector<ProviderAttribute> attributes;
  std::vector<std::string> omitted;  // facts the attribute schema has no key for (e.g. a model)
};
nlohmann::json EncodeAttributes(const ProviderAttributes& a);
// The provider.yaml form: "attributes:\n  - key: host\n    value: akash\n...".
std::string AttributesYaml(const ProviderAttributes& a);

// GET /v1/public/regions and /v1/public/regions/{id} (no auth): what a deploy console shows.
// Fractions 0..1 of time up over the last 24 hours, 7 days and 30 days; nullopt: nothing to
// measure (no device counted in the window).
struct UptimeFigures {
  std::optional<double> h24, d7, d30;
};
struct ChurnDay {
  std::string date;  // UTC day "2026-11-25"
  int64_t joined = 0, left = 0;
};

struct PublicRegion {
  std::string id;
  bool edge = true;             // Hearth regions are always home/edge providers
  std::string location_region;  // Akash location-region key, "" when not configured
  std::string country;          // coarse location only (ISO country code), "" when unknown
  int64_t devices_online = 0;
  std::vector<GpuModelCount> gpus;
  // Churn over the last `churn_window_days`: devices enrolled and removed.
  int64_t churn_window_days = 30;
  int64_t joined = 0, left = 0;
  std::vector<ChurnDay> churn_daily;  // the window's UTC days, oldest first, today last
  // Median of the uptime (seconds since boot) that online devices last reported.
  std::optional<int64_t> median_reported_uptime_seconds;
  UptimeFigures uptime;                // the fleet's: Σ time up / Σ time enrolled
  UptimeFigures median_device_uptime;  // the median device's own fraction
};
nlohmann::json EncodePublicRegion(const PublicRegion& r);

}  // namespace hearth::api
