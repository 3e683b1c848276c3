// Ledger: turns the store's raw facts (uptime intervals from heartbeats, devices and their
// inventory, epoch revenue, pod runs for lease revenue without admin-entered attribution) into
// settled epochs in the double-entry ledger, using the pure split (split.h), and re-derives a
// settled epoch for audit.
//
// Accounts (store::LedgerEntry): "provider_revenue" (negative: what came into the provider
// wallet), "operator", "owner:<account>" (available balance), "in_flight:<account>"
// (withdrawals being paid), "paid", and "carry" (the devices' accrued sub-unit shares: the
// policy's carry epochs, split.h; it always holds Σ store carries / kCarryScale units). Every
// transaction sums to zero, so the accounts always sum to zero. Settling an epoch is one store
// transaction keyed by the epoch start — record, entries and the devices' new carries — so
// settling twice books nothing the second time. Thread-safe (all state is in the store).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "coordinator/rewards/policy.h"
#include "coordinator/rewards/split.h"
#include "store/store.h"

namespace hearth::rewards {

inline constexpr const char* kCarryAccount = "carry";
std::string OwnerAccount(const AccountId& owner);     // "owner:<id>"
std::string InFlightAccount(const AccountId& owner);  // "in_flight:<id>"

// Seconds of [start, end) covered by the intervals (which do not overlap per device).
int64_t OnlineSeconds(const std::vector<store::UptimeInterval>& intervals, Timestamp start,
                      Timestamp end);

struct SettleOutcome {
  bool booked = false;  // false: the epoch was settled before; nothing changed
  store::EpochRecord record;
};

struct AuditReport {
  Timestamp epoch_start;
  std::string policy_version;
  bool matches = false;
  std::vector<std::string> differences;  // empty when matches
  // The devices booked as ineligible and why ("banned: since ...", "probation: ...").
  std::vector<std::pair<DeviceId, std::string>> ineligible;
  nlohmann::json ToJson() const;
};

class Ledger {
 public:
  // `store` and `clock` must outlive the Ledger.
  Ledger(store::Store& store, const Clock& clock, RewardPolicy policy)
      : store_(store), clock_(clock), policy_(std::move(policy)) {}

  const RewardPolicy& policy() const { return policy_; }
  // Start of the epoch containing `t` (epochs are aligned to the Unix epoch).
  Timestamp EpochStartOf(Timestamp t) const;
  // kInvalidArgument (field `field`) when `t` is not an epoch boundary.
  Status CheckEpochStart(Timestamp t, const std::string& field) const;

  // Each device's carry_in for a carry epoch, by device id (absent: 0).
  using CarryIn = std::unordered_map<std::string, int64_t>;
  // The split's input for the epoch starting at `start`, from the store, under `policy`, with
  // each device's eligibility (eligibility.h) and, for carry epochs, `carry_in`.
  StatusOr<SplitInput> BuildEpochInput(Timestamp start, const RewardPolicy& policy,
                                       const CarryIn& carry_in) const;

  // Settles one epoch. kFailedPrecondition "epoch_not_final" before end + settle_grace.
  StatusOr<SettleOutcome> SettleEpoch(Timestamp start);
  // Settles every final epoch since the earliest enrollment that is not settled yet and whose
  // revenue is entered (or whose revenue_wait passed). Returns how many were booked.
  StatusOr<int> SettlePending();

  // Re-derives a settled epoch from the raw facts and the policy recorded with it, and compares
  // input, split and booked entries with what was booked.
  StatusOr<AuditReport> Audit(Timestamp start) const;

 private:
  // One attempt: reads the carries, splits and books (kUnavailable "carry_changed" when another
  // epoch was booked in between).
  StatusOr<SettleOutcome> TrySettle(Timestamp start, Timestamp now);
  StatusOr<std::vector<store::LedgerEntry>> EntriesFor(Timestamp start, const SplitResult& r,
                                                       Timestamp now) const;

  store::Store& store_;
  const Clock& clock_;
  RewardPolicy policy_;
  std::optional<Timestamp> next_unsettled_;  // cache for SettlePending
};

}  // namespace hearth::rewards
