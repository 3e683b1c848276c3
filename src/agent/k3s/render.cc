#include "agent/k3s/render.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace hearth::agent::k3s {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', starting and ending alphanumeric.
bool IsDnsSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253 || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsLowerAlnum(c) || c == '-' || c == '.'; });
}

// The name part of a label key and a label value: at most 63 of [A-Za-z0-9-_.], alphanumeric at
// both ends. Values may also be empty.
bool IsLabelName(const std::string& s) {
  if (s.empty() || s.size() > 63 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}
bool IsLabelValue(const std::string& s) { return s.empty() || IsLabelName(s); }

// "[prefix/]name" as Kubernetes label and taint keys are.
bool IsQualifiedName(const std::string& key) {
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return IsLabelName(key);
  return IsDnsSubdomain(key.substr(0, slash)) && IsLabelName(key.substr(slash + 1));
}

bool InNamespace(const std::string& ns, const std::string& domain) {
  return ns == domain ||
         (ns.size() > domain.size() &&
          ns.compare(ns.size() - domain.size() - 1, std::string::npos, "." + domain) == 0);
}

// The kubelet refuses --node-labels in the kubernetes.io and k8s.io namespaces except these
// (k8s.io/kubelet's IsKubeletLabel), since the NodeRestriction admission would reject them.
bool KubeletMaySet(const std::string& key) {
  static const std::set<std::string> kAllowed = {
      "kubernetes.io/hostname",
      "kubernetes.io/os",
      "kubernetes.io/arch",
      "beta.kubernetes.io/os",
      "beta.kubernetes.io/arch",
      "beta.kubernetes.io/instance-type",
      "node.kubernetes.io/instance-type",
      "topology.kubernetes.io/zone",
      "topology.kubernetes.io/region",
      "failure-domain.beta.kubernetes.io/zone",
      "failure-domain.beta.kubernetes.io/region",
  };
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return true;
  const std::string ns = key.substr(0, slash);
  if (!InNamespace(ns, "kubernetes.io") && !InNamespace(ns, "k8s.io")) return true;
  if (kAllowed.count(key)) return true;
  return InNamespace(ns, "kubelet.kubernetes.io") || InNamespace(ns, "node.kubernetes.io");
}

Status ValidateServer(const std::string& server) {
  const std::string f = "kubernetes.server";
  const std::string scheme = "https://";
  if (server.rfind(scheme, 0) != 0) {
    return Status::InvalidArgument(f, "'" + server +
                                          "' must be an https URL of the region's k3s server, e.g. "
                                          "https://100.64.0.2:6443");
  }
  std::string rest = server.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos || rest.find('?') != std::string::npos) {
    return Status::InvalidArgument(f, "'" + server +
                                          "' must be https://HOST:PORT with no path (k3s "
                                          "adds its own)");
  }
  if (Status st = api::ValidateEndpoint(rest, f); !st.ok()) {
    return Status::InvalidArgument(f, "'" + server +
                                          "' must name the host and port, e.g. "
                                          "https://100.64.0.2:6443");
  }
  return Status::Ok();
}

Status ValidateToken(const std::string& token) {
  const std::string f = "kubernetes.token";
  const std::string want =
      "must be a k3s join token K10<64 hex digits of the CA hash>::<6-character id>.<16-character "
      "secret> (lowercase letters and digits); ask the coordinator for a fresh one by restarting "
      "the agent";
  if (token.size() != 3 + 64 + 2 + 6 + 1 + 16 || token.compare(0, 3, "K10") != 0 ||
      token.compare(67, 2, "::") != 0 || token[75] != '.') {
    return Status::InvalidArgument(f, want);
  }
  for (size_t i = 3; i < 67; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(token[i]))) {
      return Status::InvalidArgument(f, want);
    }
  }
  for (size_t i = 69; i < token.size(); ++i) {
    if (i != 75 && !IsLowerAlnum(token[i])) return Status::InvalidArgument(f, want);
  }
  return Status::Ok();
}

Status ValidateTaint(const std::string& taint, const std::string& field) {
  const std::string want = "'" + taint +
                           "' must be key[=value]:Effect with Effect NoSchedule, "
                           "PreferNoSchedule or NoExecute, e.g. hearth.dev/edge=true:NoSchedule";
  const size_t colon = taint.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument(field, want);
  const std::string effect = taint.substr(colon + 1);
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
    return Status::InvalidArgument(field, want);
  }
  const std::string kv = taint.substr(0, colon);
  const size_t eq = kv.find('=');
  const std::string key = kv.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
  if (!IsQualifiedName(key) || !IsLabelValue(value)) return Status::InvalidArgument(field, want);
  return Status::Ok();
}

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

std::string YamlList(const std::string& key, const std::vector<std::string>& items) {
  if (items.empty()) return "";
  std::string out = key + ":\n";
  for (const auto& i : items) out += "  - " + Quote(i) + "\n";
  return out;
}

