#include "coordinator/akash/config.h"

#include <fstream>
#include <sstream>

#include "common/duration.h"
#include "coordinator/akash/quantity.h"
#include "coordinator/akash/yaml.h"

namespace hearth::akash {
namespace {

Status Bad(const std::string& key, const YAML::Node& n, const std::string& what) {
  return Status::InvalidArgument(key, what + LineOf(n));
}

StatusOr<std::string> Str(const YAML::Node& map, const std::string& key, const std::string& path) {
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) return std::string();
  auto s = ScalarOf(n);
  if (!s) return Bad(path, n, "must be a string");
  return *s;
}

StatusOr<std::optional<Duration>> Dur(const YAML::Node& map, const std::string& key,
                                      const std::string& path) {
  HEARTH_ASSIGN_OR_RETURN(std::string text, Str(map, key, path));
  if (text.empty()) return std::optional<Duration>();
  auto d = ParseDuration(text, path);
  if (!d.ok()) return Bad(path, Child(map, key), d.status().message());
  return std::optional<Duration>(*d);
}

StatusOr<bool> Bool(const YAML::Node& map, const std::string& key, const std::string& path) {
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) return false;
  auto s = ScalarOf(n);
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  return Bad(path, n, "must be true or false");
}

StatusOr<long double> Rate(const YAML::Node& n, const std::string& path) {
  auto s = ScalarOf(n);
  if (!s) return Bad(path, n, "must be a non-negative decimal number");
  try {
    size_t used = 0;
    const long double v = std::stold(*s, &used);
    if (used != s->size() || !(v >= 0) || v > 1e18L) {
      return Bad(path, n, "must be a non-negative decimal number up to 1e18");
    }
    return v;
  } catch (const std::exception&) {
    return Bad(path, n, "must be a non-negative decimal number");
  }
}

StatusOr<std::map<std::string, long double>> Rates(const YAML::Node& map, const std::string& key,
                                                   const std::string& path) {
  std::map<std::string, long double> out;
  YAML::Node n = Child(map, key);
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) return Bad(path, n, "must be a map of name → rate");
  for (const auto& kv : n) {
    auto name = ScalarOf(kv.first);
    if (!name) return Bad(path, kv.first, "keys must be names");
    HEARTH_ASSIGN_OR_RETURN(out[*name], Rate(kv.second, path + "." + *name));
  }
  return out;
}

StatusOr<PriceTable> Prices(const YAML::Node& n, const std::string& path) {
  if (!n.IsMap()) return Bad(path, n, "must be a map");
  PriceTable t;
  for (const char* key : {"cpu_per_core", "memory_per_gib", "endpoint"}) {
    YAML::Node v = Child(n, key);
    if (!v.IsDefined() || v.IsNull()) continue;
    HEARTH_ASSIGN_OR_RETURN(long double r, Rate(v, path + "." + key));
    if (std::string(key) == "cpu_per_core") t.cpu_per_core = r;
    if (std::string(key) == "memory_per_gib") t.memory_per_gib = r;
    if (std::string(key) == "endpoint") t.endpoint = r;
  }
  HEARTH_ASSIGN_OR_RETURN(t.storage_per_gib,
                          Rates(n, "storage_per_gib", path + ".storage_per_gib"));
  HEARTH_ASSIGN_OR_RETURN(t.gpu_per_unit, Rates(n, "gpu_per_unit", path + ".gpu_per_unit"));
  return t;
}

