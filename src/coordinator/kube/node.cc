#include "coordinator/kube/node.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace hearth::kube {
namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// As the inventory operator's FilterGPUInterface: lower case, "sxm*" → "sxm".
std::string GpuInterface(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v.rfind("sxm", 0) == 0) v = "sxm";
  return v;
}

void Count(std::map<std::string, std::string>& labels, const std::string& key) {
  auto it = labels.find(key);
  labels[key] = it == labels.end() ? "1" : std::to_string(std::stoll(it->second) + 1);
}

std::string StringAt(const nlohmann::json& j, const char* a, const char* b) {
  if (!j.is_object() || !j.contains(a) || !j[a].is_object()) return "";
  const auto& o = j[a];
  if (!o.contains(b) || !o[b].is_string()) return "";
  return o[b].get<std::string>();
}

bool IsManagedTaint(const Taint& t, const std::vector<Taint>& desired) {
  if (t.key == kEdgeTaintKey) return true;
  for (const Taint& d : desired) {
    if (d.key == t.key) return true;
  }
  return false;
}

}  // namespace

std::string Taint::ToString() const {
  return key + (value.empty() ? "" : "=" + value) + ":" + effect;
}

nlohmann::json Taint::ToJson() const {
  nlohmann::json j = {{"key", key}, {"effect", effect}};
  if (!value.empty()) j["value"] = value;
  return j;
}

StatusOr<Taint> ParseTaint(const std::string& text, const std::string& field) {
  const Status bad = Status::InvalidArgument(
      field, "'" + text +
                 "' is not a taint; write key=value:Effect (Effect: NoSchedule, "
                 "PreferNoSchedule or NoExecute), e.g. hearth.dev/edge=true:NoSchedule");
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad;
  Taint t;
  t.effect = text.substr(colon + 1);
  if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
    return bad;
  }
  const std::string kv = text.substr(0, colon);
  const size_t eq = kv.find('=');
  t.key = kv.substr(0, eq);
  if (eq != std::string::npos) t.value = kv.substr(eq + 1);
  auto valid = [](const std::string& s, bool allow_slash) {
    return std::all_of(s.begin(), s.end(), [&](unsigned char c) {
      return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || (allow_slash && c == '/');
    });
  };
  if (t.key.empty() || t.key.size() > 253 || !valid(t.key, true) || t.value.size() > 63 ||
      !valid(t.value, false)) {
    return bad;
  }
  return t;
}

Taint DefaultEdgeTaint() { return {kEdgeTaintKey, "true", "NoSchedule"}; }

std::string NodeName(const DeviceId& device, int64_t generation) {
  const std::string& id = device.str();
  const size_t us = id.find('_');
  const std::string suffix = us == std::string::npos ? id : id.substr(us + 1);
  return "hearth-" + suffix + "-" + std::to_string(generation);
}

std::map<std::string, std::string> AkashGpuLabels(const agent::Inventory& inventory) {
  std::map<std::string, std::string> labels;
  for (const agent::Gpu& g : inventory.gpus) {
    if (g.vendor.empty() || g.model.empty()) continue;  // not in the Akash GPU database
    if (g.vendor == "nvidia") labels[kNvidiaGpuPresent] = "true";
    const std::string key =
        std::string(kAkashGpuLabelPrefix) + "vendor." + g.vendor + ".model." + g.model;
    Count(labels, key);
    if (!g.memory_size.empty()) Count(labels, key + ".ram." + g.memory_size);
    if (!g.interface.empty()) Count(labels, key + ".interface." + GpuInterface(g.interface));
  }
  return labels;
}

bool IsManagedLabel(const std::string& key) {
  return StartsWith(key, "hearth.dev/") || StartsWith(key, kAkashGpuLabelPrefix) ||
         key == kNvidiaGpuPresent;
}

DesiredNode DesiredNodeFor(const store::Device& device, const std::string& node_name,
                           const NodePolicy& policy) {
  DesiredNode n;
  n.name = node_name;
  n.labels[kLabelRegion] = device.region_id;
  n.labels[kLabelDevice] = device.id.str();
  n.labels[kLabelEdge] = "true";
  auto inv = agent::InventoryFromJson(nlohmann::json::parse(device.inventory_json, nullptr, false));
  if (inv.ok()) {
    for (auto& [k, v] : AkashGpuLabels(*inv)) n.labels[k] = v;
  }
  if (policy.edge_taint) n.taints.push_back(*policy.edge_taint);
  n.pod_cidr = device.pod_cidr;
  n.unschedulable = device.removed_at.has_value() || device.admin_state != "active";
  return n;
}

