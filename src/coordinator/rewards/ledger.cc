#include "coordinator/rewards/ledger.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "coordinator/kube/attribution.h"
#include "coordinator/rewards/eligibility.h"
#include "coordinator/rewards/split_codec.h"

namespace hearth::rewards {
namespace {

int64_t Seconds(Duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

std::string TxnOf(Timestamp start) { return "epoch:" + std::to_string(ToUnixMillis(start)); }

// The policy values an audit must reuse, recovered from what was booked.
StatusOr<RewardPolicy> PolicyFromRecord(const nlohmann::json& policy_json, RewardPolicy base) {
  try {
    base.epoch = std::chrono::seconds(policy_json.at("epoch_seconds").get<int64_t>());
    base.op.fixed_cost = Amount::Micro(policy_json.at("operator").at("fixed_cost").get<int64_t>());
    base.op.fee_bps = policy_json.at("operator").at("fee_bps").get<int64_t>();
    base.usage_share_bps = policy_json.at("usage_share_bps").get<int64_t>();
    base.probation = std::chrono::seconds(policy_json.at("probation_seconds").get<int64_t>());
    base.carry = policy_json.value("carry", false);  // epochs booked before carries: closed
    const auto& cap = policy_json.at("capacity");
    base.capacity.per_cpu_core = cap.at("per_cpu_core").get<int64_t>();
    base.capacity.per_memory_gib = cap.at("per_memory_gib").get<int64_t>();
    base.capacity.gpu_default = cap.at("gpu_default").get<int64_t>();
    base.capacity.gpu_models.clear();
    for (const auto& [m, w] : cap.at("gpu_models").items()) {
      base.capacity.gpu_models[m] = w.get<int64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(std::string("booked policy is unreadable: ") + e.what());
  }
  return base;
}

// The eligibility facts of a stored device (its inventory parsed by the caller).
EligibilityFacts FactsOf(const store::Device& d, StatusOr<agent::Inventory> inventory) {
  EligibilityFacts f;
  f.enrolled_at = d.enrolled_at;
  f.admin_state = d.admin_state;
  f.admin_state_at = d.admin_state_at;
  f.inventory = std::move(inventory);
  f.k8s_json = d.k8s_json;
  return f;
}

}  // namespace

std::string OwnerAccount(const AccountId& owner) { return "owner:" + owner.str(); }
std::string InFlightAccount(const AccountId& owner) { return "in_flight:" + owner.str(); }

int64_t OnlineSeconds(const std::vector<store::UptimeInterval>& intervals, Timestamp start,
                      Timestamp end) {
  int64_t ms = 0;
  for (const store::UptimeInterval& i : intervals) {
    const Timestamp a = std::max(i.start, start), b = std::min(i.end, end);
    if (b > a) ms += (b - a).count();
  }
  return ms / 1000;
}

nlohmann::json AuditReport::ToJson() const {
  nlohmann::json inel = nlohmann::json::array();
  for (const auto& [id, reason] : ineligible) {
    inel.push_back({{"device_id", id.str()}, {"reason", reason}});
  }
  return {{"epoch_start", FormatRfc3339(epoch_start)},
          {"policy_version", policy_version},
          {"matches", matches},
          {"differences", differences},
          {"ineligible", std::move(inel)}};
}

Timestamp Ledger::EpochStartOf(Timestamp t) const {
  const int64_t len = policy_.epoch.count();
  const int64_t ms = ToUnixMillis(t);
  return FromUnixMillis(ms - (((ms % len) + len) % len));
}

Status Ledger::CheckEpochStart(Timestamp t, const std::string& field) const {
  if (EpochStartOf(t) != t) {
    return Status::InvalidArgument(field, "is not the start of an epoch (epochs are " +
                                              std::to_string(Seconds(policy_.epoch)) +
                                              " s long, aligned to the Unix epoch); use " +
                                              FormatRfc3339(EpochStartOf(t)));
  }
  return Status::Ok();
}

StatusOr<SplitInput> Ledger::BuildEpochInput(Timestamp start, const RewardPolicy& policy,
                                             const CarryIn& carry_in) const {
  const Timestamp end = start + policy.epoch;
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::UptimeInterval> uptime, store_.ListUptime(start, end));
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRevenue> revenue,
                          store_.GetEpochRevenue(start));
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> devices, store_.ListAllDevices());

