#include "coordinator/akash/availability.h"

#include <algorithm>
#include <ctime>
#include <map>

namespace hearth::akash {
namespace {

int64_t Ms(Timestamp t) { return ToUnixMillis(t); }

// Milliseconds of [from, to) covered by the union of `spans` (sorted by start here).
int64_t Covered(std::vector<std::pair<int64_t, int64_t>> spans, int64_t from, int64_t to) {
  std::sort(spans.begin(), spans.end());
  int64_t covered = 0;
  int64_t reach = from;  // everything before `reach` is already counted
  for (auto [s, e] : spans) {
    s = std::max(s, reach);
    e = std::min(e, to);
    if (e <= s) continue;
    covered += e - s;
    reach = e;
  }
  return covered;
}

std::string UtcDate(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Availability ComputeAvailability(const std::vector<store::Device>& devices,
                                 const std::vector<store::UptimeInterval>& intervals, Timestamp now,
                                 Duration window) {
  const int64_t end = Ms(now);
  const int64_t start = end - std::chrono::duration_cast<std::chrono::milliseconds>(window).count();
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> spans;
  for (const auto& iv : intervals) spans[iv.device_id.str()].push_back({Ms(iv.start), Ms(iv.end)});
  Availability a;
  int64_t up_total = 0, counted_total = 0;
  std::vector<double> per_device;
  for (const auto& d : devices) {
    const int64_t from = std::max(start, Ms(d.enrolled_at));
    const int64_t to = d.removed_at ? std::min(end, Ms(*d.removed_at)) : end;
    if (to <= from) continue;
    auto it = spans.find(d.id.str());
    const int64_t up = it == spans.end() ? 0 : Covered(it->second, from, to);
    up_total += up;
    counted_total += to - from;
    per_device.push_back(static_cast<double>(up) / static_cast<double>(to - from));
  }
  a.devices = static_cast<int64_t>(per_device.size());
  if (counted_total > 0) {
    a.fleet = static_cast<double>(up_total) / static_cast<double>(counted_total);
    a.median_device = Median(per_device);
  }
  return a;
}

std::vector<DailyChurn> ComputeDailyChurn(const std::vector<store::Device>& devices, Timestamp now,
                                          int days) {
  constexpr int64_t kDay = int64_t{24} * 3600 * 1000;
  const int64_t today = Ms(now) / kDay;  // days since the Unix epoch, UTC
  const int64_t first = today - days + 1;
  std::vector<DailyChurn> out;
  for (int64_t d = first; d <= today; ++d) out.push_back({UtcDate(d * kDay), 0, 0});
  const auto bucket = [&](Timestamp t) -> DailyChurn* {
    const int64_t day = Ms(t) / kDay;
    if (Ms(t) < 0 || day < first || day > today) return nullptr;
    return &out[static_cast<size_t>(day - first)];
  };
  for (const auto& dev : devices) {
    if (DailyChurn* b = bucket(dev.enrolled_at)) ++b->joined;
    if (dev.removed_at) {
      if (DailyChurn* b = bucket(*dev.removed_at)) ++b->left;
    }
  }
  return out;
}

}  // namespace hearth::akash
