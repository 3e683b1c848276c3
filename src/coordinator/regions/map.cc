#include "coordinator/regions/map.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>

#include "coordinator/placement/placement.h"

namespace hearth::regions {

using http::Request;
using http::Response;

namespace {

bool IsCountry(const std::string& s) {
  return s.size() == 2 && std::isupper(static_cast<unsigned char>(s[0])) &&
         std::isupper(static_cast<unsigned char>(s[1]));
}

std::optional<std::string> CountryField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  std::string c = it->get<std::string>();
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!IsCountry(c)) return std::nullopt;
  return c;
}

std::optional<double> NumberField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

// "DE/52/13" → {country, lat, lon}; "KE/-/-" → country only. nullopt for anything else.
std::optional<api::MapCell> ParseCell(const std::string& text) {
  const auto a = text.find('/');
  const auto b = a == std::string::npos ? a : text.find('/', a + 1);
  if (b == std::string::npos || text.find('/', b + 1) != std::string::npos) return std::nullopt;
  api::MapCell c;
  c.cell = text;
  c.country = text.substr(0, a);
  if (!IsCountry(c.country)) return std::nullopt;
  const std::string lat = text.substr(a + 1, b - a - 1);
  const std::string lon = text.substr(b + 1);
  if (lat == "-" && lon == "-") return c;
  auto whole = [](const std::string& s, int lo, int hi) -> std::optional<int> {
    int v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
    return v;
  };
  c.lat = whole(lat, -90, 90);
  c.lon = whole(lon, -180, 180);
  if (!c.lat || !c.lon) return std::nullopt;
  return c;
}

struct Gpus {
  int64_t units = 0;
  std::map<std::string, int64_t> models;
};

Gpus GpusOf(const store::Device& d) {
  Gpus g;
  if (d.inventory_json.find("gpus") == std::string::npos) return g;
  auto inv = nlohmann::json::parse(d.inventory_json, nullptr, false);
  if (!inv.is_object()) return g;
  auto it = inv.find("gpus");
  if (it == inv.end() || !it->is_array()) return g;
  for (const auto& gpu : *it) {
    ++g.units;
    std::string model = gpu.is_object() ? gpu.value("model", std::string()) : std::string();
    ++g.models[model.empty() ? "unknown" : model];
  }
  return g;
}

}  // namespace

std::string DeviceCell(const store::Device& d, const store::Region* region) {
  if (d.region_id.empty() && !d.waitlist_cell.empty()) return d.waitlist_cell;
  auto ev = nlohmann::json::parse(d.placement_evidence_json, nullptr, false);
  if (ev.is_object()) {
    std::optional<std::string> country;
    if (auto geo = ev.find("geoip"); geo != ev.end() && geo->is_object()) {
      country = CountryField(*geo, "country");
      auto lat = NumberField(*geo, "lat");
      auto lon = NumberField(*geo, "lon");
      if (lat && lon && placement::ValidGeoPoint({*lat, *lon})) {
        return placement::WaitlistCell(country, placement::GeoPoint{*lat, *lon});
      }
    }
    if (!country) country = CountryField(ev, "country");
    if (country) return placement::WaitlistCell(country, std::nullopt);
  }
  // A region without a catalog entry (the single-region "default") has no centre to show.
  if (region && !region->location_region.empty() &&
      placement::ValidGeoPoint({region->centre_lat, region->centre_lon})) {
    std::optional<std::string> country;
    if (region->countries.size() == 1) country = region->countries.front();
    return placement::WaitlistCell(country,
                                   placement::GeoPoint{region->centre_lat, region->centre_lon});
  }
  return "";
}

api::NetworkMap BuildNetworkMap(const std::vector<store::Device>& devices,
                                const std::vector<store::Region>& regions, const AccountId& caller,
                                Timestamp now, const api::LivenessPolicy& liveness) {
  api::NetworkMap m;
  m.generated_at = now;
  std::map<std::string, const store::Region*> by_id;
  std::map<std::string, api::MapRegion> shown;
  for (const store::Region& r : regions) {
    by_id[r.id] = &r;
    if (r.location_region.empty()) continue;
    api::MapRegion mr;
    mr.id = r.id;
    mr.name = r.name;
    mr.status = r.status;
    mr.location_region = r.location_region;
    mr.hardware_policy = r.hardware_policy;
    mr.lat = r.centre_lat;
    mr.lon = r.centre_lon;
    mr.countries = r.countries;
    mr.max_workers = r.max_workers;
    shown.emplace(r.id, std::move(mr));
  }
  std::map<std::string, api::MapCell> cells;
  for (const store::Device& d : devices) {
    if (d.removed_at || d.role != "worker") continue;
    const bool mine = d.owner_id == caller;
    const bool online = api::StatusOf(d, now, liveness) == api::DeviceStatus::kOnline;
    const Gpus gpus = GpusOf(d);
    ++m.devices;
    m.online += online ? 1 : 0;
    m.gpus += gpus.units;
    m.mine += mine ? 1 : 0;
    const bool waiting = d.region_id.empty() && !d.waitlist_cell.empty();
    m.waitlisted += waiting ? 1 : 0;
    const auto region = by_id.find(d.region_id);
    const store::Region* placed_in = region == by_id.end() ? nullptr : region->second;
    if (auto r = shown.find(d.region_id); r != shown.end()) {
      ++r->second.devices;
      r->second.online += online ? 1 : 0;
      r->second.gpus += gpus.units;
      r->second.mine += mine ? 1 : 0;
    }
    std::optional<api::MapCell> parsed = ParseCell(DeviceCell(d, placed_in));
    if (!parsed) {
      ++m.unlocated;
      m.unlocated_mine += mine ? 1 : 0;
      continue;
    }
    api::MapCell& c = cells.try_emplace(parsed->cell, *parsed).first->second;
    ++c.devices;
    c.online += online ? 1 : 0;
    c.gpus += gpus.units;
    c.mine += mine ? 1 : 0;
    if (waiting) {
      ++c.waitlisted;
      c.waitlisted_gpus += gpus.units;
    }
    for (const auto& [model, n] : gpus.models) c.gpu_models[model] += n;
  }
  for (auto& [_, c] : cells) m.cells.push_back(std::move(c));
  for (auto& [_, r] : shown) m.regions.push_back(std::move(r));
  return m;
}

void RegisterMapRoutes(http::Router& router, coordinator::Context& ctx) {
  router.Add("GET", "/v1/map", [&ctx](const Request& req) {
    auto p = ctx.auth.Authenticate(req);
    if (!p.ok()) return Response::Error(p.status());
    std::vector<store::Region> regions;
    Status st = ctx.store.NetworkTransaction([&](store::NetworkTx& tx) -> Status {
      HEARTH_ASSIGN_OR_RETURN(regions, tx.ListRegions());
      return Status::Ok();
    });
    if (!st.ok()) return Response::Error(st);
    auto devices = ctx.store.ListDevices(std::nullopt);
    if (!devices.ok()) return Response::Error(devices.status());
    const api::NetworkMap m =
        BuildNetworkMap(*devices, regions, p->account.id, ctx.clock.Now(), ctx.config.liveness);
    Response r = Response::Json(200, api::EncodeNetworkMap(m));
    r.headers.emplace_back("Cache-Control", "private, no-store");
    return r;
  });
}

}  // namespace hearth::regions
