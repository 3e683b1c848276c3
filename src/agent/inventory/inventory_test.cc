#include "agent/inventory/inventory.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace hearth::agent {
namespace {

std::string Fixture(const std::string& host) {
  const char* src = std::getenv("HEARTH_SOURCE_DIR");
  return std::string(src ? src : HEARTH_SOURCE_DIR) + "/tests/fixtures/hosts/" + host;
}

InventoryRoots Roots(const std::string& host, bool with_smi = true) {
  const std::string r = Fixture(host);
  return {r + "/sys", r + "/proc", r + "/etc", with_smi ? r + "/bin/nvidia-smi" : ""};
}

TEST(GpuDbTest, MapsPciIdsToAkashModelNames) {
  const GpuDb& db = GpuDb::Embedded();
  EXPECT_GT(db.size(), 90u);
  auto m = db.Lookup("0x10DE", "2684");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->vendor, "nvidia");
  EXPECT_EQ(m->model, "rtx4090");
  EXPECT_EQ(m->memory_size, "24Gi");
  EXPECT_EQ(db.Lookup("10de", "0x2204")->model, "rtx3090");
  auto unknown_device = db.Lookup("10de", "ffff");
  ASSERT_TRUE(unknown_device.has_value());
  EXPECT_EQ(unknown_device->vendor, "nvidia");
  EXPECT_EQ(unknown_device->model, "");
  EXPECT_FALSE(db.Lookup("8086", "1234").has_value());
  EXPECT_EQ(db.VendorName("1002"), "amd");
  EXPECT_FALSE(GpuDb::Parse("[]").ok());
  EXPECT_FALSE(GpuDb::Parse("{\"10de\":{}}").ok());
}

TEST(InventoryTest, Rtx4090GamingPc) {
  auto inv = CollectInventory(Roots("rtx4090"));
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->hostname, "gamer-4090");
  EXPECT_EQ(inv->arch, "x86_64");
  EXPECT_EQ(inv->kernel_version, "6.8.0-45-generic");
  EXPECT_EQ(inv->os, "Ubuntu 24.04.1 LTS");
  EXPECT_EQ(inv->cpu_model, "AMD Ryzen 9 7950X 16-Core Processor");
  EXPECT_EQ(inv->cpu_cores, 16u);
  EXPECT_EQ(inv->cpu_threads, 32u);
  EXPECT_TRUE(inv->cpu_virtualization);
  EXPECT_EQ(inv->memory_bytes, 65536000ull * 1024);
  ASSERT_EQ(inv->disks.size(), 1u);  // loop0 is virtual and skipped
  EXPECT_EQ(inv->disks[0].name, "nvme0n1");
  EXPECT_EQ(inv->disks[0].size_bytes, 3907029168ull * 512);
  EXPECT_FALSE(inv->disks[0].rotational);
  EXPECT_EQ(inv->disks[0].model, "Samsung SSD 990 PRO 2TB");
  ASSERT_EQ(inv->nics.size(), 1u);  // docker0 is virtual and skipped
  EXPECT_EQ(inv->nics[0].name, "enp6s0");
  EXPECT_EQ(inv->nics[0].speed_mbps, 2500u);
  ASSERT_EQ(inv->gpus.size(), 1u);  // the HDMI audio function is not a GPU
  const Gpu& g = inv->gpus[0];
  EXPECT_EQ(g.pci_address, "0000:01:00.0");
  EXPECT_EQ(g.vendor, "nvidia");
  EXPECT_EQ(g.model, "rtx4090");
  EXPECT_EQ(g.driver, "nvidia");
  EXPECT_EQ(g.vram_mib, 24564u);
  EXPECT_EQ(g.driver_version, "550.54.14");
}

TEST(InventoryTest, TwoRtx3090sMatchedToNvidiaSmiByBusId) {
  auto inv = CollectInventory(Roots("dual-3090"));
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->cpu_cores, 24u);
  EXPECT_EQ(inv->cpu_threads, 48u);
  ASSERT_EQ(inv->gpus.size(), 2u);
  for (const Gpu& g : inv->gpus) {
    EXPECT_EQ(g.model, "rtx3090");
    EXPECT_EQ(g.vram_mib, 24576u) << g.pci_address;
    EXPECT_EQ(g.driver_version, "535.183.01");
  }
  EXPECT_EQ(inv->gpus[1].pci_address, "0000:4b:00.0");
  ASSERT_EQ(inv->disks.size(), 2u);
  EXPECT_TRUE(inv->disks[1].rotational);
}

TEST(InventoryTest, WithoutNvidiaSmiThereIsNoVramButStillTheModel) {
  auto inv = CollectInventory(Roots("rtx4090", /*with_smi=*/false));
  ASSERT_TRUE(inv.ok());
  ASSERT_EQ(inv->gpus.size(), 1u);
  EXPECT_EQ(inv->gpus[0].model, "rtx4090");
  EXPECT_FALSE(inv->gpus[0].vram_mib.has_value());
  InventoryRoots r = Roots("rtx4090");
  r.nvidia_smi = "/nonexistent/nvidia-smi";
  inv = CollectInventory(r);
  ASSERT_TRUE(inv.ok());
  EXPECT_FALSE(inv->gpus[0].vram_mib.has_value());
}

