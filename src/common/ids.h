// Typed identifiers. An AccountId cannot be passed where a DeviceId is expected.
// Text form: a kind prefix and 16 random base32 characters, e.g. "dev_k3j9x2m1q8w7e5r4".
#pragma once

#include <compare>
#include <ostream>
#include <string>
#include <string_view>

#include "common/random.h"

namespace hearth {

template <typename Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }
  // clang-tidy reads the defaulted <=> as comparing with literal 0.
  auto operator<=>(const Id&) const = default;  // NOLINT(modernize-use-nullptr)
  friend std::ostream& operator<<(std::ostream& os, const Id& id) { return os << id.value_; }

 private:
  std::string value_;
};

using AccountId = Id<struct AccountIdTag>;
using DeviceId = Id<struct DeviceIdTag>;
using InstallKeyId = Id<struct InstallKeyIdTag>;

// prefix + "_" + 16 characters of lowercase base32 (80 random bits).
std::string NewRandomId(std::string_view prefix, Random& random);
// True when `text` has the shape NewRandomId(prefix) produces; used to reject junk early.
bool IsWellFormedId(std::string_view text, std::string_view prefix);

inline constexpr std::string_view kAccountPrefix = "acc";
inline constexpr std::string_view kDevicePrefix = "dev";
inline constexpr std::string_view kInstallKeyPrefix = "ik";

}  // namespace hearth
