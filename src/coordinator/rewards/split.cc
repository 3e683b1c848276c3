#include "coordinator/rewards/split.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace hearth::rewards {
namespace {

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
  for (size_t i = 0; i < in.devices.size(); ++i) {
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
  }
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

}  // namespace

Status ValidateSplitInput(const SplitInput& in) {
  HEARTH_RETURN_IF_ERROR(ValidateFields(in));
  return CheckDuplicates(in, IdOrder(in.devices));
}

std::vector<int64_t> Apportion(int64_t pool, const std::vector<Int128>& weights) {
  std::vector<int64_t> out(weights.size(), 0);
  const Int128 total = std::accumulate(weights.begin(), weights.end(), Int128{0});
  if (pool <= 0 || total <= 0) return out;
  std::vector<Int128> rem(weights.size());
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Int128 product = static_cast<Int128>(pool) * weights[i];
    out[i] = static_cast<int64_t>(product / total);
    rem[i] = product % total;
    given += out[i];
  }
  // Σ floor ≥ pool − (n − 1): fewer than n units left, each to a distinct largest remainder.
  const auto left = static_cast<size_t>(pool - given);
  if (left == 0) return out;
  std::vector<uint32_t> idx;
  idx.reserve(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    if (rem[i] > 0) idx.push_back(static_cast<uint32_t>(i));
  }
  auto better = [&](uint32_t a, uint32_t b) {
    return rem[a] > rem[b] || (rem[a] == rem[b] && a < b);
  };
  std::nth_element(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(left - 1), idx.end(), better);
  for (size_t k = 0; k < left; ++k) out[idx[k]] += 1;
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

  std::vector<Int128> usage_w(n), part_w(n);
  Int128 usage_total = 0, part_total = 0;
  for (size_t k = 0; k < n; ++k) {
    const SplitDevice& d = in.devices[order[k]];
    if (!d.eligible) continue;
    usage_w[k] = d.attributed_revenue.micro();
    part_w[k] = static_cast<Int128>(d.capacity_weight) * d.online_seconds;
    usage_total += usage_w[k];
    part_total += part_w[k];
  }
  if (usage_total == 0) {
    participation_pool += usage_pool;
    usage_pool = 0;
  }
  if (part_total == 0) {
    operator_share += participation_pool;
    participation_pool = 0;
  }

  const std::vector<int64_t> usage = Apportion(usage_pool, usage_w);
  const std::vector<int64_t> part = Apportion(participation_pool, part_w);

  SplitResult r;
  r.operator_share = Amount::Micro(operator_share);
  r.usage_pool = Amount::Micro(usage_pool);
  r.participation_pool = Amount::Micro(participation_pool);
  r.allocations.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    r.allocations.push_back(Allocation{in.devices[order[k]].id, Amount::Micro(usage[k]),
                                       Amount::Micro(part[k]), Amount::Micro(usage[k] + part[k])});
  }
  return r;
}

}  // namespace hearth::rewards
