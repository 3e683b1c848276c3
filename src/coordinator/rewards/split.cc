#include "coordinator/rewards/split.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>

namespace hearth::rewards {
namespace {

__extension__ typedef unsigned __int128 UInt128;

// A 256-bit unsigned integer: just enough arithmetic to compare remainders of sums of two
// fractions exactly (numerators reach ~2^165 at the input bounds).
struct U256 {
  UInt128 hi = 0;
  UInt128 lo = 0;
};

U256 Mul(UInt128 a, UInt128 b) {
  constexpr UInt128 kLow = ~uint64_t{0};
  const UInt128 a0 = a & kLow, a1 = a >> 64, b0 = b & kLow, b1 = b >> 64;
  const UInt128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const UInt128 mid = (p00 >> 64) + (p01 & kLow) + (p10 & kLow);
  return {p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64), (mid << 64) | (p00 & kLow)};
}

U256 Add(const U256& x, const U256& y) {
  const UInt128 lo = x.lo + y.lo;
  return {x.hi + y.hi + (lo < x.lo ? 1 : 0), lo};
}

U256 Sub(const U256& x, const U256& y) {  // x ≥ y
  return {x.hi - y.hi - (x.lo < y.lo ? 1 : 0), x.lo - y.lo};
}

bool Less(const U256& x, const U256& y) { return x.hi < y.hi || (x.hi == y.hi && x.lo < y.lo); }
bool IsZero(const U256& x) { return x.hi == 0 && x.lo == 0; }

// Exact quotas q_i = base_i + nu_i/a + np_i/w with 0 ≤ nu_i < a, 0 ≤ np_i < w, q_i ≥ 0.
struct Quotas {
  explicit Quotas(size_t n) : base(n), nu(n), np(n) {}
  Int128 a = 1, w = 1;
  std::vector<Int128> base, nu, np;
};

struct Floors {
  std::vector<Int128> floor;  // ⌊q_i⌋
  std::vector<U256> rem;      // (q_i − ⌊q_i⌋)·a·w, exactly
};

Floors FloorOf(const Quotas& q) {
  const size_t n = q.base.size();
  const U256 aw = Mul(static_cast<UInt128>(q.a), static_cast<UInt128>(q.w));
  Floors f{std::vector<Int128>(n), std::vector<U256>(n)};
  for (size_t i = 0; i < n; ++i) {
    U256 s = Add(Mul(static_cast<UInt128>(q.nu[i]), static_cast<UInt128>(q.w)),
                 Mul(static_cast<UInt128>(q.np[i]), static_cast<UInt128>(q.a)));
    Int128 whole = q.base[i];
    if (!Less(s, aw)) {  // nu/a + np/w ≥ 1 (it is < 2)
      s = Sub(s, aw);
      whole += 1;
    }
    f.floor[i] = whole;
    f.rem[i] = s;
  }
  return f;
}

// ⌊q_i⌋ plus one unit for each of the pool − Σ⌊q_i⌋ largest remainders (ties: smaller index).
// The quotas must sum to `pool` exactly, so fewer units are left than positive remainders.
StatusOr<std::vector<Int128>> LargestRemainder(Int128 pool, const Floors& f) {
  std::vector<Int128> out = f.floor;
  const Int128 given = std::accumulate(out.begin(), out.end(), Int128{0});
  std::vector<uint32_t> idx;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!IsZero(f.rem[i])) idx.push_back(static_cast<uint32_t>(i));
  }
  if (pool < given || pool - given > static_cast<Int128>(idx.size())) {
    return Status::Internal("split: the exact shares do not sum to the pool");
  }
  const auto left = static_cast<size_t>(pool - given);
  if (left == 0) return out;
  auto better = [&](uint32_t x, uint32_t y) {
    return Less(f.rem[y], f.rem[x]) || (!Less(f.rem[x], f.rem[y]) && x < y);
  };
  std::nth_element(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(left - 1), idx.end(), better);
  for (size_t k = 0; k < left; ++k) out[idx[k]] += 1;
  return out;
}

std::string DeviceField(size_t i, const char* name) {
  return "devices[" + std::to_string(i) + "]." + name;
}

Status CheckRange(const std::string& field, int64_t v, int64_t max) {
  if (v < 0 || v > max) {
    return Status::InvalidArgument(field, "must be an integer between 0 and " +
                                              std::to_string(max) + " (got " + std::to_string(v) +
                                              ")");
  }
  return Status::Ok();
}

