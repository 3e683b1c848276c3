#include "coordinator/placement/placement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace hearth::placement {

std::string_view HardwarePolicyName(HardwarePolicy p) {
  switch (p) {
    case HardwarePolicy::kMixed:
      return "mixed";
    case HardwarePolicy::kGpuOnly:
      return "gpu-only";
    case HardwarePolicy::kCpuOnly:
      return "cpu-only";
  }
  return "mixed";
}

std::optional<HardwarePolicy> ParseHardwarePolicy(std::string_view s) {
  if (s == "mixed") return HardwarePolicy::kMixed;
  if (s == "gpu-only") return HardwarePolicy::kGpuOnly;
  if (s == "cpu-only") return HardwarePolicy::kCpuOnly;
  return std::nullopt;
}

bool ValidGeoPoint(const GeoPoint& p) {
  return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90 && p.lat <= 90 &&
         p.lon >= -180 && p.lon <= 180;
}

double DistanceKm(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kEarthRadiusKm = 6371.0088;
  constexpr double kRad = M_PI / 180.0;
  double dlat = (b.lat - a.lat) * kRad;
  double dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat * kRad) *
                                                           std::cos(b.lat * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

double Median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  size_t mid = samples.size() / 2;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(mid),
                   samples.end());
  double hi = samples[mid];
  if (samples.size() % 2 == 1) return hi;
  double lo =
      *std::max_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2;
}

namespace {

bool Accepts(HardwarePolicy p, HardwareClass c) {
  switch (p) {
    case HardwarePolicy::kMixed:
      return true;
    case HardwarePolicy::kGpuOnly:
      return c == HardwareClass::kGpu;
    case HardwarePolicy::kCpuOnly:
      return c == HardwareClass::kCpu;
  }
  return false;
}

bool HasCapacity(const Candidate& r) { return r.max_workers <= 0 || r.used < r.max_workers; }

bool Serves(const Candidate& r, const std::string& country) {
  return std::find(r.countries.begin(), r.countries.end(), country) != r.countries.end();
}

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// One stage of evidence: each region it can judge gets a metric (lower is better; within
// `bound` is acceptable). The best acceptable region wins, ties by id; otherwise the reason the
// judged regions were all refused.
struct Stage {
  std::string evidence;  // "rtt", "geoip_location", ...
  std::string unit;      // "ms", "km", ""
  double bound = 0;      // <= 0: no bound
  std::vector<std::pair<const Candidate*, double>> judged;
};

struct StageResult {
  std::optional<Decision> placed;
  std::string refusal;  // when not placed and something was judged
  std::string detail;
};

StageResult Judge(const Stage& s, HardwareClass hw) {
  StageResult out;
  const Candidate* best = nullptr;
  double best_metric = 0;
  bool any_in_bound = false, any_hw = false;
  for (const auto& [r, metric] : s.judged) {
    if (s.bound > 0 && metric > s.bound) continue;
    any_in_bound = true;
    if (!Accepts(r->policy, hw)) continue;
    any_hw = true;
    if (!HasCapacity(*r)) continue;
    if (best == nullptr || metric < best_metric || (metric == best_metric && r->id < best->id)) {
      best = r;
      best_metric = metric;
    }
  }
  if (best != nullptr) {
    Decision d;
    d.region = best->id;
    d.reason = s.evidence;
    d.evidence = s.evidence;
    d.metric = best_metric;
    d.detail = s.unit.empty()
                   ? "region " + best->id + " serves the " + s.evidence + " of the device"
                   : "region " + best->id + " is the closest acceptable region by " + s.evidence +
                         " (" + Fmt(best_metric) + " " + s.unit + ")";
    out.placed = d;
    return out;
  }
  if (s.judged.empty()) return out;
  if (!any_in_bound) {
    double nearest = s.judged.front().second;
    for (const auto& j : s.judged) nearest = std::min(nearest, j.second);
    out.refusal = "out_of_bound";
    out.detail = "the nearest region by " + s.evidence + " is " + Fmt(nearest) + " " + s.unit +
                 " away, beyond the bound of " + Fmt(s.bound) + " " + s.unit;
  } else if (!any_hw) {
    out.refusal = "hardware_not_accepted";
    out.detail = "no region near the device accepts its hardware class";
  } else {
    out.refusal = "no_capacity";
    out.detail = "every acceptable region near the device is full";
  }
  return out;
}

}  // namespace

Decision Place(const std::vector<Candidate>& regions, const Evidence& evidence,
               const Bounds& bounds) {
  if (regions.empty()) {
    return {std::nullopt, "no_active_region", "there is no active region yet", "", 0};
  }
  // RTT: the best gateway's median per region. A region measured is judged by RTT alone.
  std::map<std::string, double> rtt;
  for (const RttProbe& p : evidence.rtt) {
    if (p.samples_ms.empty()) continue;
    double m = Median(p.samples_ms);
    auto [it, inserted] = rtt.emplace(p.region, m);
    if (!inserted) it->second = std::min(it->second, m);
  }
  std::vector<Stage> stages;
  Stage by_rtt{"rtt", "ms", bounds.max_rtt_ms, {}};
  Stage by_location{"geoip_location", "km", bounds.max_distance_km, {}};
  Stage by_geo_country{"geoip_country", "", 0, {}};
  Stage by_declared{"declared_country", "", 0, {}};
  for (const Candidate& r : regions) {
    if (auto it = rtt.find(r.id); it != rtt.end()) {
      by_rtt.judged.emplace_back(&r, it->second);
      continue;
    }
    if (evidence.geoip_location && ValidGeoPoint(*evidence.geoip_location)) {
      by_location.judged.emplace_back(&r, DistanceKm(*evidence.geoip_location, r.centre));
    }
    if (evidence.geoip_country && Serves(r, *evidence.geoip_country)) {
      by_geo_country.judged.emplace_back(&r, 0);
    }
    if (evidence.declared_country && Serves(r, *evidence.declared_country)) {
      by_declared.judged.emplace_back(&r, 0);
    }
  }
  std::optional<StageResult> first_refusal;
  for (const Stage* s : {&by_rtt, &by_location, &by_geo_country, &by_declared}) {
    StageResult res = Judge(*s, evidence.hardware);
    if (res.placed) return *res.placed;
    if (!res.refusal.empty() && !first_refusal) first_refusal = res;
  }
  if (first_refusal) {
    return {std::nullopt, first_refusal->refusal, first_refusal->detail, "", 0};
  }
  bool any_country = evidence.geoip_country || evidence.declared_country;
  if (any_country) {
    return {std::nullopt, "no_region_serves",
            "no active region serves the device's country and no other evidence places it", "", 0};
  }
  return {std::nullopt, "no_evidence",
          "the device sent no RTT measurements and has no known location or country", "", 0};
}

std::string WaitlistCell(const std::optional<std::string>& country,
                         const std::optional<GeoPoint>& location) {
  std::string c = country && !country->empty() ? *country : "ZZ";
  if (!location || !ValidGeoPoint(*location)) return c + "/-/-";
  auto lat = static_cast<int>(std::floor(location->lat));
  auto lon = static_cast<int>(std::floor(location->lon));
  return c + "/" + std::to_string(lat) + "/" + std::to_string(lon);
}

}  // namespace hearth::placement