std::optional<nlohmann::json> NodePatch(const nlohmann::json& node, const DesiredNode& desired,
                                        std::vector<std::string>* conflicts) {
  nlohmann::json patch = nlohmann::json::object();
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& meta = node.contains("metadata") ? node["metadata"] : empty;
  const nlohmann::json& spec = node.contains("spec") ? node["spec"] : empty;

  // Labels: set what differs, remove managed ones no longer wanted.
  nlohmann::json labels = nlohmann::json::object();
  const nlohmann::json& have =
      meta.contains("labels") && meta["labels"].is_object() ? meta["labels"] : empty;
  for (const auto& [k, v] : desired.labels) {
    if (!have.contains(k) || !have[k].is_string() || have[k].get<std::string>() != v) labels[k] = v;
  }
  for (const auto& [k, v] : have.items()) {
    if (IsManagedLabel(k) && desired.labels.count(k) == 0) labels[k] = nullptr;
  }
  if (!labels.empty()) patch["metadata"]["labels"] = labels;

  // podCIDR: set once; a different one cannot be changed.
  const std::string cidr = spec.value("podCIDR", "");
  if (!desired.pod_cidr.empty()) {
    if (cidr.empty()) {
      patch["spec"]["podCIDR"] = desired.pod_cidr;
      patch["spec"]["podCIDRs"] = nlohmann::json::array({desired.pod_cidr});
    } else if (cidr != desired.pod_cidr && conflicts != nullptr) {
      conflicts->push_back("the node's podCIDR is " + cidr + " but the device's pod CIDR is " +
                           desired.pod_cidr + " (podCIDR cannot change; delete the node)");
    }
  }

  const bool unschedulable = spec.value("unschedulable", false);
  if (unschedulable != desired.unschedulable)
    patch["spec"]["unschedulable"] = desired.unschedulable;

  // Taints: keep everything that is not Hearth's, then the desired ones.
  std::vector<Taint> current, next;
  if (spec.contains("taints") && spec["taints"].is_array()) {
    for (const auto& t : spec["taints"]) {
      if (!t.is_object()) continue;
      current.push_back({t.value("key", ""), t.value("value", ""), t.value("effect", "")});
    }
  }
  nlohmann::json taints = nlohmann::json::array();
  for (const Taint& t : current) {
    if (!IsManagedTaint(t, desired.taints)) next.push_back(t);
  }
  next.insert(next.end(), desired.taints.begin(), desired.taints.end());
  auto sorted = [](std::vector<Taint> v) {
    std::sort(v.begin(), v.end(),
              [](const Taint& a, const Taint& b) { return a.ToString() < b.ToString(); });
    return v;
  };
  if (sorted(current) != sorted(next)) {
    // Re-send the others exactly as they are (timeAdded included).
    if (spec.contains("taints") && spec["taints"].is_array()) {
      for (const auto& t : spec["taints"]) {
        if (!t.is_object()) continue;
        if (!IsManagedTaint({t.value("key", ""), t.value("value", ""), t.value("effect", "")},
                            desired.taints)) {
          taints.push_back(t);
        }
      }
    }
    for (const Taint& t : desired.taints) taints.push_back(t.ToJson());
    patch["spec"]["taints"] = taints;
    patch["metadata"]["resourceVersion"] = meta.value("resourceVersion", "");
  }
  if (patch.empty()) return std::nullopt;
  return patch;
}

NodeFacts ObserveNode(const nlohmann::json& node) {
  NodeFacts f;
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& spec = node.contains("spec") ? node["spec"] : empty;
  const nlohmann::json& status = node.contains("status") ? node["status"] : empty;
  f.unschedulable = spec.value("unschedulable", false);
  f.pod_cidr = spec.value("podCIDR", "");
  if (status.contains("capacity") && status["capacity"].is_object())
    f.capacity = status["capacity"];
  f.kubelet_version = StringAt(status, "nodeInfo", "kubeletVersion");
  if (status.contains("conditions") && status["conditions"].is_array()) {
    for (const auto& c : status["conditions"]) {
      if (!c.is_object() || c.value("type", "") != "Ready") continue;
      f.ready = c.value("status", "") == "True";
      f.ready_reason = c.value("reason", "");
      f.ready_since = c.value("lastTransitionTime", "");
    }
  }
  if (f.ready_reason.empty() && !f.ready) f.ready_reason = "NoReadyCondition";
  return f;
}

std::optional<Timestamp> ParseKubeTime(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto num = [&](size_t pos, size_t n) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_min < 0 ||
      tm.tm_sec < 0) {
    return std::nullopt;
  }
  int ms = 0;
  if (text.size() > 20) {
    if (text[19] != '.') return std::nullopt;
    const std::string frac = text.substr(20, text.size() - 21);
    if (frac.empty() || frac.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    ms = std::stoi((frac + "000").substr(0, 3));
  }
  return FromUnixMillis(static_cast<int64_t>(timegm(&tm)) * 1000 + ms);
}

}  // namespace hearth::kube