  std::map<DeviceId, std::vector<store::UptimeInterval>, store::IdTextLess> by_device;
  for (store::UptimeInterval& i : uptime) by_device[i.device_id].push_back(std::move(i));
  std::map<DeviceId, Amount, store::IdTextLess> attributed_to;
  if (revenue) attributed_to = revenue->attributed;
  if (revenue && attributed_to.empty() && revenue->source == "leases") {
    // Pod attribution (coordinator/kube): each lease's revenue by its pods' time on devices.
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::PodRun> runs, store_.ListPodRuns(start, end));
    attributed_to = kube::AttributeLeaseRevenue(
        nlohmann::json::parse(revenue->detail_json, nullptr, false), runs, start, end,
        {policy.capacity.per_cpu_core, policy.capacity.per_memory_gib,
         policy.capacity.gpu_default});
  }

  SplitInput in;
  in.revenue = revenue ? revenue->amount : Amount::Zero();
  in.op = policy.op;
  in.usage_share_bps = policy.usage_share_bps;
  in.epoch_seconds = Seconds(policy.epoch);
  in.carry = policy.carry;
  for (const store::Device& d : devices) {
    auto it = by_device.find(d.id);
    const int64_t online = it == by_device.end() ? 0 : OnlineSeconds(it->second, start, end);
    Amount attributed;
    if (auto a = attributed_to.find(d.id); a != attributed_to.end()) attributed = a->second;
    if (online == 0 && attributed.is_zero()) continue;  // earns nothing; keeps inputs small
    SplitDevice sd;
    sd.id = d.id;
    sd.online_seconds = std::min(online, *in.epoch_seconds);
    sd.attributed_revenue = attributed;
    auto inv = agent::InventoryFromJson(nlohmann::json::parse(d.inventory_json, nullptr, false));
    sd.capacity_weight = inv.ok() ? CapacityWeight(*inv, policy.capacity) : 0;
    Eligibility el = EligibilityFor(FactsOf(d, std::move(inv)), start, end, policy.probation);
    sd.eligible = el.eligible;
    sd.ineligible_reason = std::move(el.reason);
    if (in.carry) {
      if (auto c = carry_in.find(d.id.str()); c != carry_in.end()) sd.carry_in = c->second;
    }
    in.devices.push_back(std::move(sd));
  }
  return in;
}

StatusOr<std::vector<store::LedgerEntry>> Ledger::EntriesFor(Timestamp start, const SplitResult& r,
                                                             Timestamp now) const {
  const std::string txn = TxnOf(start);
  std::vector<store::LedgerEntry> out;
  Amount revenue = r.operator_share;
  // One query for every owner rather than one per device (epochs have up to 10^5 devices).
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> devices, store_.ListAllDevices());
  std::unordered_map<std::string, AccountId> owner_of;
  owner_of.reserve(devices.size());
  for (const store::Device& d : devices) owner_of.emplace(d.id.str(), d.owner_id);
  for (const Allocation& a : r.allocations) {
    if (a.total.is_zero()) continue;
    auto owner = owner_of.find(a.id.str());
    if (owner == owner_of.end()) return Status::Internal("allocation to an unknown device");
    const std::string account = OwnerAccount(owner->second);
    if (!a.usage.is_zero()) out.push_back({0, txn, account, "usage", a.usage, a.id, start, now});
    if (!a.participation.is_zero()) {
      out.push_back({0, txn, account, "participation", a.participation, a.id, start, now});
    }
    revenue += a.total;
  }
  if (!r.operator_share.is_zero()) {
    out.push_back({0, txn, "operator", "operator", r.operator_share, std::nullopt, start, now});
  }
  if (!r.carried.is_zero()) {
    out.push_back({0, txn, kCarryAccount, "carry", r.carried, std::nullopt, start, now});
    revenue += r.carried;
  }
  if (!revenue.is_zero()) {
    out.push_back({0, txn, "provider_revenue", "revenue", Amount::Zero() - revenue, std::nullopt,
                   start, now});
  }
  return out;
}

StatusOr<SettleOutcome> Ledger::SettleEpoch(Timestamp start) {
  HEARTH_RETURN_IF_ERROR(CheckEpochStart(start, "epoch"));
  const Timestamp now = clock_.Now();
  const Timestamp end = start + policy_.epoch;
  if (now < end + policy_.settle_grace) {
    return Status::FailedPrecondition(
        "epoch_not_final",
        "the epoch ends at " + FormatRfc3339(end) + " and can be settled from " +
            FormatRfc3339(end + policy_.settle_grace) + " (late heartbeats may still count)",
        "epoch");
  }
  // A concurrent settlement of another epoch changes the carries this one builds on; the store
  // refuses the stale write and this settles again from fresh carries.
  for (int attempt = 0;; ++attempt) {
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRecord> existing, store_.GetEpoch(start));
    if (existing) return SettleOutcome{false, *existing};
    StatusOr<SettleOutcome> o = TrySettle(start, now);
    if (o.ok() || o.status().reason() != "carry_changed" || attempt == 4) return o;
  }
}

