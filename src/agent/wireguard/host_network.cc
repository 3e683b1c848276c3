#include "agent/wireguard/host_network.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/subprocess.h"

namespace hearth::agent::wireguard {

StatusOr<ObservedLink> ParseIpLinkJson(const std::string& link_json, const std::string& addr_json,
                                       const std::string& route_json) {
  ObservedLink l;
  const auto link = nlohmann::json::parse(link_json, nullptr, false);
  if (link.is_discarded() || !link.is_array()) {
    return Status::InvalidArgument("ip link", "output is not a JSON array");
  }
  if (link.empty()) return l;
  const auto& dev = link[0];
  if (!dev.is_object()) return Status::InvalidArgument("ip link", "entry is not an object");
  l.exists = true;
  if (dev.contains("mtu") && dev["mtu"].is_number_integer()) l.mtu = dev["mtu"].get<int>();
  if (dev.contains("flags") && dev["flags"].is_array()) {
    for (const auto& f : dev["flags"]) {
      if (f.is_string() && f.get<std::string>() == "UP") l.up = true;
    }
  }
  const auto addrs = nlohmann::json::parse(addr_json.empty() ? "[]" : addr_json, nullptr, false);
  if (addrs.is_discarded() || !addrs.is_array()) {
    return Status::InvalidArgument("ip addr", "output is not a JSON array");
  }
  for (const auto& a : addrs) {
    if (!a.is_object() || !a.contains("addr_info") || !a["addr_info"].is_array()) continue;
    for (const auto& info : a["addr_info"]) {
      if (!info.is_object() || info.value("family", "") != "inet") continue;
      if (!info.contains("local") || !info["local"].is_string()) continue;
      if (!info.contains("prefixlen") || !info["prefixlen"].is_number_integer()) continue;
      auto p = Ipv4Prefix::Parse(
          info["local"].get<std::string>() + "/" + std::to_string(info["prefixlen"].get<int>()),
          "ip addr", true);
      if (p.ok()) l.addresses.push_back(*p);
    }
  }
  const auto routes = nlohmann::json::parse(route_json.empty() ? "[]" : route_json, nullptr, false);
  if (routes.is_discarded() || !routes.is_array()) {
    return Status::InvalidArgument("ip route", "output is not a JSON array");
  }
  for (const auto& r : routes) {
    if (!r.is_object() || !r.contains("dst") || !r["dst"].is_string()) continue;
    if (r.value("protocol", "") == "kernel") continue;  // made for an address
    auto p = Ipv4Prefix::Parse(r["dst"].get<std::string>(), "ip route");
    if (p.ok()) l.routes.push_back(*p);  // "default" and the like are not ours
  }
  std::sort(l.addresses.begin(), l.addresses.end());
  std::sort(l.routes.begin(), l.routes.end());
  l.routes.erase(std::unique(l.routes.begin(), l.routes.end()), l.routes.end());
  return l;
}

Status IpHostNetwork::Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ip_};
  argv.insert(argv.end(), args.begin(), args.end());
  HEARTH_ASSIGN_OR_RETURN(RunResult r, Run(argv));
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
    return Status::Internal("`" + cmd + "` failed: " + r.output);
  }
  return Status::Ok();
}

StatusOr<ObservedLink> IpHostNetwork::ObserveLink(const std::string& ifname) {
  HEARTH_ASSIGN_OR_RETURN(RunResult link, Run({ip_, "-j", "link", "show", "dev", ifname}));
  if (link.exit_code != 0) {
    if (link.output.find("does not exist") != std::string::npos ||
        link.output.find("Cannot find device") != std::string::npos) {
      return ObservedLink{};
    }
    return Status::Internal("`ip link show dev " + ifname + "` failed: " + link.output);
  }
  HEARTH_ASSIGN_OR_RETURN(RunResult addr, Run({ip_, "-j", "-4", "addr", "show", "dev", ifname}));
  HEARTH_ASSIGN_OR_RETURN(RunResult route,
                          Run({ip_, "-j", "-4", "route", "show", "table", "main", "dev", ifname}));
  if (addr.exit_code != 0 || route.exit_code != 0) {
    return Status::Internal("reading addresses and routes of " + ifname +
                            " failed: " + addr.output + route.output);
  }
  return ParseIpLinkJson(link.output, addr.output, route.output);
}

Status IpHostNetwork::SetMtu(const std::string& ifname, int mtu) {
  return Ip({"link", "set", "dev", ifname, "mtu", std::to_string(mtu)});
}

Status IpHostNetwork::SetUp(const std::string& ifname) {
  return Ip({"link", "set", "dev", ifname, "up"});
}

Status IpHostNetwork::AddAddress(const std::string& ifname, const Ipv4Prefix& a) {
  return Ip({"-4", "addr", "add", a.address().ToString() + "/" + std::to_string(a.length()), "dev",
             ifname});
}

Status IpHostNetwork::DeleteAddress(const std::string& ifname, const Ipv4Prefix& a) {
  return Ip({"-4", "addr", "del", a.address().ToString() + "/" + std::to_string(a.length()), "dev",
             ifname});
}

Status IpHostNetwork::AddRoute(const std::string& ifname, const Ipv4Prefix& d) {
  // `replace` so a route another link held moves to ours instead of failing.
  return Ip({"-4", "route", "replace", d.ToString(), "dev", ifname, "table", "main"});
}

Status IpHostNetwork::DeleteRoute(const std::string& ifname, const Ipv4Prefix& d) {
  return Ip({"-4", "route", "del", d.ToString(), "dev", ifname, "table", "main"});
}

StatusOr<bool> IpHostNetwork::Forwarding() {
  std::ifstream in(procfs_ + "/sys/net/ipv4/ip_forward");
  std::string v;
  if (!(in >> v)) return Status::Internal("cannot read " + procfs_ + "/sys/net/ipv4/ip_forward");
  return v == "1";
}

Status IpHostNetwork::SetForwarding(bool on) {
  std::ofstream out(procfs_ + "/sys/net/ipv4/ip_forward");
  out << (on ? "1\n" : "0\n");
  out.flush();
  if (!out) {
    return Status::Internal("cannot write " + procfs_ +
                            "/sys/net/ipv4/ip_forward; the agent needs root or CAP_NET_ADMIN");
  }
  return Status::Ok();
}

Status IpHostNetwork::DeleteLink(const std::string& ifname) {
  HEARTH_ASSIGN_OR_RETURN(ObservedLink l, ObserveLink(ifname));
  if (!l.exists) return Status::Ok();
  return Ip({"link", "del", "dev", ifname});
}

}  // namespace hearth::agent::wireguard
