#include "coordinator/devices/stats.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "coordinator/devices/handlers.h"
#include "coordinator/rewards/ledger.h"

namespace hearth::devices {

using http::Request;
using http::Response;

namespace {

constexpr auto kDay = std::chrono::hours(24);

nlohmann::json Fraction(const UptimeShare& u) {
  const double f = u.fraction();
  return f < 0 ? nlohmann::json(nullptr) : nlohmann::json(std::min(1.0, f));
}

int64_t Seconds(Duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

}  // namespace

UptimeShare UptimeOver(const std::vector<store::UptimeInterval>& intervals, Timestamp enrolled,
                       Timestamp from, Timestamp to) {
  UptimeShare u;
  const Timestamp start = std::max(from, enrolled);
  if (to <= start) return u;
  u.window_seconds = Seconds(to - start);
  Duration online{0};
  for (const auto& i : intervals) {
    const Timestamp a = std::max(i.start, start);
    const Timestamp b = std::min(i.end, to);
    if (b > a) online += b - a;
  }
  u.online_seconds = std::min(u.window_seconds, Seconds(online));
  return u;
}

StatusOr<std::vector<nlohmann::json>> DeviceStats(store::Store& store,
                                                  const std::vector<store::Device>& devices,
                                                  Timestamp now) {
  using Earnings = std::map<DeviceId, Amount, store::IdTextLess>;
  std::map<std::string, std::pair<Earnings, Earnings>> by_owner;  // owner → (total, last 24 h)
  for (const auto& d : devices) {
    if (by_owner.count(d.owner_id.str())) continue;
    const std::string account = rewards::OwnerAccount(d.owner_id);
    HEARTH_ASSIGN_OR_RETURN(Earnings total, store.DeviceEarnings(account, FromUnixMillis(0)));
    HEARTH_ASSIGN_OR_RETURN(Earnings day, store.DeviceEarnings(account, now - kDay));
    by_owner.emplace(d.owner_id.str(), std::pair{std::move(total), std::move(day)});
  }
  std::vector<nlohmann::json> out;
  out.reserve(devices.size());
  for (const auto& d : devices) {
    HEARTH_ASSIGN_OR_RETURN(std::vector<store::UptimeInterval> intervals,
                            store.ListDeviceUptime(d.id, now - 7 * kDay, now));
    const UptimeShare day = UptimeOver(intervals, d.enrolled_at, now - kDay, now);
    const UptimeShare week = UptimeOver(intervals, d.enrolled_at, now - 7 * kDay, now);
    const auto& [total, last_day] = by_owner.at(d.owner_id.str());
    auto amount = [&d](const Earnings& e) {
      auto it = e.find(d.id);
      return it == e.end() ? int64_t{0} : it->second.micro();
    };
    out.push_back({{"uptime_24h", Fraction(day)},
                   {"uptime_7d", Fraction(week)},
                   {"online_seconds_24h", day.online_seconds},
                   {"online_seconds_7d", week.online_seconds},
                   {"earned_24h", amount(last_day)},
                   {"earned_total", amount(total)}});
  }
  return out;
}

bool WantsStats(const Request& req) {
  auto it = req.query.find("stats");
  return it != req.query.end() && (it->second == "1" || it->second == "true");
}

void RegisterStatsRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/devices/{id}/uptime", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    auto d = VisibleDevice(ctx, *p, req.params.at("id"));
    if (!d.ok()) return Response::Error(d.status());
    int64_t days = 7;
    if (auto it = req.query.find("days"); it != req.query.end()) {
      const std::string& s = it->second;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), days);
      if (ec != std::errc() || ptr != s.data() + s.size() || days < 1 || days > 30) {
        return Response::Error(
            Status::InvalidArgument("days", "days must be an integer from 1 to 30"));
      }
    }
    const Timestamp now = ctx.clock.Now();
    const Timestamp from = now - days * kDay;
    auto intervals = ctx.store.ListDeviceUptime(d->id, from, now);
    if (!intervals.ok()) return Response::Error(intervals.status());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& i : *intervals) {
      list.push_back({{"start", FormatRfc3339(std::max(i.start, from))},
                      {"end", FormatRfc3339(std::min(i.end, now))}});
    }
    const UptimeShare u = UptimeOver(*intervals, d->enrolled_at, from, now);
    return Response::Json(200, {{"device_id", d->id.str()},
                                {"from", FormatRfc3339(from)},
                                {"to", FormatRfc3339(now)},
                                {"enrolled_at", FormatRfc3339(d->enrolled_at)},
                                {"intervals", list},
                                {"online_seconds", u.online_seconds},
                                {"window_seconds", u.window_seconds},
                                {"uptime", Fraction(u)}});
  });
}

}  // namespace hearth::devices