StatusOr<SettleOutcome> Ledger::TrySettle(Timestamp start, Timestamp now) {
  store::CarryUpdate update;
  CarryIn carry_in;
  std::unordered_map<std::string, Timestamp> carry_from;
  if (policy_.carry) {
    HEARTH_ASSIGN_OR_RETURN(store::CarryState carries, store_.ListCarries());
    update.expected_generation = carries.generation;
    carry_in.reserve(carries.carries.size());
    for (const store::RewardCarry& c : carries.carries) {
      carry_in.emplace(c.device_id.str(), c.carry);
      carry_from.emplace(c.device_id.str(), c.epoch_start);
    }
  }
  HEARTH_ASSIGN_OR_RETURN(SplitInput in, BuildEpochInput(start, policy_, carry_in));
  HEARTH_ASSIGN_OR_RETURN(SplitResult r, Split(in));
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::LedgerEntry> entries, EntriesFor(start, r, now));
  // Where each device's carry_in came from, so the audit can follow the chain of carries.
  nlohmann::json from = nlohmann::json::object();
  for (size_t k = 0; k < r.allocations.size(); ++k) {
    const Allocation& a = r.allocations[k];
    auto f = carry_from.find(a.id.str());
    if (f != carry_from.end()) from[a.id.str()] = ToUnixMillis(f->second);
    auto c = carry_in.find(a.id.str());
    if (r.carry && a.carry_out != (c == carry_in.end() ? 0 : c->second)) {
      update.carries.push_back({a.id, a.carry_out, start});
    }
  }
  store::EpochRecord rec;
  rec.start = start;
  rec.end = start + policy_.epoch;
  rec.policy_version = policy_.Version();
  nlohmann::json input = {{"policy", policy_.ToJson()}, {"split", EncodeSplitInput(in)}};
  if (r.carry) input["carry_from"] = std::move(from);
  rec.input_json = input.dump();
  rec.result_json = EncodeSplitResult(r).dump();
  rec.settled_at = now;
  HEARTH_ASSIGN_OR_RETURN(bool booked,
                          store_.SettleEpoch(rec, entries, r.carry ? &update : nullptr));
  if (!booked) {
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRecord> existing, store_.GetEpoch(start));
    if (existing) return SettleOutcome{false, *existing};
  }
  return SettleOutcome{booked, rec};
}

StatusOr<int> Ledger::SettlePending() {
  const Timestamp now = clock_.Now();
  if (!next_unsettled_) {
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::Device> devices, store_.ListAllDevices());
    if (devices.empty()) return 0;
    Timestamp first = devices.front().enrolled_at;
    for (const store::Device& d : devices) first = std::min(first, d.enrolled_at);
    next_unsettled_ = EpochStartOf(first);
  }
  int booked = 0;
  Timestamp e = *next_unsettled_;
  bool contiguous = true;  // every epoch before `e` is settled
  for (; e + policy_.epoch + policy_.settle_grace <= now; e += policy_.epoch) {
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRecord> rec, store_.GetEpoch(e));
    if (rec) {
      if (contiguous) next_unsettled_ = e + policy_.epoch;
      continue;
    }
    HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRevenue> rev, store_.GetEpochRevenue(e));
    if (!rev && now < e + policy_.epoch + policy_.revenue_wait) {
      contiguous = false;  // waiting for its revenue; later epochs may still settle
      continue;
    }
    HEARTH_ASSIGN_OR_RETURN(SettleOutcome o, SettleEpoch(e));
    if (o.booked) ++booked;
    if (contiguous) next_unsettled_ = e + policy_.epoch;
  }
  return booked;
}

