#include "coordinator/akash/fleet.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace hearth::akash {

StatusOr<std::vector<store::Device>> RegionDevices(store::Store& store, const std::string& region) {
  if (region != kDefaultRegion) {
    return Status(Code::kNotFound,
                  "no region '" + region + "'; until regions exist every device is in 'default'",
                  "region_not_found", "region");
  }
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> all, store.ListDevices(std::nullopt));
  // Only workers run tenant workloads; gateways and control nodes are infrastructure.
  std::vector<store::Device> out;
  for (auto& d : all) {
    if (d.role == "worker") out.push_back(std::move(d));
  }
  return out;
}

std::string AkashCpuArch(const std::string& a) {
  if (a == "x86_64" || a == "amd64") return "x86-64";
  if (a == "aarch64" || a == "arm64") return "arm-64";
  if (a == "i386" || a == "i686" || a == "x86") return "x86";
  if (a.rfind("armv", 0) == 0 || a == "arm") return "arm";
  return "";
}

std::string AkashCpuVendor(const std::string& model, const std::string& arch) {
  std::string m = model;
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (m.find("intel") != std::string::npos) return "intel";
  if (m.find("amd") != std::string::npos) return "amd";
  const std::string a = AkashCpuArch(arch);
  if (a == "arm" || a == "arm-64") return "arm";
  return "";
}

api::FleetSnapshot ComputeFleet(const std::vector<store::Device>& devices,
                                const std::string& region, Timestamp now,
                                const api::LivenessPolicy& liveness) {
  api::FleetSnapshot f;
  f.region = region;
  f.generated_at = now;
  std::map<std::pair<std::string, std::string>, api::GpuModelCount> gpus;
  for (const auto& d : devices) {
    if (d.removed_at) continue;
    ++f.devices_total;
    if (api::StatusOf(d, now, liveness) != api::DeviceStatus::kOnline) continue;
    ++f.devices_online;
    const auto inv = nlohmann::json::parse(d.inventory_json, nullptr, false);
    if (!inv.is_object()) continue;
    const auto num = [&inv](const char* key) -> int64_t {
      auto it = inv.find(key);
      if (it == inv.end() || !it->is_number_integer()) return 0;
      return std::max<int64_t>(0, it->get<int64_t>());
    };
    const auto str = [](const nlohmann::json& j, const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : "";
    };
    // Kubernetes schedules on logical CPUs.
    int64_t cpus = num("cpu_threads");
    if (cpus == 0) cpus = num("cpu_cores");
    f.largest_cpu_millicores = std::max(f.largest_cpu_millicores, cpus * 1000);
    f.largest_memory_bytes = std::max(f.largest_memory_bytes, num("memory_bytes"));
    if (const std::string arch = AkashCpuArch(str(inv, "arch")); !arch.empty()) ++f.cpu_archs[arch];
    if (const std::string v = AkashCpuVendor(str(inv, "cpu_model"), str(inv, "arch")); !v.empty()) {
      ++f.cpu_vendors[v];
    }
    std::map<std::pair<std::string, std::string>, int64_t> on_device;
    int64_t device_gpus = 0;
    if (auto g = inv.find("gpus"); g != inv.end() && g->is_array()) {
      for (const auto& gpu : *g) {
        if (!gpu.is_object()) continue;
        const std::string vendor = str(gpu, "vendor"), model = str(gpu, "model");
        // A GPU the Akash database does not know cannot be requested by model.
        if (vendor.empty() || model.empty()) continue;
        ++on_device[{vendor, model}];
        ++device_gpus;
      }
    }
    f.largest_gpu_units = std::max(f.largest_gpu_units, device_gpus);
    for (const auto& [key, n] : on_device) {
      api::GpuModelCount& c = gpus[key];
      c.vendor = key.first;
      c.model = key.second;
      c.units += n;
      ++c.devices;
      c.max_units_per_device = std::max(c.max_units_per_device, n);
    }
  }
  for (auto& [key, c] : gpus) f.gpus.push_back(std::move(c));
  return f;
}

}  // namespace hearth::akash
