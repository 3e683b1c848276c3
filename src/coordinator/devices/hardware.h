// Hardware changes: what differs between the inventory a device had and the one its agent
// reports now (a GPU swapped or added, more memory, a new disk). The heartbeat handler records
// a change when the list is not empty; the device page shows it as an upgrade event.
//
// What counts: GPUs matched by PCI slot (same slot, different card → swapped), the CPU (model,
// cores, threads), memory moving by at least kMemoryChangeBytes (MemTotal shifts by a few MiB
// with kernel updates) and disks matched by name (same name, different model or size →
// replaced). NICs, hostname, OS, kernel and GPU drivers change the stored inventory but never
// make a change: they move without anyone touching the hardware.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/inventory/inventory.h"
#include "common/clock.h"
#include "store/store.h"

namespace hearth::devices {

inline constexpr uint64_t kMemoryChangeBytes = uint64_t{512} << 20;

enum class Direction { kUpgrade, kDowngrade, kChange };
std::string_view DirectionName(Direction d);

struct HardwareChangeItem {
  std::string type;  // gpu_added|gpu_removed|gpu_swapped|cpu_changed|memory_changed|disk_*
  Direction direction = Direction::kChange;
  nlohmann::json before;  // null for *_added
  nlohmann::json after;   // null for *_removed
};

// Ordered: CPU, memory, GPUs by slot, disks by name. Empty when nothing that counts changed.
std::vector<HardwareChangeItem> DiffHardware(const agent::Inventory& before,
                                             const agent::Inventory& after);

// upgrade: at least one upgrade and no downgrade; downgrade: the reverse; else change.
Direction EventDirection(const std::vector<HardwareChangeItem>& items);

// [{"type","direction","before"?,"after"?}, ...] as stored and served (HardwareChangeItem in
// api/openapi.yaml).
nlohmann::json HardwareChangesToJson(const std::vector<HardwareChangeItem>& items);

// What a heartbeat's inventory does to the stored one: nullopt when it is the same; else the
// inventory to store and, when something that counts differs, the change to record at `now`.
// A stored inventory that does not parse is replaced without a change (there is nothing to
// compare with).
std::optional<store::InventoryUpdate> InventoryUpdateFor(const std::string& stored_json,
                                                         const agent::Inventory& reported,
                                                         Timestamp now);

// Element of the device JSON's "hardware_changes": {"at","kind","changes"} (HardwareChange in
// api/openapi.yaml).
nlohmann::json EncodeHardwareChange(const store::HardwareChange& c);

}  // namespace hearth::devices
