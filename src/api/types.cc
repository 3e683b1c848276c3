#include "api/types.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>

#include "api/json_reader.h"

namespace hearth::api {
namespace {

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

Status ValidateEmail(const std::string& email) {
  const size_t at = email.find('@');
  if (email.empty()) return Status::InvalidArgument("email", "is required");
  if (at == std::string::npos || at == 0 || at == email.size() - 1 ||
      email.find('@', at + 1) != std::string::npos || email.find('.', at) == std::string::npos) {
    return Status::InvalidArgument("email", "must look like name@example.com");
  }
  for (unsigned char c : email) {
    if (std::isspace(c) || c < 0x21) {
      return Status::InvalidArgument("email", "must not contain spaces or control characters");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Credentials> DecodeCredentials(const std::string& body, bool for_signup) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  JsonReader r(j);
  HEARTH_ASSIGN_OR_RETURN(std::string email, r.String("email", 254));
  HEARTH_ASSIGN_OR_RETURN(std::string password, r.String("password", 1024));
  email = Trim(email);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  HEARTH_RETURN_IF_ERROR(ValidateEmail(email));
  if (for_signup) {
    if (password.size() < 10) {
      return Status::InvalidArgument("password", "must be at least 10 characters long");
    }
    if (password.size() > 256) {
      return Status::InvalidArgument("password", "must be at most 256 characters long");
    }
  } else if (password.empty()) {
    return Status::InvalidArgument("password", "is required");
  }
  return Credentials{std::move(email), Secret<std::string>(std::move(password))};
}

nlohmann::json EncodeAccount(const store::Account& a) {
  return {{"id", a.id.str()},
          {"email", a.email},
          {"role", store::RoleName(a.role)},
          {"created_at", FormatRfc3339(a.created_at)}};
}

StatusOr<CreateInstallKeyRequest> DecodeCreateInstallKey(const std::string& body) {
  CreateInstallKeyRequest req;
  if (body.empty()) return req;
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  JsonReader r(j);
  HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> ttl,
                          r.OptInt("ttl_seconds", 1, int64_t{30} * 86400));
  if (ttl) req.ttl_seconds = *ttl;
  return req;
}

nlohmann::json EncodeInstallKey(const store::InstallKeyRecord& k, Timestamp now) {
  std::string status = "active";
  if (k.used_at)
    status = "used";
  else if (k.revoked_at)
    status = "revoked";
  else if (now >= k.expires_at)
    status = "expired";
  nlohmann::json j = {{"id", k.id.str()},
                      {"hint", k.hint},
                      {"status", status},
                      {"created_at", FormatRfc3339(k.created_at)},
                      {"expires_at", FormatRfc3339(k.expires_at)}};
  if (k.used_by) j["used_by"] = k.used_by->str();
  return j;
}

StatusOr<EnrollRequest> DecodeEnroll(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  JsonReader r(j);
  EnrollRequest req;
  HEARTH_ASSIGN_OR_RETURN(std::string key, r.String("install_key", 200));
  req.install_key = Secret<std::string>(std::move(key));
  HEARTH_ASSIGN_OR_RETURN(req.hostname, r.String("hostname", 253));
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> name, r.OptString("name", 64));
  req.name = name.value_or(req.hostname);
  HEARTH_ASSIGN_OR_RETURN(req.name, ValidateDeviceName(req.name, name ? "name" : "hostname"));
  HEARTH_ASSIGN_OR_RETURN(req.agent_version, r.String("agent_version", 64));
  HEARTH_ASSIGN_OR_RETURN(req.wg_public_key, r.String("wg_public_key", 64));
  HEARTH_ASSIGN_OR_RETURN(req.identity_public_key, r.String("identity_public_key", 128));
  HEARTH_ASSIGN_OR_RETURN(req.inventory, r.Object("inventory"));
  if (auto it = j.find("preflight"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("preflight", "must be an array of checks");
    req.preflight = *it;
  }
  if (auto it = j.find("placement"); it != j.end()) {
    HEARTH_ASSIGN_OR_RETURN(req.placement, DecodePlacementEvidence(*it, "placement"));
  }
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> role, r.OptString("role", 16));
  req.role = role.value_or("worker");
  if (req.role != "worker" && req.role != "gateway" && req.role != "control") {
    return Status::InvalidArgument("role", "must be worker, gateway or control");
  }
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> endpoint, r.OptString("endpoint", 270));
  req.endpoint = endpoint.value_or("");
  if (req.role == "gateway") {
    if (req.endpoint.empty()) {
      return Status::InvalidArgument(
          "endpoint",
          "a gateway must declare its public endpoint as HOST:PORT, e.g. "
          "203.0.113.10:51820 (hearth join --role gateway --endpoint ...)");
    }
    HEARTH_RETURN_IF_ERROR(ValidateEndpoint(req.endpoint, "endpoint"));
  } else if (!req.endpoint.empty()) {
    return Status::InvalidArgument("endpoint", "only gateways declare an endpoint; drop it");
  }
  return req;
}

StatusOr<HeartbeatRequest> DecodeHeartbeat(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  JsonReader r(j);
  HeartbeatRequest hb;
  HEARTH_ASSIGN_OR_RETURN(hb.agent_version, r.String("agent_version", 64));
  HEARTH_ASSIGN_OR_RETURN(hb.uptime_seconds, r.Int("uptime_seconds", 0, int64_t{1} << 40));
  HEARTH_ASSIGN_OR_RETURN(std::optional<double> l1, r.OptNumber("load1", 0, 1e6));
  HEARTH_ASSIGN_OR_RETURN(std::optional<double> l5, r.OptNumber("load5", 0, 1e6));
  HEARTH_ASSIGN_OR_RETURN(std::optional<double> l15, r.OptNumber("load15", 0, 1e6));
  hb.load1 = l1.value_or(0);
  hb.load5 = l5.value_or(0);
  hb.load15 = l15.value_or(0);
  HEARTH_ASSIGN_OR_RETURN(hb.mem_available_bytes,
                          r.OptInt("mem_available_bytes", 0, int64_t{1} << 50));
  if (auto it = j.find("network"); it != j.end() && !it->is_null()) {
    HEARTH_ASSIGN_OR_RETURN(NetworkStatus ns, DecodeNetworkStatus(*it, "network"));
    hb.network = std::move(ns);
  }
  if (auto it = j.find("inventory"); it != j.end() && !it->is_null()) {
    HEARTH_ASSIGN_OR_RETURN(hb.inventory, r.Object("inventory"));
  }
  return hb;
}

nlohmann::json EncodeHeartbeatPayload(const HeartbeatRequest& hb) {
  nlohmann::json j = {{"uptime_seconds", hb.uptime_seconds},
                      {"load1", hb.load1},
                      {"load5", hb.load5},
                      {"load15", hb.load15}};
  if (hb.mem_available_bytes) j["mem_available_bytes"] = *hb.mem_available_bytes;
  if (hb.network) j["network"] = EncodeNetworkStatus(*hb.network);
  return j;
}

StatusOr<std::string> ValidateDeviceName(std::string name, const std::string& field) {
  name = Trim(std::move(name));
  if (name.empty()) return Status::InvalidArgument(field, "must not be empty");
  if (name.size() > 64) return Status::InvalidArgument(field, "must be at most 64 characters");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(field, "must not contain control characters");
    }
  }
  return name;
}

