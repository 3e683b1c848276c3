#include "api/regions.h"

#include <algorithm>
#include <cctype>

#include "api/json_reader.h"
#include "common/ip.h"

namespace hearth::api {
namespace {

bool IsRegionId(const std::string& s) {
  if (s.size() < 2 || s.size() > 40 || !std::islower(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

StatusOr<std::optional<std::vector<std::string>>> OptStrings(const nlohmann::json& obj,
                                                             const std::string& key, size_t max) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  if (!it->is_array() || it->size() > max) {
    return Status::InvalidArgument(
        key, "must be an array of at most " + std::to_string(max) + " strings");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return Status::InvalidArgument(key + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return std::optional<std::vector<std::string>>(out);
}

bool IsHostPort(const std::string& s) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size() || s.size() > 255) {
    return false;
  }
  std::string port = s.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  int p = std::stoi(port);
  if (p < 1 || p > 65535) return false;
  return std::none_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == ',';
  });
}

}  // namespace

StatusOr<RegionSpec> DecodeRegionSpec(const std::string& body, bool for_create) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json obj, ParseObject(body));
  JsonReader r(obj);
  RegionSpec s;
  HEARTH_ASSIGN_OR_RETURN(s.id, r.OptString("id", 40));
  if (s.id && !IsRegionId(*s.id)) {
    return Status::InvalidArgument(
        "id",
        "must be 2..40 lowercase letters, digits or '-', starting with a letter, e.g. "
        "\"eu-berlin\"");
  }
  HEARTH_ASSIGN_OR_RETURN(s.name, r.OptString("name", 80));
  if (s.name && s.name->empty()) return Status::InvalidArgument("name", "must not be empty");
  HEARTH_ASSIGN_OR_RETURN(s.location_region, r.OptString("location_region", 40));
  HEARTH_ASSIGN_OR_RETURN(s.lat, r.OptNumber("lat", -90, 90));
  HEARTH_ASSIGN_OR_RETURN(s.lon, r.OptNumber("lon", -180, 180));
  HEARTH_ASSIGN_OR_RETURN(s.countries, OptStrings(obj, "countries", 250));
  if (s.countries) {
    for (size_t i = 0; i < s.countries->size(); ++i) {
      std::string& c = (*s.countries)[i];
      if (c.size() != 2 || !std::isalpha(static_cast<unsigned char>(c[0])) ||
          !std::isalpha(static_cast<unsigned char>(c[1]))) {
        return Status::InvalidArgument("countries[" + std::to_string(i) + "]",
                                       "must be an ISO 3166-1 alpha-2 code such as \"DE\"");
      }
      for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    std::sort(s.countries->begin(), s.countries->end());
    s.countries->erase(std::unique(s.countries->begin(), s.countries->end()), s.countries->end());
  }
  HEARTH_ASSIGN_OR_RETURN(s.max_workers, r.OptInt("max_workers", 0, 1'000'000));
  HEARTH_ASSIGN_OR_RETURN(s.hardware_policy, r.OptString("hardware_policy", 16));
  if (s.hardware_policy && *s.hardware_policy != "mixed" && *s.hardware_policy != "gpu-only" &&
      *s.hardware_policy != "cpu-only") {
    return Status::InvalidArgument("hardware_policy",
                                   "must be \"mixed\", \"gpu-only\" or \"cpu-only\"");
  }
  HEARTH_ASSIGN_OR_RETURN(s.kube_api_endpoint, r.OptString("kube_api_endpoint", 255));
  if (s.kube_api_endpoint && !s.kube_api_endpoint->empty() &&
      (s.kube_api_endpoint->rfind("https://", 0) != 0 ||
       !IsHostPort(s.kube_api_endpoint->substr(8)))) {
    return Status::InvalidArgument("kube_api_endpoint",
                                   "must be \"https://host:port\", e.g. \"https://10.0.0.1:6443\"");
  }
  HEARTH_ASSIGN_OR_RETURN(s.kube_ca_hash, r.OptString("kube_ca_hash", 80));
  if (s.kube_ca_hash && !s.kube_ca_hash->empty()) {
    const std::string& h = *s.kube_ca_hash;
    bool ok = h.size() == 7 + 64 && h.rfind("sha256:", 0) == 0 &&
              std::all_of(h.begin() + 7, h.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
              });
    if (!ok) {
      return Status::InvalidArgument("kube_ca_hash",
                                     "must be \"sha256:\" and 64 lowercase hex digits");
    }
  }
  HEARTH_ASSIGN_OR_RETURN(s.gateways, OptStrings(obj, "gateways", 16));
  if (s.gateways) {
    for (size_t i = 0; i < s.gateways->size(); ++i) {
      if (!IsHostPort((*s.gateways)[i])) {
        return Status::InvalidArgument("gateways[" + std::to_string(i) + "]",
                                       "must be a public \"host:port\" endpoint");
      }
    }
  }
  for (auto [key, field] :
       {std::pair{"overlay_prefix", &s.overlay_prefix}, std::pair{"pod_prefix", &s.pod_prefix},
        std::pair{"service_prefix", &s.service_prefix}}) {
    HEARTH_ASSIGN_OR_RETURN(*field, r.OptString(key, 20));
    if (*field) {
      HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix p, Ipv4Prefix::Parse(**field, key));
      *field = p.ToString();
    }
  }
  if (for_create) {
    for (auto [key, present] :
         {std::pair{"id", s.id.has_value()}, std::pair{"name", s.name.has_value()},
          std::pair{"location_region", s.location_region.has_value()},
          std::pair{"lat", s.lat.has_value()}, std::pair{"lon", s.lon.has_value()}}) {
      if (!present) return Status::InvalidArgument(key, "is required to create a region");
    }
  } else if (s.id || s.overlay_prefix || s.pod_prefix || s.service_prefix) {
    return Status::InvalidArgument(s.id ? "id" : "overlay_prefix",
                                   "cannot be changed; create a new region instead");
  }
  return s;
}

