#include "coordinator/rewards/leases.h"

#include <algorithm>
#include <limits>
#include <string>

namespace hearth::rewards {
namespace {

constexpr int kDecimals = 18;  // Cosmos DecCoin precision

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Heights and sequence numbers arrive as strings ("123") or numbers.
StatusOr<int64_t> Height(const nlohmann::json& obj, const std::string& key,
                         const std::string& field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return int64_t{0};
  if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  if (it->is_number_integer() && it->get<int64_t>() >= 0) return it->get<int64_t>();
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    if (!s.empty() && s.size() <= 18 && AllDigits(s)) {
      return static_cast<int64_t>(std::stoll(s));
    }
  }
  return Status::InvalidArgument(field, "must be a block height (a non-negative integer string)");
}

std::string Text(const nlohmann::json& obj, const std::string& key) {
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return "";
}

// "12.5" → 12.5 × 10^18 as an integer.
StatusOr<Int128> ParseDec(const std::string& s, const std::string& field) {
  const auto dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || frac.size() > kDecimals || !AllDigits(whole) ||
      !AllDigits(frac)) {
    return Status::InvalidArgument(field, "must be a non-negative decimal string such as \"12.5\"");
  }
  frac.append(kDecimals - frac.size(), '0');
  Int128 v = 0;
  for (char c : whole + frac) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

nlohmann::json EpochLeaseRevenue::ToJson() const {
  nlohmann::json leases_j = nlohmann::json::array();
  for (const LeaseRevenue& l : leases) {
    leases_j.push_back(
        {{"lease_id", l.lease_id}, {"blocks", l.blocks}, {"amount", l.amount.micro()}});
  }
  return {{"total", total.micro()}, {"leases", std::move(leases_j)}};
}

StatusOr<EpochLeaseRevenue> RevenueFromLeases(const nlohmann::json& lease_list,
                                              int64_t start_height, int64_t end_height,
                                              const std::string& denom) {
  // Bounds keep price (< 10^30 after scaling) × blocks (≤ 10^7) inside Int128.
  if (start_height < 0 || end_height <= start_height || end_height - start_height > 10'000'000) {
    return Status::InvalidArgument("start_height",
                                   "the block window must be non-empty (start < end) and at "
                                   "most 10,000,000 blocks");
  }
  if (!lease_list.is_object() || !lease_list.contains("leases") ||
      !lease_list["leases"].is_array()) {
    return Status::InvalidArgument("leases", "must be the Akash lease list: {\"leases\":[...]}");
  }
  EpochLeaseRevenue out;
  Int128 total = 0;
  const auto& arr = lease_list["leases"];
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string f = "leases[" + std::to_string(i) + "].lease";
    if (!arr[i].is_object() || !arr[i].contains("lease") || !arr[i]["lease"].is_object()) {
      return Status::InvalidArgument(f, "is required (an object)");
    }
    const nlohmann::json& l = arr[i]["lease"];
    const nlohmann::json id = l.value("lease_id", nlohmann::json::object());
    if (!id.is_object()) return Status::InvalidArgument(f + ".lease_id", "must be an object");
    const std::string lease_id = Text(id, "owner") + "/" + Text(id, "dseq") + "/" +
                                 Text(id, "gseq") + "/" + Text(id, "oseq") + "/" +
                                 Text(id, "provider");
    const nlohmann::json price = l.value("price", nlohmann::json::object());
    if (!price.is_object()) return Status::InvalidArgument(f + ".price", "must be an object");
    if (Text(price, "denom") != denom) {
      return Status::InvalidArgument(
          f + ".price.denom", "is '" + Text(price, "denom") + "'; only " + denom + " is counted");
    }
    HEARTH_ASSIGN_OR_RETURN(Int128 per_block, ParseDec(Text(price, "amount"), f + ".price.amount"));
    HEARTH_ASSIGN_OR_RETURN(int64_t created, Height(l, "created_at", f + ".created_at"));
    HEARTH_ASSIGN_OR_RETURN(int64_t closed, Height(l, "closed_on", f + ".closed_on"));
    const int64_t open_end = closed == 0 ? std::numeric_limits<int64_t>::max() : closed;
    const int64_t from = std::max(created, start_height);
    const int64_t to = std::min(open_end, end_height);
    if (to <= from) continue;
    const int64_t blocks = to - from;
    Int128 scale = 1;
    for (int k = 0; k < kDecimals; ++k) scale *= 10;
    const Int128 micro = per_block * blocks / scale;
    if (micro > kMaxAmount)
      return Status::InvalidArgument(f + ".price.amount", "is implausibly large");
    total += micro;
    if (total > kMaxAmount)
      return Status::InvalidArgument("leases", "sum to an implausible amount");
    out.leases.push_back({lease_id, blocks, Amount::Micro(static_cast<int64_t>(micro))});
  }
  out.total = Amount::Micro(static_cast<int64_t>(total));
  return out;
}

}  // namespace hearth::rewards
