#include "coordinator/akash/attributes.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace hearth::embedded {
extern const std::string_view kProviderAttributesJson;
}  // namespace hearth::embedded

namespace hearth::akash {
namespace {

const nlohmann::json* EntryFor(const nlohmann::json& schema, const std::string& key,
                               const nlohmann::json** option) {
  *option = nullptr;
  if (!schema.is_object()) return nullptr;
  for (const auto& [name, e] : schema.items()) {
    if (!e.is_object()) continue;
    const std::string type = e.value("type", "");
    if (type == "multiple-option") {
      auto values = e.find("values");
      if (values == e.end() || !values->is_array()) continue;
      for (const auto& v : *values) {
        if (v.is_object() && v.value("key", "") == key) {
          *option = &v;
          return &e;
        }
      }
    } else if (e.value("key", "") == key) {
      return &e;
    }
  }
  return nullptr;
}

std::string Majority(const std::map<std::string, int64_t>& counts) {
  std::string best;
  int64_t n = 0;
  for (const auto& [k, v] : counts) {
    if (v > n) {
      best = k;
      n = v;
    }
  }
  return best;
}

}  // namespace

const nlohmann::json& AttributeSchema() {
  static const nlohmann::json* schema = new nlohmann::json(nlohmann::json::parse(
      embedded::kProviderAttributesJson, nullptr, /*allow_exceptions=*/false));
  return *schema;
}

Status ValidateAttribute(const nlohmann::json& schema, const std::string& key,
                         const std::string& value) {
  const nlohmann::json* option = nullptr;
  const nlohmann::json* e = EntryFor(schema, key, &option);
  if (!e) return Status::InvalidArgument(key, "is not a key of the provider attribute schema");
  const std::string type = e->value("type", "");
  if (value.empty()) return Status::InvalidArgument(key, "has an empty value");
  if (type == "string") return Status::Ok();
  if (type == "boolean") {
    if (value == "true" || value == "false") return Status::Ok();
    return Status::InvalidArgument(key, "must be true or false, not '" + value + "'");
  }
  if (type == "number") {
    char* end = nullptr;
    std::strtod(value.c_str(), &end);
    if (end && *end == '\0') return Status::Ok();
    return Status::InvalidArgument(key, "must be a number, not '" + value + "'");
  }
  if (type == "option") {
    for (const auto& v : e->value("values", nlohmann::json::array())) {
      if (v.is_object() && v.value("key", "") == value) return Status::Ok();
    }
    return Status::InvalidArgument(key, "'" + value + "' is not one of the schema's options");
  }
  if (type == "multiple-option" && option) {
    const nlohmann::json want = option->value("value", nlohmann::json());
    const std::string expected = want.is_boolean()  ? (want.get<bool>() ? "true" : "false")
                                 : want.is_string() ? want.get<std::string>()
                                                    : want.dump();
    if (value == expected) return Status::Ok();
    return Status::InvalidArgument(key, "must be '" + expected + "', not '" + value + "'");
  }
  return Status::InvalidArgument(key, "has schema type '" + type + "', which is not supported");
}

api::ProviderAttributes RegionAttributes(const AkashConfig& config, const RegionConfig& region,
                                         const api::FleetSnapshot& fleet,
                                         const FleetLocation& where, const nlohmann::json& schema) {
  api::ProviderAttributes out;
  out.region = region.id;
  const auto add = [&](const std::string& key, const std::string& value,
                       const std::string& why_missing) {
    if (value.empty()) {
      out.omitted.push_back(key + ": " + why_missing);
      return;
    }
    Status st = ValidateAttribute(schema, key, value);
    if (!st.ok()) {
      out.omitted.push_back(key + "=" + value + ": " + st.message());
      return;
    }
    out.attributes.push_back({key, value});
  };
  add("host", config.host, "set provider.host");
  add("tier", config.tier, "set provider.tier");
  add("organization", config.organization, "set provider.organization in the Akash config");
  add("email", config.email, "set provider.email in the Akash config");
  add("location-type", "home", "");
  add("location-region", region.location_region,
      "set regions." + region.id + ".location_region (a UN-geoscheme key, e.g. eu-west)");
  // Where most online devices are; the configured place only when the devices do not say.
  const bool from_devices = !where.country.empty();
  const std::string country = from_devices ? where.country : region.country;
  std::string city = from_devices ? where.city : region.city;
  if (city.empty() && from_devices && where.country == region.country) city = region.city;
  add("country", country,
      "no online device reports a country; set regions." + region.id + ".country");
  const std::string no_city =
      from_devices && where.country != region.country
          ? "no online device in " + where.country +
                " has a GeoIP city, and the configured city is not in " + where.country
          : "no online device has a GeoIP city; set regions." + region.id + ".city";
  add("city", city, no_city);
  add("capabilities/cpu", Majority(fleet.cpu_vendors), "no online device with a known CPU vendor");
  add("capabilities/cpu/arch", Majority(fleet.cpu_archs),
      "no online device with a known architecture");
  std::map<std::string, int64_t> gpu_vendors;
  for (const auto& g : fleet.gpus) gpu_vendors[g.vendor] += g.units;
  if (!gpu_vendors.empty()) add("capabilities/gpu", Majority(gpu_vendors), "");
  for (const auto& g : fleet.gpus) {
    // The console's schema drops the rtx/gtx prefix of the Akash GPU database ("4090").
    const std::string base = "capabilities/gpu/vendor/" + g.vendor + "/model/";
    std::string model = g.model;
    if (!ValidateAttribute(schema, base + model, "true").ok()) {
      for (const char* prefix : {"rtx", "gtx"}) {
        if (model.rfind(prefix, 0) == 0 &&
            ValidateAttribute(schema, base + model.substr(3), "true").ok()) {
          model = model.substr(3);
        }
      }
    }
    add(base + model, "true", "");
  }
  const bool persistent = !region.policy.persistent_classes.empty();
  add("feat-persistent-storage", persistent ? "true" : "false", "");
  if (persistent) {
    // The schema numbers storage classes: 1 default (hdd), 2 beta2 (ssd), 3 beta3 (nvme).
    for (const std::string& klass : region.policy.persistent_classes) {
      std::string n;
      for (int i = 1; i <= 3; ++i) {
        const std::string key = "capabilities/storage/" + std::to_string(i) + "/class";
        if (ValidateAttribute(schema, key, klass).ok()) n = std::to_string(i);
      }
      if (n.empty()) {
        out.omitted.push_back("storage class " + klass + ": the schema has no key for it");
        continue;
      }
      add("capabilities/storage/" + n + "/class", klass, "");
      add("capabilities/storage/" + n + "/persistent", "true", "");
    }
  }
  add("feat-endpoint-ip", region.policy.ip_leases ? "true" : "false", "");
  return out;
}

}  // namespace hearth::akash