Status ValidateDevice(const SplitInput& in, size_t i) {
  const SplitDevice& d = in.devices[i];
  if (d.id.empty()) {
    return Status::InvalidArgument(DeviceField(i, "id"), "is required (a non-empty string)");
  }
  HEARTH_RETURN_IF_ERROR(
      CheckRange(DeviceField(i, "online_seconds"), d.online_seconds, kMaxOnlineSeconds));
  if (in.epoch_seconds && d.online_seconds > *in.epoch_seconds) {
    return Status::InvalidArgument(DeviceField(i, "online_seconds"),
                                   std::to_string(d.online_seconds) +
                                       " exceeds the epoch length (epoch_seconds " +
                                       std::to_string(*in.epoch_seconds) +
                                       "); a device cannot be online longer than the epoch");
  }
  HEARTH_RETURN_IF_ERROR(
      CheckRange(DeviceField(i, "capacity_weight"), d.capacity_weight, kMaxCapacityWeight));
  HEARTH_RETURN_IF_ERROR(
      CheckRange(DeviceField(i, "attributed_revenue"), d.attributed_revenue.micro(), kMaxAmount));
  if (d.eligible && !d.ineligible_reason.empty()) {
    return Status::InvalidArgument(DeviceField(i, "ineligible_reason"),
                                   "is only for devices with \"eligible\": false; remove it");
  }
  if (d.ineligible_reason.size() > kMaxReasonLength) {
    return Status::InvalidArgument(
        DeviceField(i, "ineligible_reason"),
        "is longer than " + std::to_string(kMaxReasonLength) + " characters");
  }
  if (d.carry_in != 0 && !in.carry) {
    return Status::InvalidArgument(DeviceField(i, "carry_in"),
                                   "is only for carry epochs; add \"carry\": true or remove it");
  }
  return CheckRange(DeviceField(i, "carry_in"), d.carry_in, kCarryScale - 1);
}

Status ValidateFields(const SplitInput& in) {
  HEARTH_RETURN_IF_ERROR(CheckRange("revenue", in.revenue.micro(), kMaxAmount));
  HEARTH_RETURN_IF_ERROR(CheckRange("operator.fixed_cost", in.op.fixed_cost.micro(), kMaxAmount));
  HEARTH_RETURN_IF_ERROR(CheckRange("operator.fee_bps", in.op.fee_bps, kMaxBps));
  HEARTH_RETURN_IF_ERROR(CheckRange("usage_share_bps", in.usage_share_bps, kMaxBps));
  if (in.epoch_seconds) {
    HEARTH_RETURN_IF_ERROR(CheckRange("epoch_seconds", *in.epoch_seconds, kMaxOnlineSeconds));
  }
  if (in.devices.size() > kMaxDevices) {
    return Status::InvalidArgument("devices", "has more than " + std::to_string(kMaxDevices) +
                                                  " entries; split the epoch input");
  }
  for (size_t i = 0; i < in.devices.size(); ++i) HEARTH_RETURN_IF_ERROR(ValidateDevice(in, i));
  return Status::Ok();
}

// Indices of the devices sorted by id (equal ids by index): the tie-break and output order.
std::vector<uint32_t> IdOrder(const std::vector<SplitDevice>& devices) {
  std::vector<uint32_t> order(devices.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const int c = devices[a].id.str().compare(devices[b].id.str());
    return c < 0 || (c == 0 && a < b);
  });
  return order;
}

Status CheckDuplicates(const SplitInput& in, const std::vector<uint32_t>& order) {
  for (size_t k = 1; k < order.size(); ++k) {
    const SplitDevice& prev = in.devices[order[k - 1]];
    if (prev.id == in.devices[order[k]].id) {
      return Status::InvalidArgument(DeviceField(order[k], "id"),
                                     "'" + prev.id.str() + "' duplicates devices[" +
                                         std::to_string(order[k - 1]) +
                                         "].id; list each device once");
    }
  }
  return Status::Ok();
}

// (x / d, x mod d) for x ≥ 0, d > 0 with one division.
std::pair<Int128, Int128> DivMod(Int128 x, Int128 d) {
  const Int128 q = x / d;
  return {q, x - q * d};
}

