#include "coordinator/kube/attribution.h"

#include <algorithm>
#include <set>

#include "coordinator/akash/quantity.h"

namespace hearth::kube {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

std::string Label(const nlohmann::json& labels, const std::string& key) {
  if (!labels.is_object() || !labels.contains(key) || !labels[key].is_string()) return "";
  return labels[key].get<std::string>();
}

// One resource of a container: its request, else its limit.
std::string Quantity(const nlohmann::json& resources, const std::string& name) {
  for (const char* kind : {"requests", "limits"}) {
    if (resources.contains(kind) && resources[kind].is_object() && resources[kind].contains(name)) {
      const auto& v = resources[kind][name];
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number()) return v.dump();
    }
  }
  return "";
}

int64_t Weight(const store::PodRun& r, const ShareWeights& w) {
  const Int128 milli = Int128{r.cpu_millis} * w.per_cpu_core +
                       Int128{r.memory_bytes} * w.per_memory_gib * 1000 / kGiB +
                       Int128{r.gpus} * w.per_gpu * 1000;
  // A pod without requests still ran: it counts as the smallest weight.
  return std::max<int64_t>(1, static_cast<int64_t>(std::min<Int128>(milli, int64_t{1} << 40)));
}

// Splits `total` by `weights` (largest remainder; ties to the earlier entry). Sums to `total`.
std::vector<int64_t> Apportion(int64_t total, const std::vector<int64_t>& weights) {
  std::vector<int64_t> out(weights.size(), 0);
  Int128 sum = 0;
  for (int64_t w : weights) sum += w;
  if (sum == 0 || total == 0) return out;
  std::vector<std::pair<Int128, size_t>> rest;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Int128 p = Int128{total} * weights[i];
    out[i] = static_cast<int64_t>(p / sum);
    given += out[i];
    rest.emplace_back(p % sum, i);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total && k < rest.size(); ++k, ++given) ++out[rest[k].second];
  return out;
}

}  // namespace

std::optional<std::string> LeaseIdFromLabels(const nlohmann::json& labels) {
  std::string id;
  for (const char* part : {"owner", "dseq", "gseq", "oseq", "provider"}) {
    const std::string v = Label(labels, std::string("akash.network/lease.id.") + part);
    if (v.empty()) return std::nullopt;
    id += (id.empty() ? "" : "/") + v;
  }
  return id;
}

PodRequests RequestsOf(const nlohmann::json& pod) {
  PodRequests out;
  if (!pod.contains("spec") || !pod["spec"].contains("containers") ||
      !pod["spec"]["containers"].is_array()) {
    return out;
  }
  for (const auto& c : pod["spec"]["containers"]) {
    if (!c.is_object() || !c.contains("resources") || !c["resources"].is_object()) continue;
    const auto& res = c["resources"];
    if (auto cpu = akash::ParseCpuQuantity(Quantity(res, "cpu"), "cpu"); cpu.ok()) {
      out.cpu_millis += *cpu;
    }
    if (auto mem = akash::ParseByteQuantity(Quantity(res, "memory"), "memory"); mem.ok()) {
      out.memory_bytes += *mem;
    }
    for (const char* gpu : {"nvidia.com/gpu", "amd.com/gpu"}) {
      const std::string q = Quantity(res, gpu);
      if (!q.empty() && q.size() < 10 && q.find_first_not_of("0123456789") == std::string::npos) {
        out.gpus += std::stoll(q);
      }
    }
  }
  return out;
}

std::vector<LeaseShares> SharesOf(const std::vector<store::PodRun>& runs, Timestamp from,
                                  Timestamp to, const ShareWeights& weights) {
  // lease → device → share
  std::map<std::string, std::map<DeviceId, DeviceShare, store::IdTextLess>> acc;
  for (const store::PodRun& r : runs) {
    const Timestamp a = std::max(r.started_at, from);
    const Timestamp b = std::min(r.stopped_at.value_or(to), to);
    if (b <= a) continue;
    const int64_t ms = (b - a).count();
    DeviceShare& s = acc[r.lease_id][r.device_id];
    s.device_id = r.device_id;
    s.run_ms += ms;
    s.weighted += ms * Weight(r, weights);
    s.pods.push_back(r.ns + "/" + r.name);
  }
  std::vector<LeaseShares> out;
  for (auto& [lease, devices] : acc) {
    LeaseShares ls;
    ls.lease_id = lease;
    std::vector<int64_t> w;
    for (auto& [id, s] : devices) {
      std::sort(s.pods.begin(), s.pods.end());
      s.pods.erase(std::unique(s.pods.begin(), s.pods.end()), s.pods.end());
      w.push_back(s.weighted);
      ls.devices.push_back(std::move(s));
    }
    const std::vector<int64_t> ppm = Apportion(kShareScale, w);
    for (size_t i = 0; i < ls.devices.size(); ++i) ls.devices[i].share_ppm = ppm[i];
    out.push_back(std::move(ls));
  }
  return out;
}

std::map<DeviceId, Amount, store::IdTextLess> SplitByShares(const LeaseShares& lease,
                                                            Amount amount) {
  std::vector<int64_t> w;
  for (const DeviceShare& s : lease.devices) w.push_back(s.weighted);
  const std::vector<int64_t> parts = Apportion(amount.micro(), w);
  std::map<DeviceId, Amount, store::IdTextLess> out;
  for (size_t i = 0; i < lease.devices.size(); ++i) {
    if (parts[i] != 0) out[lease.devices[i].device_id] = Amount::Micro(parts[i]);
  }
  return out;
}

std::map<DeviceId, Amount, store::IdTextLess> AttributeLeaseRevenue(
    const nlohmann::json& lease_detail, const std::vector<store::PodRun>& runs, Timestamp from,
    Timestamp to, const ShareWeights& weights) {
  std::map<DeviceId, Amount, store::IdTextLess> out;
  if (!lease_detail.is_object() || !lease_detail.contains("leases") ||
      !lease_detail["leases"].is_array()) {
    return out;
  }
  std::map<std::string, LeaseShares> by_lease;
  for (LeaseShares& s : SharesOf(runs, from, to, weights)) by_lease[s.lease_id] = std::move(s);
  for (const auto& l : lease_detail["leases"]) {
    if (!l.is_object() || !l.contains("lease_id") || !l["lease_id"].is_string() ||
        !l.contains("amount") || !l["amount"].is_number_integer()) {
      continue;
    }
    auto it = by_lease.find(l["lease_id"].get<std::string>());
    const int64_t amount = l["amount"].get<int64_t>();
    if (it == by_lease.end() || amount <= 0) continue;
    for (const auto& [device, a] : SplitByShares(it->second, Amount::Micro(amount))) {
      out[device] += a;
    }
  }
  return out;
}

nlohmann::json EncodeShares(const std::vector<LeaseShares>& shares) {
  nlohmann::json out = nlohmann::json::array();
  for (const LeaseShares& l : shares) {
    nlohmann::json devices = nlohmann::json::array();
    for (const DeviceShare& d : l.devices) {
      devices.push_back({{"device_id", d.device_id.str()},
                         {"share_ppm", d.share_ppm},
                         {"share", static_cast<double>(d.share_ppm) / kShareScale},
                         {"pod_seconds", d.run_ms / 1000},
                         {"weighted", d.weighted},
                         {"pods", d.pods}});
    }
    out.push_back({{"lease_id", l.lease_id}, {"devices", devices}});
  }
  return out;
}

}  // namespace hearth::kube
