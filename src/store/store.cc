#include "store/store.h"

namespace hearth::store {

std::string_view RoleName(Role r) { return r == Role::kAdmin ? "admin" : "owner"; }

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "owner") return Role::kOwner;
  return std::nullopt;
}

}  // namespace hearth::store
