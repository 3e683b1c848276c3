#include "coordinator/akash/location.h"

#include <map>
#include <nlohmann/json.hpp>

namespace hearth::akash {
namespace {

// "de" / "DE" → "DE"; anything but two ASCII letters → "".
std::string CountryCode(const nlohmann::json& v) {
  if (!v.is_string()) return "";
  std::string s = v.get<std::string>();
  if (s.size() != 2) return "";
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return "";
  }
  return s;
}

std::string City(const nlohmann::json& v) {
  if (!v.is_string()) return "";
  const std::string s = v.get<std::string>();
  if (s.empty() || s.size() > 100) return "";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return "";  // control characters: not a place name
  }
  return s;
}

template <typename Map>
std::pair<std::string, int64_t> Majority(const Map& counts) {
  std::pair<std::string, int64_t> best{"", 0};
  for (const auto& [k, n] : counts) {
    if (n > best.second) best = {k, n};  // map order: ties keep the first key
  }
  return best;
}

}  // namespace

FleetLocation ComputeLocation(const std::vector<store::Device>& devices, Timestamp now,
                              const api::LivenessPolicy& liveness) {
  std::map<std::string, int64_t> countries;
  std::map<std::string, std::map<std::string, int64_t>> cities;  // country → city → devices
  FleetLocation out;
  for (const auto& d : devices) {
    if (api::StatusOf(d, now, liveness) != api::DeviceStatus::kOnline) continue;
    const auto e = nlohmann::json::parse(d.placement_evidence_json, nullptr, false);
    if (!e.is_object()) continue;
    std::string country, city;
    if (auto g = e.find("geoip"); g != e.end() && g->is_object()) {
      country = CountryCode(g->value("country", nlohmann::json()));
      if (!country.empty()) city = City(g->value("city", nlohmann::json()));
    }
    if (country.empty()) country = CountryCode(e.value("country", nlohmann::json()));
    if (country.empty()) continue;
    ++countries[country];
    ++out.devices_with_country;
    if (!city.empty()) ++cities[country][city];
  }
  std::tie(out.country, out.devices_in_country) = Majority(countries);
  if (!out.country.empty()) std::tie(out.city, out.devices_in_city) = Majority(cities[out.country]);
  return out;
}

}  // namespace hearth::akash
