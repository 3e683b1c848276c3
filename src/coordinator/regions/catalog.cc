#include "coordinator/regions/catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/ip.h"
#include "coordinator/placement/placement.h"

namespace hearth {
namespace embedded {
extern const std::string_view kProviderAttributesJson;
}  // namespace embedded

namespace regions {
namespace {

std::vector<std::string> LoadLocationRegions() {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(embedded::kProviderAttributesJson, nullptr, false);
  if (j.is_discarded()) return out;
  auto it = j.find("location-region");
  if (it == j.end() || !it->contains("values")) return out;
  for (const auto& v : (*it)["values"]) {
    if (v.contains("key") && v["key"].is_string()) out.push_back(v["key"].get<std::string>());
  }
  return out;
}

// Address plan of a new region when the request gives none: the first free /16 of the overlay
// space 100.64.0.0/10 and of 10.64.0.0/10 for pods; services may repeat (one cluster each).
Status AssignPrefixes(store::Region& r, const api::RegionSpec& spec,
                      const std::vector<store::Region>& all) {
  auto overlaps = [&](const std::string& text, auto member) -> StatusOr<bool> {
    HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix p, Ipv4Prefix::Parse(text, "prefix"));
    for (const auto& o : all) {
      auto other = Ipv4Prefix::Parse(o.*member, "prefix");
      if (other.ok() && other->Overlaps(p)) return true;
    }
    return false;
  };
  auto pick = [&](const std::optional<std::string>& given, const std::string& base_a, int first,
                  int last, auto member, const std::string& field) -> StatusOr<std::string> {
    if (given) {
      HEARTH_ASSIGN_OR_RETURN(bool clash, overlaps(*given, member));
      if (clash) {
        return Status::InvalidArgument(
            field, "overlaps another region's " + field + "; choose a free range or leave it out");
      }
      return *given;
    }
    for (int b = first; b <= last; ++b) {
      std::string text = base_a + "." + std::to_string(b) + ".0.0/16";
      HEARTH_ASSIGN_OR_RETURN(bool clash, overlaps(text, member));
      if (!clash) return text;
    }
    return Status(Code::kResourceExhausted, "no free " + field + " left; give one explicitly",
                  "prefix_exhausted", field);
  };
  HEARTH_ASSIGN_OR_RETURN(r.overlay_prefix, pick(spec.overlay_prefix, "100", 64, 127,
                                                 &store::Region::overlay_prefix, "overlay_prefix"));
  HEARTH_ASSIGN_OR_RETURN(
      r.pod_prefix, pick(spec.pod_prefix, "10", 64, 127, &store::Region::pod_prefix, "pod_prefix"));
  r.service_prefix = spec.service_prefix.value_or("10.43.0.0/16");
  return Status::Ok();
}

void Apply(store::Region& r, const api::RegionSpec& s) {
  if (s.name) r.name = *s.name;
  if (s.location_region) r.location_region = *s.location_region;
  if (s.lat) r.centre_lat = *s.lat;
  if (s.lon) r.centre_lon = *s.lon;
  if (s.countries) r.countries = *s.countries;
  if (s.max_workers) r.max_workers = *s.max_workers;
  if (s.hardware_policy) r.hardware_policy = *s.hardware_policy;
  if (s.kube_api_endpoint) r.kube_api_endpoint = *s.kube_api_endpoint;
  if (s.kube_ca_hash) r.kube_ca_hash = *s.kube_ca_hash;
  if (s.gateways) r.gateways = *s.gateways;
}

}  // namespace

const std::vector<std::string>& LocationRegions() {
  static const std::vector<std::string> kKeys = LoadLocationRegions();
  return kKeys;
}

bool IsLocationRegion(std::string_view key) {
  const auto& keys = LocationRegions();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Status Validate(const store::Region& r, const std::vector<store::Region>& all) {
  if (!IsLocationRegion(r.location_region)) {
    return Status::InvalidArgument(
        "location_region",
        "\"" + r.location_region +
            "\" is not an Akash location-region key; use one of the UN-geoscheme "
            "keys such as \"eu-central\", \"na-us-west\" or \"af-east\"");
  }
  const placement::GeoPoint centre{r.centre_lat, r.centre_lon};
  if (!placement::ValidGeoPoint(centre)) {
    return Status::InvalidArgument("lat", "coordinates must be lat -90..90 and lon -180..180");
  }
  for (const store::Region& o : all) {
    if (o.id == r.id || o.location_region.empty()) continue;
    double km = placement::DistanceKm(centre, {o.centre_lat, o.centre_lon});
    if (km >= kMinCentreSeparationKm) continue;
    for (const std::string& c : r.countries) {
      if (std::find(o.countries.begin(), o.countries.end(), c) != o.countries.end()) {
        return Status::InvalidArgument(
            "countries", "country " + c + " is already served by region " + o.id +
                             " whose centre is only " + std::to_string(static_cast<int>(km)) +
                             " km away, so devices there could not be told apart; serve it from "
                             "one region or move the centre");
      }
    }
  }
  return Status::Ok();
}

StatusOr<store::Region> CreateIn(store::NetworkTx& tx, Timestamp now, const api::RegionSpec& spec,
                                 std::string_view status) {
  store::Region r;
  r.id = spec.id.value_or("");
  r.created_at = now;
  r.updated_at = now;
  r.status = std::string(status);
  Apply(r, spec);
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Region> all, tx.ListRegions());
  for (const auto& o : all) {
    if (o.id == r.id) return Status::AlreadyExists("id", "region " + r.id + " exists already");
  }
  HEARTH_RETURN_IF_ERROR(Validate(r, all));
  HEARTH_RETURN_IF_ERROR(AssignPrefixes(r, spec, all));
  HEARTH_RETURN_IF_ERROR(tx.InsertRegion(r));
  return r;
}

StatusOr<store::Region> Create(store::Store& store, Timestamp now, const api::RegionSpec& spec,
                               std::string_view status) {
  store::Region r;
  Status st = store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(r, CreateIn(tx, now, spec, status));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return r;
}

StatusOr<store::Region> Update(store::Store& store, Timestamp now, const std::string& id,
                               const api::RegionSpec& spec) {
  store::Region r;
  Status st = store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Region> all, tx.ListRegions());
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& o) { return o.id == id; });
    if (it == all.end()) return Status::NotFound("no such region: " + id);
    r = *it;
    Apply(r, spec);
    r.updated_at = now;
    HEARTH_RETURN_IF_ERROR(Validate(r, all));
    return tx.UpdateRegion(r);
  });
  if (!st.ok()) return st;
  return r;
}

StatusOr<store::Region> SetStatus(store::Store& store, Timestamp now, const std::string& id,
                                  std::string_view status) {
  store::Region r;
  Status st = store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::Region> found, tx.FindRegion(id));
    if (!found) return Status::NotFound("no such region: " + id);
    r = *found;
    if (status == "draining" && r.status != "active") {
      return Status::FailedPrecondition(
          "region_not_active", "only an active region can be drained; " + id + " is " + r.status);
    }
    if (status == "active" && r.location_region.empty()) {
      return Status::FailedPrecondition(
          "region_not_configured", "set the region's location_region and centre before activating");
    }
    r.status = std::string(status);
    r.updated_at = now;
    return tx.UpdateRegion(r);
  });
  if (!st.ok()) return st;
  return r;
}

}  // namespace regions
}  // namespace hearth
