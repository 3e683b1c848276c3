#include "store/store.h"

namespace hearth::store {

std::string_view RoleName(Role r) { return r == Role::kAdmin ? "admin" : "owner"; }

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "owner") return Role::kOwner;
  return std::nullopt;
}

std::string_view WithdrawalStateName(WithdrawalState s) {
  switch (s) {
    case WithdrawalState::kRequested:
      return "requested";
    case WithdrawalState::kBatched:
      return "batched";
    case WithdrawalState::kPaid:
      return "paid";
    case WithdrawalState::kFailed:
      return "failed";
  }
  return "requested";
}

std::string_view BatchStateName(BatchState s) {
  switch (s) {
    case BatchState::kExported:
      return "exported";
    case BatchState::kPaid:
      return "paid";
    case BatchState::kFailed:
      return "failed";
  }
  return "exported";
}

}  // namespace hearth::store
