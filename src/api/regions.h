// Wire types of the region catalog (DESIGN §4): what admins send to create or change a region
// and what GET /v1/regions returns. Decoding checks each field's shape (errors name the field and
// the fix); the catalog (coordinator/regions) checks what needs the other regions. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace hearth::api {

// POST /v1/regions (create: id, name, location_region, lat, lon required) and
// PATCH /v1/regions/{id} (update: every field optional; an absent field is left unchanged).
// {"id","name","location_region","lat","lon","countries":["DE"],"max_workers",
//  "hardware_policy":"mixed|gpu-only|cpu-only","kube_api_endpoint":"https://h:6443",
//  "kube_ca_hash":"sha256:<64 hex>","gateways":["host:port"],
//  "overlay_prefix","pod_prefix","service_prefix"}
struct RegionSpec {
  std::optional<std::string> id;  // [a-z0-9-], 2..40, starts with a letter
  std::optional<std::string> name;
  std::optional<std::string> location_region;
  std::optional<double> lat, lon;
  std::optional<std::vector<std::string>> countries;  // upper-cased, sorted, de-duplicated
  std::optional<int64_t> max_workers;
  std::optional<std::string> hardware_policy;
  std::optional<std::string> kube_api_endpoint;
  std::optional<std::string> kube_ca_hash;
  std::optional<std::vector<std::string>> gateways;
  std::optional<std::string> overlay_prefix, pod_prefix, service_prefix;
};
StatusOr<RegionSpec> DecodeRegionSpec(const std::string& body, bool for_create);

// Placement evidence a device sends with its enrollment (POST /v1/enroll "placement"), from its
// check-in: {"country"?: "KE", "rtt"?: [{"region","gateway","samples_ms":[12.5, ...]}]}.
// Up to 64 probes of up to 16 samples, each 0..60000 ms.
struct RttReport {
  std::string region, gateway;
  std::vector<double> samples_ms;
};
// What the coordinator's GeoIP database said about the client address at enrollment
// (coordinator/geoip); added by the coordinator, never taken from the device.
struct GeoIpEvidence {
  std::string country;  // ISO 3166-1 alpha-2
  std::string city;     // "" when unknown
  std::optional<double> lat, lon;
};
struct PlacementEvidence {
  std::optional<std::string> country;  // ISO 3166-1 alpha-2, upper-cased
  std::vector<RttReport> rtt;
  std::optional<GeoIpEvidence> geoip;
};
// The device's part ("country", "rtt"); a "geoip" key from the device is ignored.
StatusOr<PlacementEvidence> DecodePlacementEvidence(const nlohmann::json& j,
                                                    const std::string& field);
// The stored form (devices.placement_evidence_json): the device's part plus "geoip".
StatusOr<PlacementEvidence> DecodeStoredPlacementEvidence(const nlohmann::json& j);
// {"country"?, "rtt": [...], "geoip"?: {"country","city","lat"?,"lon"?}}.
nlohmann::json EncodePlacementEvidence(const PlacementEvidence& e);

// Element of GET /v1/regions and the response of the region admin routes.
nlohmann::json EncodeRegion(const store::Region& r, int64_t devices);

// POST /v1/regions/proposals/{id}/volunteer: what a waitlisted owner offers to host the region's
// control plane with: {"gateway_endpoint":"203.0.113.5:51820","uplink_mbps":500,
// "control_nodes":3,"contact":"name, email or chat handle","note"?}. The hosting requirements:
// a public host:port for the first gateway, at least 100 Mbit/s uplink, 1..7 control nodes
// (3 for an etcd quorum).
struct HostingDetails {
  std::string gateway_endpoint;
  int64_t uplink_mbps = 0;
  int64_t control_nodes = 0;
  std::string contact;
  std::string note;
};
inline constexpr int64_t kMinUplinkMbps = 100;
StatusOr<HostingDetails> DecodeHostingDetails(const std::string& body);
nlohmann::json EncodeHostingDetails(const HostingDetails& h);

// POST /v1/regions/proposals/{id}/approve: {"volunteer":"<account id or email>","region":{...}}
// where "region" holds RegionSpec fields (id, name, location_region required; lat/lon when the
// cell has no coordinates).
struct ApproveRequest {
  std::string volunteer;
  nlohmann::json region;  // decoded by the regions module with the cell's defaults
};
StatusOr<ApproveRequest> DecodeApprove(const std::string& body);

// Element of GET /v1/regions/proposals. `waiting` is the cell's waitlist now; `volunteers` is
// what the caller may see (admins: all; an owner: their own).
nlohmann::json EncodeProposal(const store::RegionProposal& p, int64_t waiting_devices,
                              int64_t waiting_gpus, const nlohmann::json& volunteers);
// Element of GET /v1/admin/events and the webhook's POST body:
// {"id","at","kind","region"?,"proposal"?,"message","detail",
//  "webhook":{"state","attempts"}}.
nlohmann::json EncodeAdminEvent(const store::AdminEvent& e);

}  // namespace hearth::api
