// Fleet state of a region, computed from the store's devices: what the bid script, the SDL
// check, the provider attributes and the public API judge against. Pure functions.
//
// Regions are not built yet: a coordinator without regions behaves as one region "default"
// holding every device. RegionDevices() is the one place that maps a region id to devices.
#pragma once

#include <string>
#include <vector>

#include "api/akash.h"
#include "api/types.h"
#include "store/store.h"

namespace hearth::akash {

inline constexpr std::string_view kDefaultRegion = "default";

// The worker devices of `region` (not removed). kNotFound for an unknown region.
StatusOr<std::vector<store::Device>> RegionDevices(store::Store& store, const std::string& region);

// The snapshot of `devices` (already filtered to the region) at `now`: online counts, GPU
// models, CPU architectures and vendors, and the largest online device per dimension. A device
// whose stored inventory cannot be read counts as online but contributes no capacity.
api::FleetSnapshot ComputeFleet(const std::vector<store::Device>& devices,
                                const std::string& region, Timestamp now,
                                const api::LivenessPolicy& liveness);

// Akash's name for a kernel architecture: x86_64 → "x86-64", aarch64 → "arm-64", i686 → "x86",
// armv7l → "arm"; "" when unknown.
std::string AkashCpuArch(const std::string& uname_arch);
// "intel", "amd" or "arm" from a CPU model string and architecture; "" when unknown.
std::string AkashCpuVendor(const std::string& cpu_model, const std::string& uname_arch);

}  // namespace hearth::akash