StatusOr<PlacementEvidence> DecodePlacementEvidence(const nlohmann::json& j,
                                                    const std::string& field) {
  PlacementEvidence e;
  if (j.is_null()) return e;
  if (!j.is_object()) return Status::InvalidArgument(field, "must be a JSON object");
  JsonReader r(j, field);
  HEARTH_ASSIGN_OR_RETURN(e.country, r.OptString("country", 2));
  if (e.country) {
    std::string& c = *e.country;
    if (c.size() != 2 || !std::isalpha(static_cast<unsigned char>(c[0])) ||
        !std::isalpha(static_cast<unsigned char>(c[1]))) {
      return Status::InvalidArgument(field + ".country",
                                     "must be an ISO 3166-1 alpha-2 code such as \"KE\"");
    }
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  auto it = j.find("rtt");
  if (it == j.end() || it->is_null()) return e;
  if (!it->is_array() || it->size() > 64) {
    return Status::InvalidArgument(field + ".rtt", "must be an array of at most 64 probes");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string f = field + ".rtt[" + std::to_string(i) + "]";
    if (!(*it)[i].is_object()) return Status::InvalidArgument(f, "must be a JSON object");
    JsonReader pr((*it)[i], f);
    RttReport p;
    HEARTH_ASSIGN_OR_RETURN(p.region, pr.String("region", 40));
    HEARTH_ASSIGN_OR_RETURN(p.gateway, pr.String("gateway", 270));
    auto s = (*it)[i].find("samples_ms");
    if (s == (*it)[i].end() || !s->is_array() || s->size() > 16) {
      return Status::InvalidArgument(f + ".samples_ms", "must be an array of at most 16 numbers");
    }
    for (const auto& v : *s) {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 60000) {
        return Status::InvalidArgument(f + ".samples_ms", "samples must be 0..60000 ms");
      }
      p.samples_ms.push_back(v.get<double>());
    }
    e.rtt.push_back(std::move(p));
  }
  return e;
}

StatusOr<PlacementEvidence> DecodeStoredPlacementEvidence(const nlohmann::json& j) {
  HEARTH_ASSIGN_OR_RETURN(PlacementEvidence e, DecodePlacementEvidence(j, "placement"));
  auto it = j.find("geoip");
  if (it == j.end() || !it->is_object()) return e;
  GeoIpEvidence g;
  g.country = it->value("country", "");
  g.city = it->value("city", "");
  if (it->contains("lat") && (*it)["lat"].is_number()) g.lat = (*it)["lat"].get<double>();
  if (it->contains("lon") && (*it)["lon"].is_number()) g.lon = (*it)["lon"].get<double>();
  if (g.country.size() == 2) e.geoip = g;
  return e;
}

nlohmann::json EncodePlacementEvidence(const PlacementEvidence& e) {
  nlohmann::json rtt = nlohmann::json::array();
  for (const auto& p : e.rtt) {
    rtt.push_back({{"region", p.region}, {"gateway", p.gateway}, {"samples_ms", p.samples_ms}});
  }
  nlohmann::json j = {{"rtt", rtt}};
  if (e.country) j["country"] = *e.country;
  if (e.geoip) {
    nlohmann::json g = {{"country", e.geoip->country}, {"city", e.geoip->city}};
    if (e.geoip->lat && e.geoip->lon) {
      g["lat"] = *e.geoip->lat;
      g["lon"] = *e.geoip->lon;
    }
    j["geoip"] = g;
  }
  return j;
}

