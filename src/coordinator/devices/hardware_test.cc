// Hardware diffs: each kind of change, what must not count (drivers, NICs, kernel, small
// memory shifts), directions, and the JSON the API serves.
#include "coordinator/devices/hardware.h"

#include <gtest/gtest.h>

#include "coordinator/devices/test_util.h"

namespace hearth::devices {
namespace {

using testing::NvidiaGpu;
using testing::Tower;

std::vector<std::string> Types(const std::vector<HardwareChangeItem>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.type + ":" + std::string(DirectionName(i.direction)));
  return out;
}

TEST(DiffHardwareTest, SameHardwareIsNoChangeEvenWhenDriversNicsAndKernelMove) {
  agent::Inventory after = Tower();
  after.hostname = "renamed";
  after.kernel_version = "6.12.0";
  after.os = "Debian 13";
  after.gpus[0].driver = "nouveau";
  after.gpus[0].driver_version = "560.1";
  after.gpus[0].vram_mib = 10240;
  after.nics = {{"enp6s0", "11:22:33:44:55:66", 1000}};
  after.memory_bytes -= uint64_t{200} << 20;  // the kernel reserves a little more
  EXPECT_TRUE(DiffHardware(Tower(), after).empty());
}

TEST(DiffHardwareTest, AGpuAddedInANewSlotIsAnUpgrade) {
  agent::Inventory after = Tower();
  after.gpus.push_back(NvidiaGpu("0000:02:00.0", "2684", "rtx4090", "24Gi"));
  auto items = DiffHardware(Tower(), after);
  ASSERT_EQ(Types(items), std::vector<std::string>{"gpu_added:upgrade"});
  EXPECT_TRUE(items[0].before.is_null());
  EXPECT_EQ(items[0].after["model"], "rtx4090");
  EXPECT_EQ(items[0].after["pci_address"], "0000:02:00.0");
  EXPECT_EQ(items[0].after["memory_size"], "24Gi");
  EXPECT_EQ(EventDirection(items), Direction::kUpgrade);
}

TEST(DiffHardwareTest, ADifferentCardInTheSameSlotIsASwapRankedByItsMemory) {
  agent::Inventory bigger = Tower();
  bigger.gpus[0] = NvidiaGpu("0000:01:00.0", "2684", "rtx4090", "24Gi");
  auto up = DiffHardware(Tower(), bigger);
  ASSERT_EQ(Types(up), std::vector<std::string>{"gpu_swapped:upgrade"});
  EXPECT_EQ(up[0].before["model"], "rtx3080");
  EXPECT_EQ(up[0].after["model"], "rtx4090");

  // Back again: less memory, a downgrade.
  EXPECT_EQ(Types(DiffHardware(bigger, Tower())),
            std::vector<std::string>{"gpu_swapped:downgrade"});

  // Same memory (3090 → 4090): a swap is made to upgrade.
  agent::Inventory a3090 = Tower(), a4090 = Tower();
  a3090.gpus[0] = NvidiaGpu("0000:01:00.0", "2204", "rtx3090", "24Gi");
  a4090.gpus[0] = NvidiaGpu("0000:01:00.0", "2684", "rtx4090", "24Gi");
  EXPECT_EQ(Types(DiffHardware(a3090, a4090)), std::vector<std::string>{"gpu_swapped:upgrade"});

  // nvidia-smi's figure wins over the database's when both inventories have it.
  a3090.gpus[0].vram_mib = 24576;
  a4090.gpus[0].vram_mib = 16384;
  EXPECT_EQ(Types(DiffHardware(a3090, a4090)), std::vector<std::string>{"gpu_swapped:downgrade"});

  // An unknown card (no model, no memory) replacing a known one is still a swap.
  agent::Inventory unknown = Tower();
  unknown.gpus[0] = NvidiaGpu("0000:01:00.0", "2e12", "", "");
  EXPECT_EQ(Types(DiffHardware(Tower(), unknown)), std::vector<std::string>{"gpu_swapped:upgrade"});
}

TEST(DiffHardwareTest, AGpuTakenOutIsADowngrade) {
  agent::Inventory after = Tower();
  after.gpus.clear();
  auto items = DiffHardware(Tower(), after);
  ASSERT_EQ(Types(items), std::vector<std::string>{"gpu_removed:downgrade"});
  EXPECT_EQ(items[0].before["model"], "rtx3080");
  EXPECT_TRUE(items[0].after.is_null());
  EXPECT_EQ(EventDirection(items), Direction::kDowngrade);
}

TEST(DiffHardwareTest, CpuMemoryAndDisksInAStableOrder) {
  agent::Inventory after = Tower();
  after.cpu_model = "AMD Ryzen 9 9950X";  // same cores and threads: a change, not an upgrade
  after.memory_bytes = uint64_t{128} << 30;
  after.disks = {{"nvme0n1", "Samsung 990", uint64_t{4} << 40, false},
                 {"sda", "WD Red", uint64_t{8} << 40, true}};
  after.gpus.push_back(NvidiaGpu("0000:02:00.0", "2684", "rtx4090", "24Gi"));
  auto items = DiffHardware(Tower(), after);
  EXPECT_EQ(Types(items), (std::vector<std::string>{"cpu_changed:change", "memory_changed:upgrade",
                                                    "gpu_added:upgrade", "disk_replaced:upgrade",
                                                    "disk_added:upgrade"}));
  EXPECT_EQ(items[0].before["model"], "AMD Ryzen 9 7950X");
  EXPECT_EQ(items[0].after["threads"], 32);
  EXPECT_EQ(items[1].before["bytes"], uint64_t{64} << 30);
  EXPECT_EQ(items[1].after["bytes"], uint64_t{128} << 30);
  EXPECT_EQ(EventDirection(items), Direction::kUpgrade);
}

TEST(DiffHardwareTest, MemoryCountsFromHalfAGibibyteEitherWay) {
  agent::Inventory after = Tower();
  after.memory_bytes = Tower().memory_bytes - kMemoryChangeBytes + 1;
  EXPECT_TRUE(DiffHardware(Tower(), after).empty());
  after.memory_bytes = Tower().memory_bytes - kMemoryChangeBytes;
  EXPECT_EQ(Types(DiffHardware(Tower(), after)),
            std::vector<std::string>{"memory_changed:downgrade"});
  after.memory_bytes = Tower().memory_bytes + kMemoryChangeBytes;
  EXPECT_EQ(Types(DiffHardware(Tower(), after)),
            std::vector<std::string>{"memory_changed:upgrade"});
}

TEST(DiffHardwareTest, FewerThreadsAndADiskRemovedAreDowngradesAndMixedIsAChange) {
  agent::Inventory after = Tower();
  after.cpu_cores = 8;
  after.cpu_threads = 16;
  after.disks.clear();
  auto down = DiffHardware(Tower(), after);
  EXPECT_EQ(Types(down),
            (std::vector<std::string>{"cpu_changed:downgrade", "disk_removed:downgrade"}));
  EXPECT_EQ(EventDirection(down), Direction::kDowngrade);

  after.gpus.push_back(NvidiaGpu("0000:02:00.0", "2684", "rtx4090", "24Gi"));
  EXPECT_EQ(EventDirection(DiffHardware(Tower(), after)), Direction::kChange);
  EXPECT_EQ(EventDirection({}), Direction::kChange);
}

TEST(DiffHardwareTest, JsonHasTypeDirectionAndOnlyTheSidesThatExist) {
  agent::Inventory after = Tower();
  after.gpus = {NvidiaGpu("0000:02:00.0", "2684", "rtx4090", "24Gi")};
  const nlohmann::json j = HardwareChangesToJson(DiffHardware(Tower(), after));
  ASSERT_EQ(j.size(), 2U);
  EXPECT_EQ(j[0]["type"], "gpu_removed");
  EXPECT_EQ(j[0]["direction"], "downgrade");
  EXPECT_EQ(j[0]["before"]["pci_address"], "0000:01:00.0");
  EXPECT_FALSE(j[0].contains("after"));
  EXPECT_EQ(j[1]["type"], "gpu_added");
  EXPECT_FALSE(j[1].contains("before"));
  EXPECT_EQ(j[1]["after"]["device_id"], "2684");
}

TEST(DiffHardwareTest, CardsReportedInOneSlotAreStillCountedOneByOne) {
  // Slots are optional in an inventory: two cards without one must not merge into one.
  agent::Inventory before = Tower(), after = Tower();
  before.gpus = {NvidiaGpu("", "2204", "rtx3090", "24Gi"),
                 NvidiaGpu("", "2204", "rtx3090", "24Gi")};
  after.gpus = before.gpus;
  EXPECT_TRUE(DiffHardware(before, after).empty());
  after.gpus.push_back(NvidiaGpu("", "2204", "rtx3090", "24Gi"));
  EXPECT_EQ(Types(DiffHardware(before, after)), std::vector<std::string>{"gpu_added:upgrade"});
  after.gpus.resize(1);
  EXPECT_EQ(Types(DiffHardware(before, after)), std::vector<std::string>{"gpu_removed:downgrade"});
}

TEST(InventoryUpdateForTest, TheSameInventoryChangesNothing) {
  const Timestamp now = FromUnixMillis(1'700'000'000'000);
  const std::string stored = agent::InventoryToJson(Tower()).dump();
  EXPECT_FALSE(InventoryUpdateFor(stored, Tower(), now).has_value());
  // The comparison is of the JSON, not its text: another key order is the same inventory.
  nlohmann::json reordered = nlohmann::json::parse(stored);
  const std::string pretty = reordered.dump(2);
  EXPECT_FALSE(InventoryUpdateFor(pretty, Tower(), now).has_value());
}

TEST(InventoryUpdateForTest, StoresEveryDifferenceButRecordsOnlyHardwareThatCounts) {
  const Timestamp now = FromUnixMillis(1'700'000'000'000);
  const std::string stored = agent::InventoryToJson(Tower()).dump();
  agent::Inventory new_driver = Tower();
  new_driver.gpus[0].driver_version = "560.35.03";
  auto update = InventoryUpdateFor(stored, new_driver, now);
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update->inventory_json, agent::InventoryToJson(new_driver).dump());
  EXPECT_FALSE(update->change.has_value());