StatusOr<std::string> DecodeRename(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  HEARTH_ASSIGN_OR_RETURN(std::string name, JsonReader(j).String("name", 64));
  return ValidateDeviceName(std::move(name), "name");
}

std::string_view DeviceStatusName(DeviceStatus s) {
  switch (s) {
    case DeviceStatus::kOnline:
      return "online";
    case DeviceStatus::kStale:
      return "stale";
    case DeviceStatus::kOffline:
      return "offline";
  }
  return "offline";
}

DeviceStatus StatusOf(const store::Device& d, Timestamp now, const LivenessPolicy& p) {
  const Duration age = now - d.last_seen;
  if (age >= p.offline_after) return DeviceStatus::kOffline;
  if (age >= p.stale_after) return DeviceStatus::kStale;
  return DeviceStatus::kOnline;
}

StatusOr<DeviceAction> DecodeDeviceAction(const std::string& body) {
  HEARTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  JsonReader r(j);
  DeviceAction a;
  HEARTH_ASSIGN_OR_RETURN(a.action, r.String("action", 16));
  if (a.action != "cordon" && a.action != "uncordon" && a.action != "drain" && a.action != "ban" &&
      a.action != "unban") {
    return Status::InvalidArgument("action", "must be cordon, uncordon, drain, ban or unban");
  }
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> reason, r.OptString("reason", 500));
  a.reason = reason.value_or("");
  return a;
}

