#include "coordinator/devices/hardware.h"

#include <map>
#include <set>

namespace hearth::devices {
namespace {

nlohmann::json GpuJson(const agent::Gpu& g) {
  return {{"pci_address", g.pci_address}, {"vendor", g.vendor},       {"model", g.model},
          {"memory_size", g.memory_size}, {"vendor_id", g.vendor_id}, {"device_id", g.device_id}};
}

nlohmann::json DiskJson(const agent::Disk& d) {
  return {{"name", d.name},
          {"model", d.model},
          {"size_bytes", d.size_bytes},
          {"rotational", d.rotational}};
}

nlohmann::json CpuJson(const agent::Inventory& inv) {
  return {{"model", inv.cpu_model}, {"cores", inv.cpu_cores}, {"threads", inv.cpu_threads}};
}

// GPU memory in MiB: nvidia-smi's figure when known, else the database's "24Gi"/"512Mi".
std::optional<uint64_t> GpuMemoryMib(const agent::Gpu& g) {
  if (g.vram_mib) return *g.vram_mib;
  const std::string& s = g.memory_size;
  size_t i = 0;
  uint64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < (uint64_t{1} << 40)) {
    n = n * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string unit = s.substr(i);
  if (unit == "Gi") return n * 1024;
  if (unit == "Mi") return n;
  if (unit == "Ti") return n * 1024 * 1024;
  return std::nullopt;
}

bool SameCard(const agent::Gpu& a, const agent::Gpu& b) {
  return a.vendor_id == b.vendor_id && a.device_id == b.device_id && a.model == b.model;
}

Direction ByOrder(uint64_t before, uint64_t after) {
  if (after > before) return Direction::kUpgrade;
  if (after < before) return Direction::kDowngrade;
  return Direction::kChange;
}

// Items by their key (a GPU's PCI slot, a disk's name) and its occurrence, "0000:01:00.0#0", so
// two items under one key (an empty slot reported twice) are still told apart, in slot order.
template <typename T>
std::map<std::string, const T*> Keyed(const std::vector<T>& items, std::string T::*key) {
  std::map<std::string, const T*> out;
  std::map<std::string, int> seen;
  for (const T& item : items) {
    const std::string& k = item.*key;
    out.emplace(k + "#" + std::to_string(seen[k]++), &item);
  }
  return out;
}

template <typename T>
std::set<std::string> KeysOfEither(const std::map<std::string, const T*>& a,
                                   const std::map<std::string, const T*>& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  return keys;
}

}  // namespace

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kUpgrade:
      return "upgrade";
    case Direction::kDowngrade:
      return "downgrade";
    case Direction::kChange:
      return "change";
  }
  return "change";
}

std::vector<HardwareChangeItem> DiffHardware(const agent::Inventory& before,
                                             const agent::Inventory& after) {
  std::vector<HardwareChangeItem> out;
  if (before.cpu_model != after.cpu_model || before.cpu_cores != after.cpu_cores ||
      before.cpu_threads != after.cpu_threads) {
    out.push_back({"cpu_changed", ByOrder(before.cpu_threads, after.cpu_threads), CpuJson(before),
                   CpuJson(after)});
  }
  const uint64_t mb = before.memory_bytes, ma = after.memory_bytes;
  if ((ma > mb ? ma - mb : mb - ma) >= kMemoryChangeBytes) {
    out.push_back({"memory_changed", ByOrder(mb, ma), {{"bytes", mb}}, {{"bytes", ma}}});
  }

  const auto gpus_before = Keyed(before.gpus, &agent::Gpu::pci_address);
  const auto gpus_after = Keyed(after.gpus, &agent::Gpu::pci_address);
  for (const std::string& slot : KeysOfEither(gpus_before, gpus_after)) {
    auto b = gpus_before.find(slot);
    auto a = gpus_after.find(slot);
    if (b == gpus_before.end()) {
      out.push_back({"gpu_added", Direction::kUpgrade, nullptr, GpuJson(*a->second)});
    } else if (a == gpus_after.end()) {
      out.push_back({"gpu_removed", Direction::kDowngrade, GpuJson(*b->second), nullptr});
    } else if (!SameCard(*b->second, *a->second)) {
      // A swap is made to upgrade: it counts as one unless the new card has less memory.
      const auto mem_b = GpuMemoryMib(*b->second), mem_a = GpuMemoryMib(*a->second);
      const Direction d =
          mem_b && mem_a && *mem_a < *mem_b ? Direction::kDowngrade : Direction::kUpgrade;
      out.push_back({"gpu_swapped", d, GpuJson(*b->second), GpuJson(*a->second)});
    }
  }

  const auto disks_before = Keyed(before.disks, &agent::Disk::name);
  const auto disks_after = Keyed(after.disks, &agent::Disk::name);
  for (const std::string& name : KeysOfEither(disks_before, disks_after)) {
    auto b = disks_before.find(name);
    auto a = disks_after.find(name);
    if (b == disks_before.end()) {
      out.push_back({"disk_added", Direction::kUpgrade, nullptr, DiskJson(*a->second)});
    } else if (a == disks_after.end()) {
      out.push_back({"disk_removed", Direction::kDowngrade, DiskJson(*b->second), nullptr});
    } else if (b->second->model != a->second->model ||
               b->second->size_bytes != a->second->size_bytes) {
      out.push_back({"disk_replaced", ByOrder(b->second->size_bytes, a->second->size_bytes),
                     DiskJson(*b->second), DiskJson(*a->second)});
    }
  }
  return out;
}

Direction EventDirection(const std::vector<HardwareChangeItem>& items) {
  bool up = false, down = false;
  for (const HardwareChangeItem& i : items) {
    up = up || i.direction == Direction::kUpgrade;
    down = down || i.direction == Direction::kDowngrade;
  }
  if (up && !down) return Direction::kUpgrade;
  if (down && !up) return Direction::kDowngrade;
  return Direction::kChange;
}

nlohmann::json HardwareChangesToJson(const std::vector<HardwareChangeItem>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const HardwareChangeItem& i : items) {
    nlohmann::json j = {{"type", i.type}, {"direction", DirectionName(i.direction)}};
    if (!i.before.is_null()) j["before"] = i.before;
    if (!i.after.is_null()) j["after"] = i.after;
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<store::InventoryUpdate> InventoryUpdateFor(const std::string& stored_json,
                                                         const agent::Inventory& reported,
                                                         Timestamp now) {
  const nlohmann::json reported_json = agent::InventoryToJson(reported);
  const nlohmann::json stored = nlohmann::json::parse(stored_json, nullptr, false);
  if (stored == reported_json) return std::nullopt;
  store::InventoryUpdate update{reported_json.dump(), std::nullopt};
  auto before = agent::InventoryFromJson(stored);
  if (!before.ok()) return update;
  std::vector<HardwareChangeItem> items = DiffHardware(*before, reported);
  if (!items.empty()) {
    update.change = store::HardwareChange{{},
                                          0,
                                          now,
                                          std::string(DirectionName(EventDirection(items))),
                                          HardwareChangesToJson(items).dump()};
  }
  return update;
}

nlohmann::json EncodeHardwareChange(const store::HardwareChange& c) {
  nlohmann::json changes = nlohmann::json::parse(c.changes_json, nullptr, false);
  if (!changes.is_array()) changes = nlohmann::json::array();
  return {{"at", FormatRfc3339(c.at)}, {"kind", c.kind}, {"changes", changes}};
}

}  // namespace hearth::devices