StatusOr<RegionConfig> Region(const std::string& id, const YAML::Node& n, const std::string& path) {
  RegionConfig r;
  r.id = id;
  if (n.IsNull()) return r;
  if (!n.IsMap()) return Bad(path, n, "must be a map");
  HEARTH_ASSIGN_OR_RETURN(r.location_region, Str(n, "location_region", path + ".location_region"));
  HEARTH_ASSIGN_OR_RETURN(r.country, Str(n, "country", path + ".country"));
  HEARTH_ASSIGN_OR_RETURN(r.city, Str(n, "city", path + ".city"));
  HEARTH_ASSIGN_OR_RETURN(r.policy.ip_leases, Bool(n, "ip_leases", path + ".ip_leases"));
  HEARTH_ASSIGN_OR_RETURN(r.policy.bid_above_max,
                          Bool(n, "bid_above_max", path + ".bid_above_max"));
  YAML::Node ps = Child(n, "persistent_storage");
  if (ps.IsDefined() && !ps.IsNull()) {
    const std::string pp = path + ".persistent_storage";
    if (!ps.IsMap()) return Bad(pp, ps, "must be a map {classes: [...], max_size: 50Gi}");
    YAML::Node classes = Child(ps, "classes");
    if (!classes.IsDefined() || !classes.IsSequence()) {
      return Bad(pp + ".classes", ps, "must be a list of storage classes (beta1, beta2, beta3)");
    }
    for (const auto& c : classes) {
      auto s = ScalarOf(c);
      if (!s || *s == "ephemeral" || *s == "ram") {
        return Bad(pp + ".classes", c, "entries must be persistent classes: default, beta1..3");
      }
      r.policy.persistent_classes.insert(*s);
    }
    HEARTH_ASSIGN_OR_RETURN(std::string max, Str(ps, "max_size", pp + ".max_size"));
    if (max.empty()) return Bad(pp + ".max_size", ps, "is required, e.g. 50Gi");
    HEARTH_ASSIGN_OR_RETURN(r.policy.persistent_max_bytes,
                            ParseByteQuantity(max, pp + ".max_size"));
  }
  HEARTH_ASSIGN_OR_RETURN(std::string ram_max,
                          Str(n, "ram_storage_max", path + ".ram_storage_max"));
  if (!ram_max.empty()) {
    HEARTH_ASSIGN_OR_RETURN(int64_t b, ParseByteQuantity(ram_max, path + ".ram_storage_max"));
    r.policy.ram_max_bytes = b;
  }
  YAML::Node prices = Child(n, "prices");
  if (prices.IsDefined() && !prices.IsNull()) {
    if (!prices.IsMap()) return Bad(path + ".prices", prices, "must be a map denom → rates");
    for (const auto& kv : prices) {
      auto denom = ScalarOf(kv.first);
      if (!denom) return Bad(path + ".prices", kv.first, "keys must be denominations");
      HEARTH_ASSIGN_OR_RETURN(r.policy.prices[*denom],
                              Prices(kv.second, path + ".prices." + *denom));
    }
  }
  return r;
}

StatusOr<AkashConfig> Parse(const YAML::Node& root) {
  AkashConfig c;
  if (root.IsNull()) return c;
  if (!root.IsMap()) return Bad("config", root, "must be a map");
  YAML::Node provider = Child(root, "provider");
  if (provider.IsDefined()) {
    HEARTH_ASSIGN_OR_RETURN(std::string h, Str(provider, "host", "provider.host"));
    if (!h.empty()) c.host = h;
    HEARTH_ASSIGN_OR_RETURN(std::string tier, Str(provider, "tier", "provider.tier"));
    if (!tier.empty()) c.tier = tier;
    HEARTH_ASSIGN_OR_RETURN(c.organization, Str(provider, "organization", "provider.organization"));
    HEARTH_ASSIGN_OR_RETURN(c.email, Str(provider, "email", "provider.email"));
  }
  YAML::Node coord = Child(root, "coordinator");
  if (coord.IsDefined()) {
    HEARTH_ASSIGN_OR_RETURN(c.coordinator_url, Str(coord, "url", "coordinator.url"));
    HEARTH_ASSIGN_OR_RETURN(std::string token, Str(coord, "token", "coordinator.token"));
    c.token = Secret<std::string>(token);
    HEARTH_ASSIGN_OR_RETURN(auto timeout, Dur(coord, "timeout", "coordinator.timeout"));
    if (timeout) c.timeout = *timeout;
  }
  YAML::Node cache = Child(root, "cache");
  if (cache.IsDefined()) {
    HEARTH_ASSIGN_OR_RETURN(c.cache_path, Str(cache, "path", "cache.path"));
    HEARTH_ASSIGN_OR_RETURN(auto age, Dur(cache, "max_age", "cache.max_age"));
    if (age) c.cache_max_age = *age;
  }
  YAML::Node regions = Child(root, "regions");
  if (regions.IsDefined() && !regions.IsNull()) {
    if (!regions.IsMap()) return Bad("regions", regions, "must be a map of region id → policy");
    for (const auto& kv : regions) {
      auto id = ScalarOf(kv.first);
      if (!id || id->empty()) return Bad("regions", kv.first, "keys must be region ids");
      HEARTH_ASSIGN_OR_RETURN(c.regions[*id], Region(*id, kv.second, "regions." + *id));
    }
  }
  return c;
}

}  // namespace

RegionConfig AkashConfig::Region(const std::string& id) const {
  if (auto it = regions.find(id); it != regions.end()) return it->second;
  RegionConfig r;
  if (auto it = regions.find("default"); it != regions.end()) r = it->second;
  r.id = id;
  return r;
}

StatusOr<AkashConfig> ParseAkashConfig(const std::string& text, const std::string& source) {
  HEARTH_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, source));
  try {
    auto c = Parse(root);
    if (!c.ok()) return c.status().WithContext(source);
    return c;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(source, std::string("could not be read: ") + e.what());
  }
}

StatusOr<AkashConfig> LoadAkashConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::InvalidArgument("config", "cannot read '" + path +
                                                 "'; pass the Akash policy file with --config "
                                                 "or HEARTH_AKASH_CONFIG");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseAkashConfig(ss.str(), path);
}

}  // namespace hearth::akash