// Closed epochs: labels `usage_pool` units of the jointly rounded totals as usage (split.h).
// On entry usage = ⌊U·a/A⌋ and part = total − usage ≥ ⌊Q·w/W⌋ = qp; moves units from part to
// usage, only ever from a device's units above qp, so participation never drops below qp.
void LabelUsage(Int128 usage_pool, const Quotas& q, const std::vector<Int128>& qp,
                const std::vector<Int128>& attributed, std::vector<Int128>& usage,
                std::vector<Int128>& part) {
  const size_t n = usage.size();
  Int128 left = usage_pool - std::accumulate(usage.begin(), usage.end(), Int128{0});
  if (left <= 0) return;
  // Stage 1: a device with a usage remainder that holds a rounded-up unit takes it as usage
  // (larger usage remainder first), so its usage is ⌈U·a/A⌉.
  std::vector<uint32_t> cand;
  for (size_t i = 0; i < n; ++i) {
    if (q.nu[i] > 0 && part[i] > qp[i]) cand.push_back(static_cast<uint32_t>(i));
  }
  std::sort(cand.begin(), cand.end(), [&](uint32_t x, uint32_t y) {
    return q.nu[x] > q.nu[y] || (q.nu[x] == q.nu[y] && x < y);
  });
  for (size_t k = 0; k < cand.size() && left > 0; ++k, --left) {
    usage[cand[k]] += 1;
    part[cand[k]] -= 1;
  }
  if (left == 0) return;
  // Stage 2: the devices with usage remainders hold fewer rounded-up units than are left, so
  // relabel other rounded-up units: attributed devices first, then larger excess. Σ (part − qp)
  // = Q + left − Σ qp ≥ left, so the excess always suffices.
  cand.clear();
  for (size_t i = 0; i < n; ++i) {
    if (part[i] > qp[i]) cand.push_back(static_cast<uint32_t>(i));
  }
  std::sort(cand.begin(), cand.end(), [&](uint32_t x, uint32_t y) {
    const bool ax = attributed[x] > 0, ay = attributed[y] > 0;
    if (ax != ay) return ax;
    const Int128 ex = part[x] - qp[x], ey = part[y] - qp[y];
    return ex > ey || (ex == ey && x < y);
  });
  for (uint32_t i : cand) {
    const Int128 take = std::min(left, part[i] - qp[i]);
    usage[i] += take;
    part[i] -= take;
    left -= take;
  }
}

}  // namespace

Status ValidateSplitInput(const SplitInput& in) {
  HEARTH_RETURN_IF_ERROR(ValidateFields(in));
  return CheckDuplicates(in, IdOrder(in.devices));
}

std::vector<int64_t> Apportion(int64_t pool, const std::vector<Int128>& weights) {
  std::vector<int64_t> out(weights.size(), 0);
  const Int128 total = std::accumulate(weights.begin(), weights.end(), Int128{0});
  if (pool <= 0 || total <= 0) return out;
  Quotas q(weights.size());
  q.a = total;
  for (size_t i = 0; i < weights.size(); ++i) {
    std::tie(q.base[i], q.nu[i]) = DivMod(static_cast<Int128>(pool) * weights[i], total);
  }
  auto shares = LargestRemainder(pool, FloorOf(q));
  if (!shares.ok()) return out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int64_t>((*shares)[i]);
  return out;
}