StatusOr<AuditReport> Ledger::Audit(Timestamp start) const {
  HEARTH_RETURN_IF_ERROR(CheckEpochStart(start, "epoch"));
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRecord> rec, store_.GetEpoch(start));
  if (!rec) return Status::NotFound("this epoch is not settled");
  AuditReport report;
  report.epoch_start = start;
  report.policy_version = rec->policy_version;
  auto diff = [&](std::string what) { report.differences.push_back(std::move(what)); };

  const auto input_json = nlohmann::json::parse(rec->input_json, nullptr, false);
  if (!input_json.is_object() || !input_json.contains("split") || !input_json.contains("policy")) {
    diff("the booked input is unreadable");
    return report;
  }
  HEARTH_ASSIGN_OR_RETURN(RewardPolicy policy, PolicyFromRecord(input_json["policy"], policy_));
  if (policy.Version() != rec->policy_version)
    diff("the booked policy does not hash to its version");

  // 1. The booked input, re-split, gives the booked result.
  auto booked_in = DecodeSplitInput(input_json["split"]);
  if (!booked_in.ok()) {
    diff("the booked input does not decode: " + booked_in.status().ToString());
    return report;
  }
  for (const SplitDevice& d : booked_in->devices) {
    if (!d.eligible) report.ineligible.emplace_back(d.id, d.ineligible_reason);
  }
  HEARTH_ASSIGN_OR_RETURN(SplitResult resplit, Split(*booked_in));
  if (EncodeSplitResult(resplit).dump() != rec->result_json) {
    diff("re-splitting the booked input gives a different allocation");
  }
  // 2. The raw facts (uptime, revenue, devices) still give the booked input (with the booked
  // carries, which step 4 checks).
  CarryIn booked_carry;
  for (const SplitDevice& d : booked_in->devices) {
    if (d.carry_in != 0) booked_carry.emplace(d.id.str(), d.carry_in);
  }
  HEARTH_ASSIGN_OR_RETURN(SplitInput rebuilt, BuildEpochInput(start, policy, booked_carry));
  if (EncodeSplitInput(rebuilt) != input_json["split"]) {
    diff("the input re-derived from heartbeats, revenue and devices differs from the booked one");
  }
  // 4. Each carry_in is the carry_out that the epoch named in carry_from booked for the device.
  if (booked_in->carry) {
    const nlohmann::json from = input_json.value("carry_from", nlohmann::json::object());
    std::map<int64_t, std::unordered_map<std::string, int64_t>> outs;  // epoch → id → carry_out
    for (const SplitDevice& d : booked_in->devices) {
      auto f = from.find(d.id.str());
      if (f == from.end() || !f->is_number_integer()) {
        if (d.carry_in != 0) diff("device " + d.id.str() + " has a carry_in with no carry_from");
        continue;
      }
      const int64_t ms = f->get<int64_t>();
      if (!outs.contains(ms)) {
        HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRecord> prev,
                                store_.GetEpoch(FromUnixMillis(ms)));
        auto& m = outs[ms];
        const auto res =
            prev ? nlohmann::json::parse(prev->result_json, nullptr, false) : nlohmann::json();
        if (res.is_object() && res.contains("allocations") && res["allocations"].is_array()) {
          for (const auto& a : res["allocations"]) {
            if (a.is_object() && a.contains("carry_out") && a["carry_out"].is_number_integer()) {
              m[a.value("id", "")] = a["carry_out"].get<int64_t>();
            }
          }
        }
      }
      const auto& m = outs[ms];
      auto it = m.find(d.id.str());
      if (it == m.end() || it->second != d.carry_in) {
        diff("device " + d.id.str() + "'s carry_in is not the carry_out booked by epoch " +
             FormatRfc3339(FromUnixMillis(ms)));
      }
    }
  }
  // 3. The booked entries are exactly the entries of the booked result.
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::LedgerEntry> expected,
                          EntriesFor(start, resplit, rec->settled_at));
  store::EntryFilter f;
  f.txn = TxnOf(start);
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::LedgerEntry> booked, store_.ListEntries(f));
  auto key = [](const store::LedgerEntry& e) {
    return e.account + "|" + e.kind + "|" + (e.device_id ? e.device_id->str() : "") + "|" +
           std::to_string(e.amount.micro());
  };
  std::vector<std::string> a, b;
  for (const auto& e : expected) a.push_back(key(e));
  for (const auto& e : booked) b.push_back(key(e));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) diff("the booked ledger entries differ from the allocation");
  int64_t sum = 0;
  for (const auto& e : booked) sum += e.amount.micro();
  if (sum != 0) diff("the booked entries do not sum to zero");
  // 5. Ledger-wide: the carry account holds exactly the devices' current carries.
  HEARTH_ASSIGN_OR_RETURN(store::CarryState carries, store_.ListCarries());
  HEARTH_ASSIGN_OR_RETURN(Amount carry_balance, store_.Balance(kCarryAccount));
  Int128 carried = 0;
  for (const store::RewardCarry& c : carries.carries) carried += c.carry;
  if (carried != static_cast<Int128>(carry_balance.micro()) * kCarryScale) {
    diff("the carry account (" + std::to_string(carry_balance.micro()) +
         " units) does not hold the devices' carries");
  }
  report.matches = report.differences.empty();
  return report;
}

}  // namespace hearth::rewards
