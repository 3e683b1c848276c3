#include "coordinator/rewards/ledger.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "coordinator/kube/attribution.h"
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
  return {{"epoch_start", FormatRfc3339(epoch_start)},
          {"policy_version", policy_version},
          {"matches", matches},
          {"differences", differences}};
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

StatusOr<SplitInput> Ledger::BuildEpochInput(Timestamp start, const RewardPolicy& policy) const {
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
    // Eligible: probation over by the epoch's start. Bans and hardware verification against
    // Kubernetes join here when those modules exist (no ban state or node data yet).
    sd.eligible = d.enrolled_at + policy.probation <= start;
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
  HEARTH_ASSIGN_OR_RETURN(std::optional<store::EpochRecord> existing, store_.GetEpoch(start));
  if (existing) return SettleOutcome{false, *existing};

  HEARTH_ASSIGN_OR_RETURN(SplitInput in, BuildEpochInput(start, policy_));
  HEARTH_ASSIGN_OR_RETURN(SplitResult r, Split(in));
  HEARTH_ASSIGN_OR_RETURN(std::vector<store::LedgerEntry> entries, EntriesFor(start, r, now));
  store::EpochRecord rec;
  rec.start = start;
  rec.end = end;
  rec.policy_version = policy_.Version();
  rec.input_json =
      nlohmann::json{{"policy", policy_.ToJson()}, {"split", EncodeSplitInput(in)}}.dump();
  rec.result_json = EncodeSplitResult(r).dump();
  rec.settled_at = now;
  HEARTH_ASSIGN_OR_RETURN(bool booked, store_.SettleEpoch(rec, entries));
  if (!booked) {
    HEARTH_ASSIGN_OR_RETURN(existing, store_.GetEpoch(start));
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
  HEARTH_ASSIGN_OR_RETURN(SplitResult resplit, Split(*booked_in));
  if (EncodeSplitResult(resplit).dump() != rec->result_json) {
    diff("re-splitting the booked input gives a different allocation");
  }
  // 2. The raw facts (uptime, revenue, devices) still give the booked input.
  HEARTH_ASSIGN_OR_RETURN(SplitInput rebuilt, BuildEpochInput(start, policy));
  if (EncodeSplitInput(rebuilt) != input_json["split"]) {
    diff("the input re-derived from heartbeats, revenue and devices differs from the booked one");
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
  report.matches = report.differences.empty();
  return report;
}

}  // namespace hearth::rewards
