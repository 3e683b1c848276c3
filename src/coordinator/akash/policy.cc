#include "coordinator/akash/policy.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "coordinator/akash/quantity.h"

namespace hearth::akash {
namespace {

// 128-bit fixed point keeps prices exact; __extension__ silences -Wpedantic.
__extension__ typedef __int128 Int128;  // NOLINT(modernize-use-using)

constexpr long double kGiB = 1024.0L * 1024.0L * 1024.0L;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool AnyModel(const std::string& m) { return m.empty() || m == "*"; }

// Fleet GPU models that satisfy `r` (any listed model; none listed = any GPU).
std::vector<const api::GpuModelCount*> MatchingGpus(const ResourceReq& r,
                                                    const api::FleetSnapshot& fleet) {
  std::vector<const api::GpuModelCount*> out;
  for (const auto& g : fleet.gpus) {
    bool ok = r.gpu_models.empty();
    for (const auto& want : r.gpu_models) {
      if (Lower(want.vendor) == Lower(g.vendor) &&
          (AnyModel(want.model) || Lower(want.model) == Lower(g.model))) {
        ok = true;
      }
    }
    if (ok) out.push_back(&g);
  }
  return out;
}

std::string Wanted(const ResourceReq& r) {
  if (r.gpu_models.empty()) return "any GPU";
  std::string s;
  for (const auto& m : r.gpu_models) {
    if (!s.empty()) s += " or ";
    s += m.vendor + " " + (AnyModel(m.model) ? "(any model)" : m.model);
  }
  return s;
}

std::string Present(const api::FleetSnapshot& fleet) {
  if (fleet.gpus.empty()) return "no GPUs are online";
  std::string s = "online: ";
  for (size_t i = 0; i < fleet.gpus.size(); ++i) {
    if (i) s += ", ";
    s += fleet.gpus[i].vendor + " " + fleet.gpus[i].model + " ×" +
         std::to_string(fleet.gpus[i].units);
  }
  return s;
}

std::string FormatScaled(Int128 v, int precision) {
  std::string digits;
  if (v == 0) digits = "0";
  while (v > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  if (precision == 0) return digits;
  while (static_cast<int>(digits.size()) <= precision) digits.insert(digits.begin(), '0');
  return digits.substr(0, digits.size() - precision) + "." +
         digits.substr(digits.size() - precision);
}

// A decimal string scaled by 10^precision, truncating extra digits; saturates at 10^37.
Int128 Scaled(const std::string& s, int precision) {
  Int128 v = 0;
  const Int128 cap = static_cast<Int128>(1e37L);
  bool frac = false;
  int frac_digits = 0;
  for (char c : s) {
    if (c == '.') {
      frac = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (frac) {
      if (frac_digits == precision) break;
      ++frac_digits;
    }
    if (v < cap) v = v * 10 + (c - '0');
  }
  for (; frac_digits < precision; ++frac_digits) {
    if (v < cap) v *= 10;
  }
  return v;
}

}  // namespace

void CheckResource(const ResourceReq& r, const EdgePolicy& policy, const api::FleetSnapshot& fleet,
                   const std::string& service, const std::string& label,
                   std::vector<api::CheckReason>* out) {
  const auto add = [&](const char* code, const std::string& msg) {
    out->push_back({code, service, label + ": " + msg});
  };
  if (r.ip_lease_quantity > 0 && !policy.ip_leases) {
    add("ip_lease", "needs " + std::to_string(r.ip_lease_quantity) +
                        " leased IP endpoint(s); home devices sit behind NAT and cannot hold a "
                        "public IP — expose the service through the shared HTTP ingress "
                        "(global: true without `ip:`) instead");
  }
  int64_t persistent = 0, ram = 0;
  for (const auto& s : r.storage) {
    if (s.klass == "ram") ram += s.size_bytes;
    if (!s.persistent()) continue;
    persistent += s.size_bytes;
    if (!policy.persistent_classes.count(s.klass)) {
      add("persistent_storage",
          "asks for persistent storage of class '" + s.klass + "' (" + FormatBytes(s.size_bytes) +
              "), which " +
              (policy.persistent_classes.empty()
                   ? std::string("this edge region does not offer; home devices come and go — use "
                                 "ephemeral storage")
                   : "this region does not offer"));
    }
  }
  if (persistent > 0 && !policy.persistent_classes.empty() &&
      persistent > policy.persistent_max_bytes) {
    add("persistent_storage",
        "asks for " + FormatBytes(persistent) +
            " of persistent storage per replica; this region allows at most " +
            FormatBytes(policy.persistent_max_bytes));
  }
  if (policy.ram_max_bytes && ram > *policy.ram_max_bytes) {
    add("too_large", "asks for " + FormatBytes(ram) + " of ram-class storage; at most " +
                         FormatBytes(*policy.ram_max_bytes) + " is allowed here");
  }
  if (fleet.devices_online == 0) {
    add("too_large", "region '" + fleet.region + "' has no online device to run it");
    return;
  }
  if (r.cpu_millicores > fleet.largest_cpu_millicores) {
    add("too_large", "asks for " + FormatCores(r.cpu_millicores) +
                         " CPUs per replica; the largest online device has " +
                         FormatCores(fleet.largest_cpu_millicores));
  }
  if (r.memory_bytes > fleet.largest_memory_bytes) {
    add("too_large", "asks for " + FormatBytes(r.memory_bytes) +
                         " of memory per replica; the largest online device has " +
                         FormatBytes(fleet.largest_memory_bytes));
  }
  if (r.gpu_units > 0) {
    const auto matches = MatchingGpus(r, fleet);
    if (matches.empty()) {
      add("gpu_unavailable", "asks for " + Wanted(r) + "; " + Present(fleet));
    } else {
      int64_t most = 0;
      for (const auto* g : matches) most = std::max(most, g->max_units_per_device);
      if (r.gpu_units > most) {
        add("too_large", "asks for " + std::to_string(r.gpu_units) +
                             " GPUs per replica; no online device has more than " +
                             std::to_string(most) + " matching GPU(s)");
      }
    }
  }
}

int CompareDecimal(const std::string& a, const std::string& b, int precision) {
  const Int128 x = Scaled(a, precision), y = Scaled(b, precision);
  return x < y ? -1 : (x > y ? 1 : 0);
}

StatusOr<std::string> PriceOrder(const Order& o, const PriceTable& t,
                                 const api::FleetSnapshot& fleet) {
  long double total = 0;
  for (size_t i = 0; i < o.resources.size(); ++i) {
    const ResourceReq& r = o.resources[i];
    const std::string label = "resources[" + std::to_string(i) + "]";
    long double unit = static_cast<long double>(r.cpu_millicores) / 1000.0L * t.cpu_per_core +
                       static_cast<long double>(r.memory_bytes) / kGiB * t.memory_per_gib;
    for (const auto& s : r.storage) {
      auto rate = t.storage_per_gib.find(s.klass);
      long double per_gib = 0;
      if (rate != t.storage_per_gib.end()) {
        per_gib = rate->second;
      } else if (s.klass == "ram") {
        per_gib = t.memory_per_gib;  // ram-class storage is memory
      } else if (s.klass != "ephemeral" && s.size_bytes > 0) {
        return Status::FailedPrecondition(
            "no_price", label + ": no storage_per_gib rate for class '" + s.klass + "'");
      }
      unit += static_cast<long double>(s.size_bytes) / kGiB * per_gib;
    }
    if (r.gpu_units > 0) {
      // Price the dearest acceptable model that is online (we cannot know which one the
      // scheduler picks); "*" covers models without their own rate.
      std::optional<long double> gpu_rate;
      for (const auto& g : fleet.gpus) {
        bool acceptable = r.gpu_models.empty();
        for (const auto& want : r.gpu_models) {
          if (Lower(want.vendor) == Lower(g.vendor) &&
              (AnyModel(want.model) || Lower(want.model) == Lower(g.model))) {
            acceptable = true;
          }
        }
        if (!acceptable) continue;
        auto it = t.gpu_per_unit.find(g.model);
        if (it == t.gpu_per_unit.end()) it = t.gpu_per_unit.find("*");
        if (it != t.gpu_per_unit.end()) gpu_rate = std::max(gpu_rate.value_or(0), it->second);
      }
      if (!gpu_rate) {
        auto any = t.gpu_per_unit.find("*");
        if (any == t.gpu_per_unit.end()) {
          return Status::FailedPrecondition("no_price",
                                            label + ": no gpu_per_unit rate for " + Wanted(r));
        }
        gpu_rate = any->second;
      }
      unit += static_cast<long double>(r.gpu_units) * *gpu_rate;
    }
    total += unit * static_cast<long double>(r.count) +
             static_cast<long double>(r.endpoint_quantity) * t.endpoint;
  }
  const long double scaled = std::ceil(total * std::pow(10.0L, o.precision));
  if (!std::isfinite(scaled) || scaled > 1e36L) {
    return Status(Code::kResourceExhausted, "the order is too large to price", "too_large");
  }
  Int128 v = static_cast<Int128>(scaled);
  if (v < 1) v = 1;  // never zero: the smallest positive amount at this precision
  return FormatScaled(v, o.precision);
}

std::string Decision::ReasonLine() const {
  std::string s;
  for (const auto& r : reasons) {
    if (!s.empty()) s += "; ";
    s += r.code + ": " + r.message;
  }
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

Decision Decide(const Order& o, const RegionConfig& region, const api::FleetSnapshot& fleet) {
  Decision d;
  for (size_t i = 0; i < o.resources.size(); ++i) {
    CheckResource(o.resources[i], region.policy, fleet, "", "resources[" + std::to_string(i) + "]",
                  &d.reasons);
  }
  if (!d.reasons.empty()) return d;
  auto table = region.policy.prices.find(o.denom);
  if (table == region.policy.prices.end()) {
    d.reasons.push_back({"no_price", "",
                         "no prices for denomination '" + o.denom + "' in region '" + region.id +
                             "'; add regions." + region.id + ".prices." + o.denom +
                             " to the Akash config"});
    return d;
  }
  auto price = PriceOrder(o, table->second, fleet);
  if (!price.ok()) {
    d.reasons.push_back({price.status().reason(), "", price.status().message()});
    return d;
  }
  if (!o.max_amount.empty() && !region.policy.bid_above_max &&
      CompareDecimal(*price, o.max_amount, o.precision) > 0) {
    d.reasons.push_back({"over_max_price", "",
                         "our price " + *price + " " + o.denom +
                             " per block exceeds the tenant's maximum " + o.max_amount});
    return d;
  }
  d.bid = true;
  d.price = *price;
  return d;
}

}  // namespace hearth::akash

namespace hearth::akash {
std::string SumDecimal(const std::vector<std::pair<std::string, int64_t>>& terms) {
  Int128 sum = 0;
  const Int128 cap = static_cast<Int128>(1e37L);
  for (const auto& [amount, count] : terms) {
    const Int128 a = Scaled(amount, 18);
    if (count > 0 && a > cap / count) return FormatScaled(cap, 18);
    sum += a * count;
    if (sum > cap) sum = cap;
  }
  return FormatScaled(sum, 18);
}
}  // namespace hearth::akash