void AddKubeLiveness(nlohmann::json& k8s, DeviceStatus status, Timestamp now) {
  auto time_of = [&](const char* key) -> std::optional<Timestamp> {
    if (!k8s.contains(key) || !k8s[key].is_string()) return std::nullopt;
    const std::string t = k8s[key].get<std::string>();
    // RFC 3339 as Kubernetes and FormatRfc3339 write it; the fraction is ignored.
    std::tm tm{};
    if (t.size() < 20 || strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
      return std::nullopt;
    }
    return FromUnixMillis(static_cast<int64_t>(timegm(&tm)) * 1000);
  };
  if (auto renewed = time_of("lease_renewed_at")) {
    k8s["lease_age_seconds"] = std::max<int64_t>(0, (now - *renewed).count() / 1000);
  }
  const std::string state = k8s.value("state", "");
  const std::string node = k8s.value("node", "");
  std::string mismatch;
  if (status == DeviceStatus::kOnline && state == "notready") {
    std::string reason;
    if (k8s.contains("ready") && k8s["ready"].is_object())
      reason = k8s["ready"].value("reason", "");
    mismatch = "device online but node " + node + " is NotReady" +
               (reason.empty() ? "" : " (" + reason + ")");
  } else if (status == DeviceStatus::kOnline && state == "missing") {
    auto since = time_of("missing_since");
    if (since && now - *since >= kKubeJoinGrace) {
      mismatch = "device online but node " + node + " has not registered with the cluster";
    }
  } else if (status == DeviceStatus::kOffline && state == "ready") {
    mismatch = "node " + node + " is Ready but the device stopped heartbeating";
  }
  if (!mismatch.empty()) k8s["mismatch"] = mismatch;
}

nlohmann::json EncodeDevice(const store::Device& d, Timestamp now, const LivenessPolicy& p) {
  nlohmann::json inventory = nlohmann::json::parse(d.inventory_json, nullptr, false);
  nlohmann::json hb = nlohmann::json::parse(d.last_heartbeat_json, nullptr, false);
  // Desired vs applied overlay configuration, so drift is visible.
  nlohmann::json net = {{"region", d.region_id},
                        {"address", d.overlay_ip},
                        {"desired_version", d.config_version},
                        {"applied_version", d.applied_version},
                        {"in_sync", d.config_version == d.applied_version}};
  if (!d.pod_cidr.empty()) net["pod_cidr"] = d.pod_cidr;
  if (d.home_gateway) net["home_gateway"] = d.home_gateway->str();
  if (!d.applied_error.empty()) net["applied_error"] = d.applied_error;
  if (d.role == "gateway") {
    net["endpoint"] = d.endpoint;
    net["gateway_state"] = d.gateway_down_at ? "down" : "up";
  }
  // Where placement put the device and why; a waitlisted device shows only its coarse cell.
  nlohmann::json placement = nlohmann::json::parse(d.placement_json, nullptr, false);
  if (d.placement_json.empty() || placement.is_discarded()) {
    placement = nlohmann::json::object();
    placement["region"] =
        d.region_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.region_id);
    placement["reason"] = d.region_id.empty() ? "pending" : "single_region";
    placement["evidence"] = "";
  }
  if (!d.waitlist_cell.empty()) placement["waitlist_cell"] = d.waitlist_cell;
  // The Kubernetes node as the kube module last saw it: {"state", ...k8s_json}.
  nlohmann::json k8s = nlohmann::json::parse(d.k8s_json, nullptr, false);
  if (!k8s.is_object()) k8s = nlohmann::json::object();
  k8s["state"] = d.k8s_state.empty() ? "none" : d.k8s_state;
  AddKubeLiveness(k8s, StatusOf(d, now, p), now);
  return {{"id", d.id.str()},
          {"admin_state", d.admin_state},
          {"admin_reason", d.admin_reason},
          {"admin_state_at", d.admin_state_at ? nlohmann::json(FormatRfc3339(*d.admin_state_at))
                                              : nlohmann::json(nullptr)},
          {"k8s", k8s},
          {"name", d.name},
          {"owner_id", d.owner_id.str()},
          {"placement", placement},
          {"role", d.role},
          {"status", DeviceStatusName(StatusOf(d, now, p))},
          {"last_seen", FormatRfc3339(d.last_seen)},
          {"enrolled_at", FormatRfc3339(d.enrolled_at)},
          {"agent_version", d.agent_version},
          {"wg_public_key", d.wg_public_key},
          {"inventory", inventory.is_discarded() ? nlohmann::json::object() : inventory},
          {"heartbeat", hb.is_discarded() ? nlohmann::json::object() : hb},
          {"network", net},
          {"admin_state", d.admin_state},
          {"admin_reason", d.admin_reason},
          {"k8s", k8s}};
}

}  // namespace hearth::api
