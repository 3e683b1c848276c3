#include "coordinator/akash/fleet.h"

#include <gtest/gtest.h>

#include "coordinator/akash/test_util.h"

namespace hearth::akash {
namespace {

using testing::kGi;
using testing::MakeDevice;

const Timestamp kNow = FromUnixMillis(1'800'000'000'000);

TEST(FleetTest, CountsOnlineDevicesAndTheLargestPerDimension) {
  std::vector<store::Device> devices = {
      MakeDevice("dev_a", kNow, 16, 64, {"rtx4090"}),
      MakeDevice("dev_b", kNow, 32, 32, {"rtx3090", "rtx3090"}),
      MakeDevice("dev_c", kNow, 20, 128, {}, "aarch64", "Cortex-X925"),
      MakeDevice("dev_d", kNow - std::chrono::hours(1), 128, 1024, {"h100"}),  // offline
  };
  devices.push_back(MakeDevice("dev_e", kNow, 8, 8, {}));
  devices.back().inventory_json = "not json";  // counts as online, contributes nothing
  const api::FleetSnapshot f = ComputeFleet(devices, "default", kNow, api::LivenessPolicy{});
  EXPECT_EQ(f.devices_total, 5);
  EXPECT_EQ(f.devices_online, 4);
  EXPECT_EQ(f.largest_cpu_millicores, 32000);
  EXPECT_EQ(f.largest_memory_bytes, 128 * kGi);
  EXPECT_EQ(f.largest_gpu_units, 2);
  ASSERT_EQ(f.gpus.size(), 2u);
  EXPECT_EQ(f.gpus[0].model, "rtx3090");
  EXPECT_EQ(f.gpus[0].units, 2);
  EXPECT_EQ(f.gpus[0].max_units_per_device, 2);
  EXPECT_EQ(f.gpus[1].model, "rtx4090");
  EXPECT_EQ(f.cpu_archs.at("x86-64"), 2);
  EXPECT_EQ(f.cpu_archs.at("arm-64"), 1);
  EXPECT_EQ(f.cpu_vendors.at("arm"), 1);
  // Round trip through the wire codec.
  auto back = api::DecodeFleet(api::EncodeFleet(f));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(api::EncodeFleet(*back), api::EncodeFleet(f));
}

TEST(FleetTest, ArchAndVendorNames) {
  EXPECT_EQ(AkashCpuArch("x86_64"), "x86-64");
  EXPECT_EQ(AkashCpuArch("aarch64"), "arm-64");
  EXPECT_EQ(AkashCpuArch("armv7l"), "arm");
  EXPECT_EQ(AkashCpuArch("riscv64"), "");
  EXPECT_EQ(AkashCpuVendor("Intel(R) Xeon(R)", "x86_64"), "intel");
  EXPECT_EQ(AkashCpuVendor("AMD EPYC 7763", "x86_64"), "amd");
  EXPECT_EQ(AkashCpuVendor("", "aarch64"), "arm");
}

TEST(FleetTest, DecodeRejectsBadSnapshots) {
  EXPECT_FALSE(api::DecodeFleet(nlohmann::json::array()).ok());
  EXPECT_FALSE(api::DecodeFleet({{"region", "default"}}).ok());
  nlohmann::json j = api::EncodeFleet(api::FleetSnapshot{});
  j["region"] = "default";
  j["gpus"] = {{{"vendor", "nvidia"}}};
  EXPECT_FALSE(api::DecodeFleet(j).ok());
}

}  // namespace
}  // namespace hearth::akash