StatusOr<SplitResult> Split(const SplitInput& in) {
  HEARTH_RETURN_IF_ERROR(ValidateFields(in));
  const std::vector<uint32_t> order = IdOrder(in.devices);
  HEARTH_RETURN_IF_ERROR(CheckDuplicates(in, order));
  const int64_t revenue = in.revenue.micro();

  // Operator: fixed cost plus the fee, capped at the revenue. All terms ≤ 10^18, so the sum of
  // two fits in int64 and the product fits in Int128.
  const auto fee = static_cast<int64_t>(static_cast<Int128>(revenue) * in.op.fee_bps / kMaxBps);
  int64_t operator_share = std::min(revenue, in.op.fixed_cost.micro() + fee);
  const int64_t rest = revenue - operator_share;
  int64_t usage_pool =
      static_cast<int64_t>(static_cast<Int128>(rest) * in.usage_share_bps / kMaxBps);
  int64_t participation_pool = rest - usage_pool;

  // Devices in id order: the tie-break and the output order, independent of the input order.
  const size_t n = in.devices.size();
  std::vector<Int128> attributed(n), weight(n);
  Int128 attributed_total = 0, weight_total = 0;
  for (size_t k = 0; k < n; ++k) {
    const SplitDevice& d = in.devices[order[k]];
    if (!d.eligible) continue;
    attributed[k] = d.attributed_revenue.micro();
    weight[k] = static_cast<Int128>(d.capacity_weight) * d.online_seconds;
    attributed_total += attributed[k];
    weight_total += weight[k];
  }
  if (attributed_total == 0) {
    participation_pool += usage_pool;
    usage_pool = 0;
  }
  if (weight_total == 0) {
    operator_share += participation_pool;
    participation_pool = 0;
  }
  const Int128 pool = static_cast<Int128>(usage_pool) + participation_pool;

  // Exact shares e = (qu + nu/A) + (qp + np/W): U·a ≤ 10^36 and Q·w ≤ 10^35 fit in Int128.
  Quotas q(n);
  q.a = attributed_total > 0 ? attributed_total : 1;
  q.w = weight_total > 0 ? weight_total : 1;
  std::vector<Int128> qu(n), qp(n);
  for (size_t k = 0; k < n; ++k) {
    if (usage_pool > 0) std::tie(qu[k], q.nu[k]) = DivMod(usage_pool * attributed[k], q.a);
    if (participation_pool > 0) {
      std::tie(qp[k], q.np[k]) = DivMod(participation_pool * weight[k], q.w);
    }
    q.base[k] = qu[k] + qp[k];
  }
  const Floors floors = FloorOf(q);

  SplitResult r;
  r.carry = in.carry;
  std::vector<Int128> total, usage = qu, part(n), carry_out(n);
  if (!in.carry) {
    HEARTH_ASSIGN_OR_RETURN(total, LargestRemainder(pool, floors));
    for (size_t k = 0; k < n; ++k) part[k] = total[k] - usage[k];
    LabelUsage(usage_pool, q, qp, attributed, usage, part);
  } else {
    // Fine shares of the fractional parts: S·(nu/A + np/W − [rounded up]) as quotas again
    // (S·nu < 10^37 and S·np < 10^36 fit in Int128); their pool is S × the units left over.
    constexpr Int128 kS = kCarryScale;
    Quotas fine(n);
    fine.a = q.a;
    fine.w = q.w;
    Int128 left = pool;
    for (size_t k = 0; k < n; ++k) {
      Int128 gu = 0, gp = 0;
      std::tie(gu, fine.nu[k]) = DivMod(kS * q.nu[k], q.a);
      std::tie(gp, fine.np[k]) = DivMod(kS * q.np[k], q.w);
      fine.base[k] = gu + gp - kS * (floors.floor[k] - q.base[k]);
      left -= floors.floor[k];
    }
    HEARTH_ASSIGN_OR_RETURN(std::vector<Int128> phi, LargestRemainder(kS * left, FloorOf(fine)));
    total.resize(n);
    for (size_t k = 0; k < n; ++k) {
      const Int128 acc = phi[k] + in.devices[order[k]].carry_in;
      total[k] = floors.floor[k] + acc / kS;
      carry_out[k] = acc % kS;
      part[k] = total[k] - usage[k];
    }
  }

  r.allocations.reserve(n);
  Int128 paid = 0, paid_usage = 0, paid_part = 0;
  for (size_t k = 0; k < n; ++k) {
    r.allocations.push_back(Allocation{
        in.devices[order[k]].id, Amount::Micro(static_cast<int64_t>(usage[k])),
        Amount::Micro(static_cast<int64_t>(part[k])), Amount::Micro(static_cast<int64_t>(total[k])),
        static_cast<int64_t>(carry_out[k])});
    paid += total[k];
    paid_usage += usage[k];
    paid_part += part[k];
  }
  r.operator_share = Amount::Micro(operator_share);
  r.usage_pool = Amount::Micro(static_cast<int64_t>(paid_usage));
  r.participation_pool = Amount::Micro(static_cast<int64_t>(paid_part));
  r.carried = Amount::Micro(static_cast<int64_t>(pool - paid));
  return r;
}

}  // namespace hearth::rewards
