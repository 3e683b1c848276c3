#include "agent/inventory/gpu_db.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace hearth::embedded {
extern const std::string_view kGpusJson;
}  // namespace hearth::embedded

namespace hearth::agent {

std::string NormalizePciId(std::string_view id) {
  while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.remove_suffix(1);
  while (!id.empty() && std::isspace(static_cast<unsigned char>(id.front()))) id.remove_prefix(1);
  if (id.size() > 2 && id[0] == '0' && (id[1] == 'x' || id[1] == 'X')) id.remove_prefix(2);
  std::string out;
  for (char c : id) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

StatusOr<GpuDb> GpuDb::Parse(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("gpus.json", "is not a JSON object");
  }
  GpuDb db;
  for (const auto& [vid, vendor] : j.items()) {
    if (!vendor.is_object() || !vendor.contains("name") || !vendor["name"].is_string()) {
      return Status::InvalidArgument("gpus.json." + vid, "needs a string 'name'");
    }
    const std::string v = NormalizePciId(vid);
    db.vendors_[v] = vendor["name"].get<std::string>();
    if (!vendor.contains("devices") || !vendor["devices"].is_object()) continue;
    for (const auto& item : vendor["devices"].items()) {
      const nlohmann::json& dev = item.value();
      const std::string& did = item.key();
      if (!dev.is_object()) continue;
      auto str = [&](const char* k) {
        return dev.contains(k) && dev[k].is_string() ? dev[k].get<std::string>() : std::string();
      };
      db.devices_[{v, NormalizePciId(did)}] =
          GpuModel{db.vendors_[v], str("name"), str("memory_size"), str("interface")};
    }
  }
  return db;
}

const GpuDb& GpuDb::Embedded() {
  static const GpuDb* db = [] {
    auto parsed = Parse(embedded::kGpusJson);
    // The file is compiled in and checked by tests; a broken copy is a build defect.
    if (!parsed.ok()) std::abort();
    return new GpuDb(std::move(parsed).value());
  }();
  return *db;
}

std::optional<std::string> GpuDb::VendorName(std::string_view vendor_id) const {
  auto it = vendors_.find(NormalizePciId(vendor_id));
  if (it == vendors_.end()) return std::nullopt;
  return it->second;
}

std::optional<GpuModel> GpuDb::Lookup(std::string_view vendor_id,
                                      std::string_view device_id) const {
  const std::string v = NormalizePciId(vendor_id);
  auto vit = vendors_.find(v);
  if (vit == vendors_.end()) return std::nullopt;
  auto it = devices_.find({v, NormalizePciId(device_id)});
  if (it == devices_.end()) return GpuModel{vit->second, "", "", ""};
  return it->second;
}

}  // namespace hearth::agent
