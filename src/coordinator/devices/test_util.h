// Helpers for the devices module's tests only: a device's hardware to change. Not linked into
// `hearth` (included only by *_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "agent/inventory/inventory.h"

namespace hearth::devices::testing {

inline agent::Gpu NvidiaGpu(std::string slot, std::string device_id, std::string model,
                            std::string mem) {
  agent::Gpu g;
  g.pci_address = std::move(slot);
  g.vendor_id = "10de";
  g.device_id = std::move(device_id);
  g.vendor = "nvidia";
  g.model = std::move(model);
  g.memory_size = std::move(mem);
  g.driver = "nvidia";
  return g;
}

// A 16-core, 64 GiB tower with one RTX 3080 (slot 0000:01:00.0), one NVMe disk and one NIC.
inline agent::Inventory Tower() {
  agent::Inventory inv;
  inv.hostname = "tower";
  inv.arch = "amd64";
  inv.kernel_version = "6.1.0";
  inv.cpu_model = "AMD Ryzen 9 7950X";
  inv.cpu_cores = 16;
  inv.cpu_threads = 32;
  inv.memory_bytes = uint64_t{64} << 30;
  inv.disks = {{"nvme0n1", "Samsung 990", uint64_t{2} << 40, false}};
  inv.nics = {{"enp5s0", "aa:bb:cc:dd:ee:ff", 2500}};
  inv.gpus = {NvidiaGpu("0000:01:00.0", "2206", "rtx3080", "10Gi")};
  return inv;
}

}  // namespace hearth::devices::testing
