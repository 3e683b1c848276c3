#include "api/akash.h"

#include <cmath>
#include <limits>

#include "api/json_reader.h"

namespace hearth::api {
namespace {

constexpr int64_t kMaxCount = std::numeric_limits<int64_t>::max();

nlohmann::json EncodeGpus(const std::vector<GpuModelCount>& gpus, bool with_device_detail) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : gpus) {
    nlohmann::json j = {{"vendor", g.vendor}, {"model", g.model}, {"units", g.units}};
    if (with_device_detail) {
      j["devices"] = g.devices;
      j["max_units_per_device"] = g.max_units_per_device;
    }
    out.push_back(j);
  }
  return out;
}

StatusOr<std::map<std::string, int64_t>> DecodeCounts(const nlohmann::json& j,
                                                      const std::string& key) {
  std::map<std::string, int64_t> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return Status::InvalidArgument(key, "must be an object of counts");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0) {
      return Status::InvalidArgument(key + "." + k, "must be a non-negative integer");
    }
    out[k] = v.get<int64_t>();
  }
  return out;
}

}  // namespace

nlohmann::json EncodeFleet(const FleetSnapshot& f) {
  return {{"region", f.region},
          {"generated_at", FormatRfc3339(f.generated_at)},
          {"generated_at_ms", ToUnixMillis(f.generated_at)},
          {"devices_total", f.devices_total},
          {"devices_online", f.devices_online},
          {"gpus", EncodeGpus(f.gpus, true)},
          {"cpu_archs", f.cpu_archs},
          {"cpu_vendors", f.cpu_vendors},
          {"largest",
           {{"cpu_millicores", f.largest_cpu_millicores},
            {"memory_bytes", f.largest_memory_bytes},
            {"gpu_units", f.largest_gpu_units}}}};
}

StatusOr<FleetSnapshot> DecodeFleet(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("fleet", "must be a JSON object");
  JsonReader r(j);
  FleetSnapshot f;
  HEARTH_ASSIGN_OR_RETURN(f.region, r.String("region", 64));
  HEARTH_ASSIGN_OR_RETURN(int64_t at, r.Int("generated_at_ms", 0, kMaxCount));
  f.generated_at = FromUnixMillis(at);
  HEARTH_ASSIGN_OR_RETURN(f.devices_total, r.Int("devices_total", 0, kMaxCount));
  HEARTH_ASSIGN_OR_RETURN(f.devices_online, r.Int("devices_online", 0, kMaxCount));
  HEARTH_ASSIGN_OR_RETURN(f.cpu_archs, DecodeCounts(j, "cpu_archs"));
  HEARTH_ASSIGN_OR_RETURN(f.cpu_vendors, DecodeCounts(j, "cpu_vendors"));
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json largest, r.Object("largest"));
  JsonReader l(largest, "largest");
  HEARTH_ASSIGN_OR_RETURN(f.largest_cpu_millicores, l.Int("cpu_millicores", 0, kMaxCount));
  HEARTH_ASSIGN_OR_RETURN(f.largest_memory_bytes, l.Int("memory_bytes", 0, kMaxCount));
  HEARTH_ASSIGN_OR_RETURN(f.largest_gpu_units, l.Int("gpu_units", 0, kMaxCount));
  auto gpus = j.find("gpus");
  if (gpus != j.end() && !gpus->is_null()) {
    if (!gpus->is_array()) return Status::InvalidArgument("gpus", "must be an array");
    for (size_t i = 0; i < gpus->size(); ++i) {
      const nlohmann::json& g = (*gpus)[i];
      const std::string field = "gpus[" + std::to_string(i) + "]";
      if (!g.is_object()) return Status::InvalidArgument(field, "must be an object");
      JsonReader gr(g, field);
      GpuModelCount c;
      HEARTH_ASSIGN_OR_RETURN(c.vendor, gr.String("vendor", 64));
      HEARTH_ASSIGN_OR_RETURN(c.model, gr.String("model", 64));
      HEARTH_ASSIGN_OR_RETURN(c.units, gr.Int("units", 0, kMaxCount));
      HEARTH_ASSIGN_OR_RETURN(c.devices, gr.Int("devices", 0, kMaxCount));
      HEARTH_ASSIGN_OR_RETURN(c.max_units_per_device, gr.Int("max_units_per_device", 0, kMaxCount));
      f.gpus.push_back(std::move(c));
    }
  }
  return f;
}

nlohmann::json EncodeReason(const CheckReason& r) {
  return {{"code", r.code}, {"service", r.service}, {"message", r.message}};
}

nlohmann::json EncodeSdlCheck(const SdlCheckReport& r) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& x : r.reasons) reasons.push_back(EncodeReason(x));
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& b : r.bid_inputs) inputs.push_back(b);
  return {{"runnable", r.runnable}, {"reasons", reasons}, {"bid_inputs", inputs}};
}

nlohmann::json EncodeAttributes(const ProviderAttributes& a) {
  nlohmann::json attrs = nlohmann::json::array();
  for (const auto& x : a.attributes) attrs.push_back({{"key", x.key}, {"value", x.value}});
  return {{"region", a.region}, {"attributes", attrs}, {"omitted", a.omitted}};
}

std::string AttributesYaml(const ProviderAttributes& a) {
  // Values are quoted as JSON strings, which YAML reads as the same strings.
  std::string out = "attributes:\n";
  for (const auto& x : a.attributes) {
    out += "  - key: " + nlohmann::json(x.key).dump() + "\n";
    out += "    value: " + nlohmann::json(x.value).dump() + "\n";
  }
  return out;
}

namespace {

nlohmann::json Fraction(const std::optional<double>& f) {
  if (!f) return nullptr;
  return std::round(*f * 10000) / 10000;  // 4 decimals: 0.9987
}

nlohmann::json EncodeUptime(const UptimeFigures& u) {
  return {{"24h", Fraction(u.h24)}, {"7d", Fraction(u.d7)}, {"30d", Fraction(u.d30)}};
}

}  // namespace

nlohmann::json EncodePublicRegion(const PublicRegion& r) {
  nlohmann::json daily = nlohmann::json::array();
  for (const auto& d : r.churn_daily) {
    daily.push_back({{"date", d.date}, {"joined", d.joined}, {"left", d.left}});
  }
  nlohmann::json j = {
      {"id", r.id},
      {"edge", r.edge},
      {"location_type", "home"},
      {"location_region",
       r.location_region.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.location_region)},
      {"country", r.country.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.country)},
      {"devices_online", r.devices_online},
      {"gpus", EncodeGpus(r.gpus, false)},
      {"churn",
       {{"window_days", r.churn_window_days},
        {"joined", r.joined},
        {"left", r.left},
        {"joined_per_day",
         static_cast<double>(r.joined) / static_cast<double>(r.churn_window_days)},
        {"left_per_day", static_cast<double>(r.left) / static_cast<double>(r.churn_window_days)},
        {"daily", daily}}},
      {"median_reported_uptime_seconds", r.median_reported_uptime_seconds
                                             ? nlohmann::json(*r.median_reported_uptime_seconds)
                                             : nlohmann::json(nullptr)},
      {"uptime", EncodeUptime(r.uptime)},
      {"median_device_uptime", EncodeUptime(r.median_device_uptime)}};
  return j;
}

}  // namespace hearth::api