nlohmann::json EncodeRegion(const store::Region& r, int64_t devices) {
  nlohmann::json j = {{"id", r.id},
                      {"name", r.name},
                      {"location_region", r.location_region},
                      {"lat", r.centre_lat},
                      {"lon", r.centre_lon},
                      {"countries", r.countries},
                      {"max_workers", r.max_workers},
                      {"devices", devices},
                      {"hardware_policy", r.hardware_policy},
                      {"status", r.status},
                      {"kube_api_endpoint", r.kube_api_endpoint},
                      {"kube_ca_hash", r.kube_ca_hash},
                      {"gateways", r.gateways},
                      {"overlay_prefix", r.overlay_prefix},
                      {"pod_prefix", r.pod_prefix},
                      {"service_prefix", r.service_prefix}};
  j["admin"] = r.admin ? nlohmann::json(r.admin->str()) : nlohmann::json(nullptr);
  return j;
}

StatusOr<HostingDetails> DecodeHostingDetails(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json obj, ParseObject(body));
  JsonReader r(obj);
  HostingDetails h;
  HEARTH_ASSIGN_OR_RETURN(h.gateway_endpoint, r.String("gateway_endpoint", 255));
  if (!IsHostPort(h.gateway_endpoint)) {
    return Status::InvalidArgument("gateway_endpoint",
                                   "must be the public \"host:port\" the region's first gateway "
                                   "will listen on, e.g. \"203.0.113.5:51820\"");
  }
  HEARTH_ASSIGN_OR_RETURN(h.uplink_mbps, r.Int("uplink_mbps", 0, 1'000'000));
  if (h.uplink_mbps < kMinUplinkMbps) {
    return Status::InvalidArgument("uplink_mbps", "hosting a region's gateway needs at least " +
                                                      std::to_string(kMinUplinkMbps) +
                                                      " Mbit/s of uplink");
  }
  HEARTH_ASSIGN_OR_RETURN(h.control_nodes, r.Int("control_nodes", 1, 7));
  HEARTH_ASSIGN_OR_RETURN(h.contact, r.String("contact", 200));
  if (h.contact.size() < 3) {
    return Status::InvalidArgument("contact", "say how admins reach you (3..200 characters)");
  }
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> note, r.OptString("note", 500));
  h.note = note.value_or("");
  return h;
}

nlohmann::json EncodeHostingDetails(const HostingDetails& h) {
  nlohmann::json j = {{"gateway_endpoint", h.gateway_endpoint},
                      {"uplink_mbps", h.uplink_mbps},
                      {"control_nodes", h.control_nodes},
                      {"contact", h.contact}};
  if (!h.note.empty()) j["note"] = h.note;
  return j;
}

StatusOr<ApproveRequest> DecodeApprove(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json obj, ParseObject(body));
  JsonReader r(obj);
  ApproveRequest a;
  HEARTH_ASSIGN_OR_RETURN(a.volunteer, r.String("volunteer", 254));
  auto it = obj.find("region");
  if (it == obj.end() || !it->is_object()) {
    return Status::InvalidArgument(
        "region", "must be an object with the new region's id, name and location_region");
  }
  a.region = *it;
  return a;
}

nlohmann::json EncodeProposal(const store::RegionProposal& p, int64_t waiting_devices,
                              int64_t waiting_gpus, const nlohmann::json& volunteers) {
  nlohmann::json j = {{"id", p.id},
                      {"cell", p.cell},
                      {"country", p.country},
                      {"status", p.status},
                      {"devices_at_proposal", p.devices},
                      {"gpus_at_proposal", p.gpus},
                      {"waiting_devices", waiting_devices},
                      {"waiting_gpus", waiting_gpus},
                      {"created_at", FormatRfc3339(p.created_at)},
                      {"updated_at", FormatRfc3339(p.updated_at)},
                      {"volunteers", volunteers}};
  j["region"] = p.region_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.region_id);
  j["volunteer"] = p.volunteer ? nlohmann::json(p.volunteer->str()) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json EncodeAdminEvent(const store::AdminEvent& e) {
  nlohmann::json detail = nlohmann::json::parse(e.detail_json, nullptr, false);
  nlohmann::json j = {{"id", e.id},
                      {"at", FormatRfc3339(e.at)},
                      {"kind", e.kind},
                      {"message", e.message},
                      {"detail", detail.is_discarded() ? nlohmann::json::object() : detail},
                      {"webhook", {{"state", e.webhook_state}, {"attempts", e.webhook_attempts}}}};
  j["region"] = e.region_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.region_id);
  j["proposal"] = e.proposal_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.proposal_id);
  return j;
}

}  // namespace hearth::api
