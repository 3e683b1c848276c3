// GpuDb: the Akash GPU database (data/gpus.json, compiled in) mapping PCI vendor and device ids
// to the model names Akash uses in node labels and SDL (e.g. 10de:2684 → nvidia rtx4090).
// Immutable after construction; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hearth::agent {

struct GpuModel {
  std::string vendor;  // "nvidia", "amd"
  std::string model;   // "rtx4090"; empty when the device id is unknown
  std::string memory_size;
  std::string interface;
};

class GpuDb {
 public:
  static StatusOr<GpuDb> Parse(std::string_view json);
  // The compiled-in database, parsed once.
  static const GpuDb& Embedded();

  // Vendor known? Ids are hex, any case, with or without "0x".
  std::optional<std::string> VendorName(std::string_view vendor_id) const;
  // nullopt when the vendor is unknown; a GpuModel with empty model when only the device is.
  std::optional<GpuModel> Lookup(std::string_view vendor_id, std::string_view device_id) const;
  size_t size() const { return devices_.size(); }

 private:
  std::map<std::string, std::string> vendors_;  // "10de" → "nvidia"
  std::map<std::pair<std::string, std::string>, GpuModel> devices_;
};

// "0x10DE\n" → "10de".
std::string NormalizePciId(std::string_view id);

}  // namespace hearth::agent