TEST(InventoryTest, CpuOnlyServerSkipsBmcGraphicsAndUnknownSpeed) {
  auto inv = CollectInventory(Roots("cpu-only"));
  ASSERT_TRUE(inv.ok());
  EXPECT_TRUE(inv->gpus.empty());
  EXPECT_EQ(inv->cpu_cores, 6u);
  EXPECT_EQ(inv->cpu_threads, 12u);
  ASSERT_EQ(inv->nics.size(), 2u);
  EXPECT_FALSE(inv->nics[1].speed_mbps.has_value());
  EXPECT_EQ(inv->os, "Debian GNU/Linux 12 (bookworm)");
}

TEST(InventoryTest, Arm64WithGpuAbsentFromTheDatabase) {
  auto inv = CollectInventory(Roots("spark-arm64"));
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->arch, "aarch64");
  EXPECT_EQ(inv->cpu_cores, 20u);
  EXPECT_EQ(inv->cpu_threads, 20u);
  EXPECT_EQ(inv->cpu_model, "ARM implementer 0x41 part 0xd85");
  ASSERT_EQ(inv->gpus.size(), 1u);
  EXPECT_EQ(inv->gpus[0].vendor, "nvidia");
  EXPECT_EQ(inv->gpus[0].model, "");
  EXPECT_EQ(inv->gpus[0].vram_mib, 122880u);  // 16-bit PCI domain 000f matched
}

TEST(InventoryTest, MissingRootsAreClearErrors) {
  auto inv = CollectInventory({"/nonexistent/sys", "/nonexistent/proc", "/nonexistent/etc", ""});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("--procfs-root"), std::string::npos);
  InventoryRoots r = Roots("rtx4090");
  r.sysfs = "/nonexistent/sys";
  inv = CollectInventory(r);
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("--sysfs-root"), std::string::npos);
}

TEST(NvidiaSmiTest, ParsesGoodRowsAndSkipsMalformedOnes) {
  auto rows = ParseNvidiaSmiCsv(
      "00000000:01:00.0, 24564, 550.54.14\n"
      "00000000:4B:00.0, 24576, 535.183.01\n"
      "garbage\n"
      "00000000:02:00.0, [N/A], 550.54.14\n"
      "00000000:03:00.0, 100\n"
      "\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].pci_address, "0000:01:00.0");
  EXPECT_EQ(rows[0].memory_mib, 24564u);
  EXPECT_EQ(rows[1].pci_address, "0000:4b:00.0");
  EXPECT_EQ(rows[1].driver_version, "535.183.01");
  EXPECT_TRUE(ParseNvidiaSmiCsv("").empty());
}

TEST(InventoryJsonTest, RoundTripsEveryFixture) {
  for (const char* host : {"rtx4090", "dual-3090", "cpu-only", "spark-arm64", "old-kernel"}) {
    auto inv = CollectInventory(Roots(host));
    ASSERT_TRUE(inv.ok()) << host;
    const nlohmann::json j = InventoryToJson(*inv);
    auto back = InventoryFromJson(j);
    ASSERT_TRUE(back.ok()) << host << ": " << back.status().ToString();
    EXPECT_EQ(InventoryToJson(*back), j) << host;
  }
}

TEST(InventoryJsonTest, RejectsBadInputNamingTheField) {
  const nlohmann::json good = InventoryToJson(*CollectInventory(Roots("rtx4090")));
  struct Case {
    std::function<void(nlohmann::json&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](nlohmann::json& j) { j.erase("arch"); }, "inventory.arch"},
      {[](nlohmann::json& j) { j["arch"] = 5; }, "inventory.arch"},
      {[](nlohmann::json& j) { j["memory_bytes"] = -1; }, "inventory.memory_bytes"},
      {[](nlohmann::json& j) { j["memory_bytes"] = "64G"; }, "inventory.memory_bytes"},
      {[](nlohmann::json& j) { j["memory_bytes"] = 0; }, "inventory.memory_bytes"},
      {[](nlohmann::json& j) { j["memory_bytes"] = 1e30; }, "inventory.memory_bytes"},
      {[](nlohmann::json& j) { j["cpu_threads"] = 100000; }, "inventory.cpu_threads"},
      {[](nlohmann::json& j) { j.erase("cpu_cores"); }, "inventory.cpu_cores"},
      {[](nlohmann::json& j) { j["gpus"] = "rtx4090"; }, "inventory.gpus"},
      {[](nlohmann::json& j) { j["gpus"][0] = 1; }, "inventory.gpus[0]"},
      {[](nlohmann::json& j) { j["gpus"][0]["model"] = nlohmann::json::array(); },
       "inventory.gpus[0].model"},
      {[](nlohmann::json& j) { j["gpus"][0].erase("vendor_id"); }, "inventory.gpus[0].vendor_id"},
      {[](nlohmann::json& j) { j["disks"][0]["size_bytes"] = -5; },
       "inventory.disks[0].size_bytes"},
      {[](nlohmann::json& j) { j["nics"][0]["speed_mbps"] = "fast"; },
       "inventory.nics[0].speed_mbps"},
      {[](nlohmann::json& j) { j["cpu_virtualization"] = "yes"; }, "inventory.cpu_virtualization"},
      {[](nlohmann::json& j) { j["hostname"] = std::string(1000, 'h'); }, "inventory.hostname"},
  };
  for (const Case& c : cases) {
    nlohmann::json j = good;
    c.mutate(j);
    auto r = InventoryFromJson(j);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
  }
  EXPECT_FALSE(InventoryFromJson(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace hearth::agent
