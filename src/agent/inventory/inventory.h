// Inventory: what hardware a device has, read from procfs and sysfs (and nvidia-smi when an
// NVIDIA GPU is present). The roots are injectable so tests read fixture trees
// (tests/fixtures/hosts/*). The same struct is validated on the coordinator when a device
// enrolls (InventoryFromJson). Pure functions apart from file reads and the nvidia-smi call.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/inventory/gpu_db.h"
#include "common/status.h"

namespace hearth::agent {

struct InventoryRoots {
  std::string sysfs = "/sys";
  std::string procfs = "/proc";
  std::string etc = "/etc";
  std::string nvidia_smi = "nvidia-smi";  // command; empty: do not run
};

struct Gpu {
  std::string pci_address;             // "0000:01:00.0"
  std::string vendor_id, device_id;    // "10de", "2684"
  std::string vendor, model;           // "nvidia", "rtx4090" (model empty when unknown)
  std::string memory_size, interface;  // from the GPU database, e.g. "24Gi", "PCIe"
  std::string driver;                  // bound kernel driver, e.g. "nvidia", "nouveau", ""
  std::optional<uint64_t> vram_mib;    // from nvidia-smi
  std::string driver_version;          // from nvidia-smi
};

struct Disk {
  std::string name, model;
  uint64_t size_bytes = 0;
  bool rotational = false;
};

struct Nic {
  std::string name, mac;
  std::optional<uint32_t> speed_mbps;
};

struct Inventory {
  std::string hostname, arch, kernel_version, os;
  std::string cpu_model;
  uint32_t cpu_cores = 0, cpu_threads = 0;
  bool cpu_virtualization = false;
  uint64_t memory_bytes = 0;
  std::vector<Disk> disks;
  std::vector<Nic> nics;
  std::vector<Gpu> gpus;
};

StatusOr<Inventory> CollectInventory(const InventoryRoots& roots,
                                     const GpuDb& db = GpuDb::Embedded());

// Rows of `nvidia-smi --query-gpu=pci.bus_id,memory.total,driver_version
// --format=csv,noheader,nounits`. Malformed rows are skipped.
struct NvidiaSmiRow {
  std::string pci_address;  // normalized to sysfs form "0000:01:00.0"
  uint64_t memory_mib = 0;
  std::string driver_version;
};
std::vector<NvidiaSmiRow> ParseNvidiaSmiCsv(std::string_view csv);

nlohmann::json InventoryToJson(const Inventory& inv);
// Validates an inventory received over the API; errors name the field ("inventory.gpus[0].model").
StatusOr<Inventory> InventoryFromJson(const nlohmann::json& j);

}  // namespace hearth::agent