std::string ConfigYaml(const api::KubeJoin& k, const RenderOptions& o, int max_pods) {
  std::vector<std::string> labels;
  for (const auto& [key, value] : k.labels) labels.push_back(key + "=" + value);
  std::string y;
  y += std::string("# ") + kMarker +
       " (agent/k3s) from the coordinator's device config; it is rewritten when that changes.\n"
       "# k3s agent options (k3s agent --help). Flannel is off by the region's servers\n"
       "# (flannel-backend: none); pods use " +
       o.paths.cni_conf + " and Hearth's overlay routes.\n";
  y += "server: " + Quote(k.server) + "\n";
  y += "token-file: " + Quote(o.paths.token) + "\n";
  y += "node-name: " + Quote(k.node_name) + "\n";
  y += "node-ip: " + Quote(k.node_ip) + "\n";
  y += YamlList("node-label", labels);
  y += YamlList("node-taint", k.taints);
  if (!o.resolv_conf.empty()) y += "resolv-conf: " + Quote(o.resolv_conf) + "\n";
  y += YamlList("kubelet-arg", {"max-pods=" + std::to_string(max_pods)});
  return y;
}

std::string CniConflist(const Ipv4Prefix& pod, int mtu) {
  const std::string gateway = Ipv4(pod.address().value() + 1).ToString();
  nlohmann::ordered_json bridge = {
      {"type", "bridge"},
      {"bridge", kBridgeName},
      {"isGateway", true},
      {"ipMasq", false},
      {"hairpinMode", true},
      {"mtu", mtu},
      {"ipam",
       {{"type", "host-local"},
        {"ranges", {{{{"subnet", pod.ToString()}, {"gateway", gateway}}}}},
        {"routes", {{{"dst", "0.0.0.0/0"}}}}}}};
  nlohmann::ordered_json portmap = {
      {"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}};
  nlohmann::ordered_json conf = {
      {"cniVersion", "1.0.0"},
      {"name", "hearth"},
      {"_comment", std::string(kMarker) + " (agent/k3s): the node's pod network, routed "
                                          "between nodes by the overlay"},
      {"plugins", {bridge, portmap}}};
  return conf.dump(2) + "\n";
}

std::string EgressNft(const Ipv4Prefix& pod, const std::vector<Ipv4Prefix>& routes) {
  // nftables refuses overlapping intervals in one set: keep only the outermost prefixes.
  std::vector<Ipv4Prefix> all = routes;
  all.push_back(pod);
  std::sort(all.begin(), all.end(), [](const Ipv4Prefix& a, const Ipv4Prefix& b) {
    return a.length() != b.length() ? a.length() < b.length() : a < b;
  });
  std::vector<Ipv4Prefix> keep;
  for (const auto& p : all) {
    if (std::none_of(keep.begin(), keep.end(),
                     [&](const Ipv4Prefix& q) { return q.Contains(p); })) {
      keep.push_back(p);
    }
  }
  std::sort(keep.begin(), keep.end());
  std::string set;
  for (const auto& p : keep) set += (set.empty() ? "" : ", ") + p.ToString();
  const std::string t = kEgressTable;
  std::string out;
  out += std::string("# ") + kMarker +
         " (agent/k3s): pods reach the internet through this host's address; traffic to\n"
         "# the region's routed prefixes keeps the pod's address. Replaced as a whole by nft -f.\n";
  out += "table ip " + t + "\ndelete table ip " + t + "\n";
  out += "table ip " + t + " {\n";
  out += "  chain postrouting {\n";
  out += "    type nat hook postrouting priority 100; policy accept;\n";
  out += "    ip saddr " + pod.ToString() + " ip daddr != { " + set + " } masquerade\n";
  out += "  }\n}\n";
  return out;
}

std::string Unit(const Paths& p) {
  std::string u;
  u += std::string("# ") + kMarker + " (agent/k3s); `hearth leave` removes it.\n";
  u += "[Unit]\n"
       "Description=Lightweight Kubernetes agent (k3s), managed by hearth\n"
       "Documentation=https://docs.k3s.io\n"
       "Wants=network-online.target\n"
       "After=network-online.target\n"
       "\n"
       "[Install]\n"
       "WantedBy=multi-user.target\n"
       "\n"
       "[Service]\n"
       "Type=notify\n"
       "EnvironmentFile=-/etc/default/%N\n"
       "KillMode=process\n"
       "Delegate=yes\n"
       "LimitNOFILE=1048576\n"
       "LimitNPROC=infinity\n"
       "LimitCORE=infinity\n"
       "TasksMax=infinity\n"
       "TimeoutStartSec=0\n"
       "Restart=always\n"
       "RestartSec=5s\n"
       "ExecStartPre=-/sbin/modprobe br_netfilter\n"
       "ExecStartPre=-/sbin/modprobe overlay\n";
  u += "ExecStart=" + p.k3s_binary + " agent --config " + p.config + "\n";
  return u;
}

}  // namespace

int MaxPods(const Ipv4Prefix& pod_cidr) {
  const uint64_t usable = pod_cidr.size() > 3 ? pod_cidr.size() - 3 : 0;
  return static_cast<int>(std::min<uint64_t>(kDefaultMaxPods, usable));
}

Status Validate(const api::NetworkConfig& c) {
  if (!c.kubernetes) {
    return Status::FailedPrecondition(
        "no_kubernetes",
        "the device config has no \"kubernetes\" object: this device's region "
        "has no cluster, or the device is not (or no longer) to be a node");
  }
  const api::KubeJoin& k = *c.kubernetes;
  HEARTH_RETURN_IF_ERROR(ValidateServer(k.server));
  HEARTH_RETURN_IF_ERROR(ValidateToken(k.token));
  if (!IsDnsSubdomain(k.node_name)) {
    return Status::InvalidArgument(
        "kubernetes.node_name",
        "'" + k.node_name +
            "' is not a valid node name: at most 253 lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit");
  }
  HEARTH_ASSIGN_OR_RETURN(Ipv4 ip, Ipv4::Parse(k.node_ip, "kubernetes.node_ip"));
  if (ip != c.address.address()) {
    return Status::InvalidArgument("kubernetes.node_ip",
                                   k.node_ip + " is not this device's overlay address " +
                                       c.address.address().ToString() +
                                       "; the node must be reached over the overlay");
  }
  HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix pod, Ipv4Prefix::Parse(k.pod_cidr, "kubernetes.pod_cidr"));
  if (pod.length() < 8 || pod.length() > 28) {
    return Status::InvalidArgument("kubernetes.pod_cidr",
                                   k.pod_cidr +
                                       " must be between /8 and /28 (a /24 holds the "
                                       "kubelet's default of 110 pods)");
  }
  if (c.pod_cidr && *c.pod_cidr != pod) {
    return Status::InvalidArgument("kubernetes.pod_cidr",
                                   k.pod_cidr + " differs from the config's pod_cidr " +
                                       c.pod_cidr->ToString() +
                                       "; the overlay routes only that one to this device");
  }
  for (const auto& [key, value] : k.labels) {
    const std::string f = "kubernetes.labels[\"" + key + "\"]";
    if (!IsQualifiedName(key)) {
      return Status::InvalidArgument(f, "'" + key +
                                            "' is not a label key: [prefix/]name, name at most "
                                            "63 of letters, digits, '-', '_', '.'");
    }
    if (!IsLabelValue(value)) {
      return Status::InvalidArgument(f, "'" + value +
                                            "' is not a label value: at most 63 of letters, "
                                            "digits, '-', '_', '.', alphanumeric at both ends");
    }
    if (!KubeletMaySet(key)) {
      return Status::InvalidArgument(
          f,
          "the kubelet refuses to register with kubernetes.io / k8s.io labels other than its "
          "own (NodeRestriction); the coordinator must apply '" +
              key + "' to the Node itself");
    }
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < k.taints.size(); ++i) {
    const std::string f = "kubernetes.taints[" + std::to_string(i) + "]";
    HEARTH_RETURN_IF_ERROR(ValidateTaint(k.taints[i], f));
    const std::string& t = k.taints[i];
    const std::string key_effect = t.substr(0, t.find_first_of("=:")) + t.substr(t.rfind(':'));
    if (!seen.insert(key_effect).second) {
      return Status::InvalidArgument(f, "'" + t + "' repeats the key and effect of another taint");
    }
  }
  return Status::Ok();
}

StatusOr<Rendered> Render(const api::NetworkConfig& c, const RenderOptions& o) {
  HEARTH_RETURN_IF_ERROR(Validate(c));
  const api::KubeJoin& k = *c.kubernetes;
  const Ipv4Prefix pod = *Ipv4Prefix::Parse(k.pod_cidr, "kubernetes.pod_cidr");
  api::KubeJoin join = k;
  if (join.server.back() == '/') join.server.pop_back();  // Validate allowed one trailing '/'
  Rendered r;
  r.node_name = join.node_name;
  r.server = join.server;
  r.files.push_back({o.paths.config, ConfigYaml(join, o, MaxPods(pod)), 0600, false});
  r.files.push_back({o.paths.token, k.token + "\n", 0600, true});
  r.files.push_back({o.paths.cni_conf, CniConflist(pod, c.mtu), 0644, false});
  r.files.push_back({o.paths.egress, EgressNft(pod, c.routes), 0644, false});
  r.files.push_back({o.paths.unit, Unit(o.paths), 0644, false});
  return r;
}

}  // namespace hearth::agent::k3s
