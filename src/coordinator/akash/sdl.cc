#include "coordinator/akash/sdl.h"

#include <algorithm>
#include <set>

#include "coordinator/akash/policy.h"
#include "coordinator/akash/quantity.h"
#include "coordinator/akash/yaml.h"

namespace hearth::akash {
namespace {

Status Bad(const std::string& path, const YAML::Node& n, const std::string& what) {
  return Status::InvalidArgument(path, what + LineOf(n));
}

bool Defined(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

// Map entries in document order, keys as strings.
StatusOr<std::vector<std::pair<std::string, YAML::Node>>> Entries(const YAML::Node& n,
                                                                  const std::string& path,
                                                                  bool required) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  if (!Defined(n)) {
    if (required) return Bad(path, n, "is required");
    return out;
  }
  if (!n.IsMap()) return Bad(path, n, "must be a map");
  for (const auto& kv : n) {
    auto key = ScalarOf(kv.first);
    if (!key || key->empty()) return Bad(path, kv.first, "has a key that is not a name");
    out.emplace_back(*key, kv.second);
  }
  return out;
}

bool Truthy(const YAML::Node& n) {
  auto s = ScalarOf(n);
  return s && (*s == "true" || *s == "True" || *s == "TRUE" || *s == "yes");
}

StatusOr<SdlService> Service(const std::string& name, const YAML::Node& n,
                             const std::set<std::string>& ip_endpoints) {
  const std::string path = "services." + name;
  SdlService s;
  s.name = name;
  if (!n.IsMap()) return Bad(path, n, "must be a map with at least `image`");
  if (!ScalarOf(Child(n, "image"))) return Bad(path + ".image", n, "is required");
  YAML::Node expose = Child(n, "expose");
  if (!Defined(expose)) return s;
  if (!expose.IsSequence()) return Bad(path + ".expose", expose, "must be a list");
  std::set<std::string> ips;
  for (size_t i = 0; i < expose.size(); ++i) {
    const std::string ep = path + ".expose[" + std::to_string(i) + "]";
    YAML::Node e = expose[i];
    if (!e.IsMap()) return Bad(ep, e, "must be a map with `port`");
    auto port = ScalarOf(Child(e, "port"));
    if (!port) return Bad(ep + ".port", e, "is required");
    auto as = ScalarOf(Child(e, "as"));
    const std::string external = as ? *as : *port;
    auto proto = ScalarOf(Child(e, "proto"));
    YAML::Node to = Child(e, "to");
    if (!Defined(to)) continue;
    if (!to.IsSequence()) return Bad(ep + ".to", to, "must be a list");
    for (size_t k = 0; k < to.size(); ++k) {
      YAML::Node t = to[k];
      if (!t.IsMap()) return Bad(ep + ".to", t, "entries must be maps");
      if (!Truthy(Child(t, "global"))) continue;
      if (auto ip = ScalarOf(Child(t, "ip")); ip && !ip->empty()) {
        if (!ip_endpoints.count(*ip)) {
          return Bad(ep + ".to.ip", t,
                     "names endpoint '" + *ip + "', which `endpoints:` does not declare");
        }
        ips.insert(*ip);
      } else if (external != "80" || (proto && *proto != "tcp" && *proto != "TCP")) {
        ++s.endpoint_quantity;  // a random-port endpoint; HTTP on 80 goes through the ingress
      }
    }
  }
  s.ip_endpoints.assign(ips.begin(), ips.end());
  return s;
}

StatusOr<std::vector<StorageReq>> Storage(const YAML::Node& n, const std::string& path) {
  std::vector<StorageReq> out;
  if (!Defined(n)) return out;
  const auto one = [&](const YAML::Node& s, const std::string& p) -> StatusOr<StorageReq> {
    if (!s.IsMap()) return Bad(p, s, "must be a map with `size`");
    auto size = ScalarOf(Child(s, "size"));
    if (!size) return Bad(p + ".size", s, "is required, e.g. 10Gi");
    StorageReq r;
    auto bytes = ParseByteQuantity(*size, p + ".size");
    if (!bytes.ok()) return Bad(p + ".size", Child(s, "size"), bytes.status().message());
    r.size_bytes = *bytes;
    YAML::Node attrs = Child(s, "attributes");
    if (Defined(attrs)) {
      if (!attrs.IsMap()) return Bad(p + ".attributes", attrs, "must be a map");
      const bool persistent = Truthy(Child(attrs, "persistent"));
      auto klass = ScalarOf(Child(attrs, "class"));
      if (klass && !klass->empty()) {
        r.klass = *klass;
        if (persistent && r.klass == "ram") {
          return Bad(p + ".attributes", attrs, "class ram cannot be persistent");
        }
      } else if (persistent) {
        r.klass = "default";
      }
    }
    return r;
  };
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      HEARTH_ASSIGN_OR_RETURN(StorageReq r, one(n[i], path + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(r));
    }
  } else {
    HEARTH_ASSIGN_OR_RETURN(StorageReq r, one(n, path));
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<SdlProfile> Profile(const std::string& name, const YAML::Node& n) {
  const std::string path = "profiles.compute." + name;
  SdlProfile p;
  p.name = name;
  YAML::Node res = Child(n, "resources");
  if (!Defined(res) || !res.IsMap()) return Bad(path + ".resources", n, "is required (a map)");
  ResourceReq& r = p.resources;
  YAML::Node cpu = Child(Child(res, "cpu"), "units");
  auto cpu_text = ScalarOf(cpu);
  if (!cpu_text)
    return Bad(path + ".resources.cpu.units", res, "is required, e.g. 0.5 or \"500m\"");
  auto millis = ParseCpuQuantity(*cpu_text, path + ".resources.cpu.units");
  if (!millis.ok()) return Bad(path + ".resources.cpu.units", cpu, millis.status().message());
  r.cpu_millicores = *millis;
  YAML::Node mem = Child(Child(res, "memory"), "size");
  auto mem_text = ScalarOf(mem);
  if (!mem_text) return Bad(path + ".resources.memory.size", res, "is required, e.g. 512Mi");
  auto bytes = ParseByteQuantity(*mem_text, path + ".resources.memory.size");
  if (!bytes.ok()) return Bad(path + ".resources.memory.size", mem, bytes.status().message());
  r.memory_bytes = *bytes;
  HEARTH_ASSIGN_OR_RETURN(r.storage, Storage(Child(res, "storage"), path + ".resources.storage"));
  YAML::Node gpu = Child(res, "gpu");
  if (Defined(gpu)) {
    const std::string gp = path + ".resources.gpu";
    auto units = ScalarOf(Child(gpu, "units"));
    if (!units) return Bad(gp + ".units", gpu, "is required");
    auto u = ParseCpuQuantity(*units, gp + ".units");  // whole numbers only below
    if (!u.ok() || *u % 1000 != 0)
      return Bad(gp + ".units", Child(gpu, "units"), "must be a whole number");
    r.gpu_units = *u / 1000;
    YAML::Node vendors = Child(Child(gpu, "attributes"), "vendor");
    HEARTH_ASSIGN_OR_RETURN(auto vs, Entries(vendors, gp + ".attributes.vendor", false));
    for (const auto& [vendor, models] : vs) {
      if (!Defined(models)) {
        r.gpu_models.push_back({vendor, "*", "", ""});  // `nvidia:` alone: any model
        continue;
      }
      if (!models.IsSequence()) {
        return Bad(gp + ".attributes.vendor." + vendor, models, "must be a list of {model: ...}");
      }
      if (models.size() == 0) r.gpu_models.push_back({vendor, "*", "", ""});
      for (const auto& m : models) {
        GpuModelReq g;
        g.vendor = vendor;
        g.model = ScalarOf(Child(m, "model")).value_or("*");
        g.ram = ScalarOf(Child(m, "ram")).value_or("");
        g.interface = ScalarOf(Child(m, "interface")).value_or("");
        r.gpu_models.push_back(std::move(g));
      }
    }
  }
  return p;
}

StatusOr<Sdl> Parse(const YAML::Node& root) {
  Sdl sdl;
  if (!root.IsMap()) return Bad("sdl", root, "must be a YAML map with version, services, ...");
  auto version = ScalarOf(Child(root, "version"));
  if (!version) return Bad("version", root, "is required (\"2.0\")");
  if (*version != "2.0" && *version != "2.1") {
    return Bad("version", Child(root, "version"),
               "must be \"2.0\" or \"2.1\", not \"" + *version + "\"");
  }
  sdl.version = *version;
  std::set<std::string> ip_endpoints;
  HEARTH_ASSIGN_OR_RETURN(auto endpoints, Entries(Child(root, "endpoints"), "endpoints", false));
  for (const auto& [name, e] : endpoints) {
    auto kind = ScalarOf(Child(e, "kind"));
    if (!kind || *kind != "ip") return Bad("endpoints." + name + ".kind", e, "must be ip");
    ip_endpoints.insert(name);
  }
  HEARTH_ASSIGN_OR_RETURN(auto services, Entries(Child(root, "services"), "services", true));
  for (const auto& [name, n] : services) {
    HEARTH_ASSIGN_OR_RETURN(sdl.services[name], Service(name, n, ip_endpoints));
  }
  YAML::Node profiles = Child(root, "profiles");
  if (!Defined(profiles)) return Bad("profiles", root, "is required");
  HEARTH_ASSIGN_OR_RETURN(auto compute,
                          Entries(Child(profiles, "compute"), "profiles.compute", true));
  for (const auto& [name, n] : compute) {
    HEARTH_ASSIGN_OR_RETURN(sdl.profiles[name], Profile(name, n));
  }
  HEARTH_ASSIGN_OR_RETURN(auto placements,
                          Entries(Child(profiles, "placement"), "profiles.placement", true));
  for (const auto& [name, n] : placements) {
    const std::string path = "profiles.placement." + name;
    SdlPlacement& p = sdl.placements[name];
    p.name = name;
    HEARTH_ASSIGN_OR_RETURN(auto pricing, Entries(Child(n, "pricing"), path + ".pricing", false));
    for (const auto& [profile, price] : pricing) {
      const std::string pp = path + ".pricing." + profile;
      auto denom = ScalarOf(Child(price, "denom"));
      auto amount = ScalarOf(Child(price, "amount"));
      if (!denom || denom->empty()) return Bad(pp + ".denom", price, "is required, e.g. uact");
      if (!amount) return Bad(pp + ".amount", price, "is required, e.g. 1000");
      if (amount->empty() || amount->find_first_not_of(".") == std::string::npos ||
          amount->find_first_not_of("0123456789.") != std::string::npos ||
          std::count(amount->begin(), amount->end(), '.') > 1) {
        return Bad(pp + ".amount", Child(price, "amount"), "must be a non-negative decimal");
      }
      p.pricing[profile] = {*denom, *amount};
    }
  }
  HEARTH_ASSIGN_OR_RETURN(auto deployment, Entries(Child(root, "deployment"), "deployment", true));
  for (const auto& [service, placements_of] : deployment) {
    const std::string path = "deployment." + service;
    if (!sdl.services.count(service)) {
      return Bad(path, placements_of, "names service '" + service + "', which `services:` lacks");
    }
    HEARTH_ASSIGN_OR_RETURN(auto entries, Entries(placements_of, path, true));
    for (const auto& [placement, d] : entries) {
      const std::string dp = path + "." + placement;
      if (!sdl.placements.count(placement)) {
        return Bad(dp, d, "names placement '" + placement + "', which profiles.placement lacks");
      }
      SdlDeployment dep;
      dep.service = service;
      dep.placement = placement;
      auto profile = ScalarOf(Child(d, "profile"));
      if (!profile) return Bad(dp + ".profile", d, "is required");
      if (!sdl.profiles.count(*profile)) {
        return Bad(dp + ".profile", Child(d, "profile"),
                   "names compute profile '" + *profile + "', which profiles.compute lacks");
      }
      dep.profile = *profile;
      auto count = ScalarOf(Child(d, "count"));
      if (!count) return Bad(dp + ".count", d, "is required");
      auto c = ParseCpuQuantity(*count, dp + ".count");
      if (!c.ok() || *c % 1000 != 0 || *c == 0 || *c / 1000 > 100000) {
        return Bad(dp + ".count", Child(d, "count"), "must be a whole number from 1 to 100000");
      }
      dep.count = *c / 1000;
      sdl.deployments.push_back(std::move(dep));
    }
  }
  if (sdl.deployments.empty()) return Bad("deployment", root, "deploys nothing");
  return sdl;
}

ResourceReq DeployedResources(const Sdl& sdl, const SdlDeployment& d) {
  ResourceReq r = sdl.profiles.at(d.profile).resources;
  const SdlService& s = sdl.services.at(d.service);
  r.count = d.count;
  r.endpoint_quantity = s.endpoint_quantity;
  r.ip_lease_quantity = static_cast<int64_t>(s.ip_endpoints.size());
  return r;
}

}  // namespace

StatusOr<Sdl> ParseSdl(const std::string& text) {
  if (text.size() > (size_t{1} << 20)) {
    return Status::InvalidArgument("sdl", "is larger than 1 MiB; an SDL file is a few KiB");
  }
  HEARTH_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(text, "sdl"));
  try {
    return Parse(root);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("sdl", std::string("could not be read: ") + e.what());
  }
}

std::vector<Order> SdlOrders(const Sdl& sdl) {
  std::vector<Order> out;
  for (const auto& [name, placement] : sdl.placements) {
    Order o;
    std::vector<std::pair<std::string, int64_t>> prices;
    for (const auto& d : sdl.deployments) {
      if (d.placement != name) continue;
      o.resources.push_back(DeployedResources(sdl, d));
      auto price = placement.pricing.find(d.profile);
      if (price != placement.pricing.end()) {
        if (o.denom.empty()) o.denom = price->second.denom;
        prices.emplace_back(price->second.amount, d.count);
      }
    }
    if (o.resources.empty()) continue;
    if (!prices.empty()) o.max_amount = SumDecimal(prices);
    out.push_back(std::move(o));
  }
  return out;
}

api::SdlCheckReport CheckSdl(const Sdl& sdl, const RegionConfig& region,
                             const api::FleetSnapshot& fleet) {
  api::SdlCheckReport report;
  for (const auto& d : sdl.deployments) {
    const std::string label = "service '" + d.service + "' (profile '" + d.profile +
                              "', placement '" + d.placement + "')";
    const SdlPlacement& p = sdl.placements.at(d.placement);
    auto price = p.pricing.find(d.profile);
    if (price == p.pricing.end()) {
      report.reasons.push_back({"invalid", d.service,
                                label + ": profiles.placement." + d.placement +
                                    ".pricing has no price for profile '" + d.profile +
                                    "'; add {denom: uact, amount: ...}"});
    } else if (!region.policy.prices.empty() && !region.policy.prices.count(price->second.denom)) {
      report.reasons.push_back({"invalid", d.service,
                                label + ": priced in '" + price->second.denom +
                                    "', a denomination this provider does not accept"});
    }
    CheckResource(DeployedResources(sdl, d), region.policy, fleet, d.service, label,
                  &report.reasons);
  }
  for (const Order& o : SdlOrders(sdl)) report.bid_inputs.push_back(OrderToJson(o));
  report.runnable = report.reasons.empty();
  return report;
}

}  // namespace hearth::akash