  agent::Inventory upgraded = Tower();
  upgraded.gpus.push_back(NvidiaGpu("0000:02:00.0", "2684", "rtx4090", "24Gi"));
  update = InventoryUpdateFor(stored, upgraded, now);
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update->inventory_json, agent::InventoryToJson(upgraded).dump());
  ASSERT_TRUE(update->change.has_value());
  EXPECT_EQ(update->change->at, now);
  EXPECT_EQ(update->change->kind, "upgrade");
  const nlohmann::json changes = nlohmann::json::parse(update->change->changes_json);
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_EQ(changes[0]["type"], "gpu_added");
  EXPECT_EQ(changes[0]["after"]["model"], "rtx4090");
}

TEST(InventoryUpdateForTest, AnUnreadableStoredInventoryIsReplacedWithoutAChange) {
  const Timestamp now = FromUnixMillis(1'700'000'000'000);
  for (const std::string stored : {"{}", "not json", R"({"cpu_cores":0})"}) {
    auto update = InventoryUpdateFor(stored, Tower(), now);
    ASSERT_TRUE(update.has_value()) << stored;
    EXPECT_EQ(update->inventory_json, agent::InventoryToJson(Tower()).dump());
    EXPECT_FALSE(update->change.has_value()) << stored;
  }
}

TEST(EncodeHardwareChangeTest, TimeKindAndChangesAsTheApiServesThem) {
  const store::HardwareChange c{DeviceId("dev_aaaaaaaaaaaaaaaa"), 3,
                                FromUnixMillis(1'700'000'000'000), "downgrade",
                                R"([{"type":"gpu_removed","direction":"downgrade"}])"};
  const nlohmann::json j = EncodeHardwareChange(c);
  EXPECT_EQ(j["at"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["kind"], "downgrade");
  ASSERT_EQ(j["changes"].size(), 1U);
  EXPECT_EQ(j["changes"][0]["type"], "gpu_removed");
  // A corrupt row shows as no items rather than failing the device page.
  store::HardwareChange corrupt = c;
  corrupt.changes_json = "{";
  EXPECT_EQ(EncodeHardwareChange(corrupt)["changes"], nlohmann::json::array());
}

}  // namespace
}  // namespace hearth::devices
