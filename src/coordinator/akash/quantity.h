// Quantities as Akash SDL writes them: byte sizes ("512Mi", "1.5G", "1073741824") and CPU
// units ("500m", 0.5, "2"). Pure functions; errors say what a valid value looks like.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace hearth::akash {

// Largest quantity accepted anywhere (2^62): bigger values are refused, never wrapped.
inline constexpr int64_t kMaxQuantity = int64_t{1} << 62;

// "128Gi", "5G", "1.5Ti", "1024" (bytes), "10kb"; suffixes k/M/G/T/P/E (powers of 1000) and
// Ki/Mi/Gi/Ti/Pi/Ei (powers of 1024), case-insensitive, optional trailing "b"/"B".
StatusOr<int64_t> ParseByteQuantity(const std::string& text, const std::string& field);

// CPU units to millicores: "500m" → 500, "0.5" → 500, "2" → 2000.
StatusOr<int64_t> ParseCpuQuantity(const std::string& text, const std::string& field);

// 1073741824 → "1Gi", 1500000000 → "1.4Gi" (for messages).
std::string FormatBytes(int64_t bytes);
// 1500 → "1.5", 2000 → "2".
std::string FormatCores(int64_t millicores);

}  // namespace hearth::akash
