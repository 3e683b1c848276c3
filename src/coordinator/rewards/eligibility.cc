#include "coordinator/rewards/eligibility.h"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/amount.h"
#include "coordinator/rewards/split.h"

namespace hearth::rewards {
namespace {

bool MulOk(Int128& v, Int128 by) { return !__builtin_mul_overflow(v, by, &v); }

Int128 Pow(Int128 base, int exp) {
  Int128 v = 1;
  for (int i = 0; i < exp; ++i) v *= base;
  return v;
}

Eligibility No(std::string reason) {
  if (reason.size() > kMaxReasonLength) reason.resize(kMaxReasonLength);
  return {false, std::move(reason)};
}

// A capacity value as the Kubernetes API writes it (a quantity string) or a plain integer.
std::optional<int64_t> CapacityValue(const nlohmann::json& cap, const char* key, int64_t scale,
                                     std::string* text) {
  auto it = cap.find(key);
  if (it == cap.end()) return std::nullopt;
  if (it->is_number_integer()) {
    *text = it->dump();
    Int128 v = it->get<int64_t>();
    if (v < 0 || !MulOk(v, scale) || v > std::numeric_limits<int64_t>::max()) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (!it->is_string()) return std::nullopt;
  *text = it->get<std::string>();
  return ParseQuantity(*text, scale);
}

std::string Unverified(const std::string& detail) { return "hardware_unverified: " + detail; }

// The hardware check against Kubernetes' node capacity (see the header).
std::optional<std::string> HardwareMismatch(const agent::Inventory& inv,
                                            const std::string& k8s_json) {
  if (k8s_json.empty()) return std::nullopt;
  const auto j = nlohmann::json::parse(k8s_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Unverified("the Kubernetes node facts (k8s_json) are not an object");
  auto cap_it = j.find("capacity");
  if (cap_it == j.end() || cap_it->is_null()) return std::nullopt;  // no node capacity known
  if (!cap_it->is_object()) return Unverified("Kubernetes capacity is not an object");
  const nlohmann::json& cap = *cap_it;

  std::string text;
  const std::optional<int64_t> milli = CapacityValue(cap, "cpu", 1000, &text);
  if (!milli) return Unverified("Kubernetes capacity cpu is missing or not a quantity");
  const int64_t claimed_cpus = std::max(inv.cpu_cores, inv.cpu_threads);
  if (static_cast<Int128>(claimed_cpus) * 1000 > *milli) {
    return Unverified("the inventory claims " + std::to_string(claimed_cpus) +
                      " CPUs, Kubernetes reports capacity cpu " + text);
  }
  const std::optional<int64_t> bytes = CapacityValue(cap, "memory", 1, &text);
  if (!bytes) return Unverified("Kubernetes capacity memory is missing or not a quantity");
  if (static_cast<Int128>(inv.memory_bytes) * 100 >
      static_cast<Int128>(*bytes) * (100 + kMemoryTolerancePercent)) {
    return Unverified("the inventory claims " + std::to_string(inv.memory_bytes) +
                      " bytes of memory, Kubernetes reports capacity memory " + text);
  }
  struct GpuKey {
    const char* vendor;
    const char* resource;
    const char* name;
  };
  for (const GpuKey& g :
       {GpuKey{"nvidia", "nvidia.com/gpu", "NVIDIA"}, GpuKey{"amd", "amd.com/gpu", "AMD"}}) {
    int64_t claimed = 0;
    for (const agent::Gpu& gpu : inv.gpus) claimed += gpu.vendor == g.vendor ? 1 : 0;
    if (claimed == 0) continue;
    text = "0 (no " + std::string(g.resource) + ")";
    std::optional<int64_t> reported = 0;
    if (cap.contains(g.resource)) reported = CapacityValue(cap, g.resource, 1, &text);
    if (!reported)
      return Unverified(std::string("Kubernetes capacity ") + g.resource + " is not a quantity");
    if (claimed > *reported) {
      return Unverified("the inventory claims " + std::to_string(claimed) + " " + g.name +
                        " GPUs, Kubernetes reports " + g.resource + " " + text);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> ParseQuantity(const std::string& q, int64_t scale) {
  size_t i = 0;
  Int128 digits = 0;
  int frac = 0;
  bool any = false, dot = false;
  for (; i < q.size(); ++i) {
    const char c = q[i];
    if (c >= '0' && c <= '9') {
      if (!MulOk(digits, 10)) return std::nullopt;
      digits += c - '0';
      any = true;
      if (dot) ++frac;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any || frac > 30) return std::nullopt;
  const std::string suffix = q.substr(i);
  Int128 num = digits, den = Pow(10, frac);
  if (!MulOk(num, scale)) return std::nullopt;
  static const std::pair<const char*, int> kBinary[] = {{"Ki", 1}, {"Mi", 2}, {"Gi", 3},
                                                        {"Ti", 4}, {"Pi", 5}, {"Ei", 6}};
  static const std::pair<const char*, int> kDecimal[] = {{"n", -9}, {"u", -6}, {"m", -3},
                                                         {"k", 3},  {"M", 6},  {"G", 9},
                                                         {"T", 12}, {"P", 15}, {"E", 18}};
  int exp10 = 0;
  bool known = suffix.empty();
  for (const auto& [s, k] : kBinary) {
    if (suffix == s) {
      if (!MulOk(num, Pow(1024, k))) return std::nullopt;
      known = true;
    }
  }
  for (const auto& [s, k] : kDecimal) {
    if (suffix == s) {
      exp10 = k;
      known = true;
    }
  }
  if (!known && suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    const char* first = suffix.data() + (suffix[1] == '+' ? 2 : 1);
    const char* last = suffix.data() + suffix.size();
    int e = 0;
    const auto [end, ec] = std::from_chars(first, last, e);
    if (ec != std::errc() || end != last || first == last || e < -30 || e > 30) {
      return std::nullopt;
    }
    exp10 = e;
    known = true;
  }
  if (!known) return std::nullopt;
  if (exp10 > 0 && !MulOk(num, Pow(10, exp10))) return std::nullopt;
  if (exp10 < 0) den *= Pow(10, -exp10);
  const Int128 v = num / den;
  if (v > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return static_cast<int64_t>(v);
}

Eligibility EligibilityFor(const EligibilityFacts& f, Timestamp epoch_start, Timestamp epoch_end,
                           Duration probation) {
  if (f.admin_state == "banned" && (!f.admin_state_at || *f.admin_state_at < epoch_end)) {
    return No("banned: " + (f.admin_state_at ? "since " + FormatRfc3339(*f.admin_state_at)
                                             : std::string("by an admin")));
  }
  if (!f.inventory.ok()) {
    return No(Unverified("the stored inventory does not parse: " + f.inventory.status().message()));
  }
  if (auto mismatch = HardwareMismatch(*f.inventory, f.k8s_json)) return No(*mismatch);
  if (f.enrolled_at + probation > epoch_start) {
    return No("probation: enrolled " + FormatRfc3339(f.enrolled_at) +
              ", earns from the epoch starting at or after " +
              FormatRfc3339(f.enrolled_at + probation));
  }
  return {};
}

}  // namespace hearth::rewards
