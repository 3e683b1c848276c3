#include "agent/state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/json_reader.h"
#include "common/keys.h"

namespace hearth::agent {

Status StateDir::Ensure() const {
  struct stat st {};
  if (stat(path_.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("--state-dir",
                                     "'" + path_ + "' exists and is not a directory");
    }
    return Status::Ok();
  }
  if (mkdir(path_.c_str(), 0700) != 0) {
    return Status::InvalidArgument("--state-dir", "cannot create '" + path_ +
                                                      "': " + std::strerror(errno) +
                                                      "; create it or pick a writable path");
  }
  return Status::Ok();
}

StatusOr<std::optional<DeviceState>> StateDir::LoadDevice() const {
  const std::string file = File("state.json");
  if (access(file.c_str(), F_OK) != 0) return std::optional<DeviceState>();
  HEARTH_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(file));
  auto j = api::ParseObject(text);
  if (!j.ok()) {
    return Status::FailedPrecondition("corrupt_state", file +
                                                           " is not valid JSON; remove it and "
                                                           "enroll again with `hearth join`");
  }
  api::JsonReader r(*j, file);
  DeviceState s;
  HEARTH_ASSIGN_OR_RETURN(s.coordinator, r.String("coordinator", 2048));
  HEARTH_ASSIGN_OR_RETURN(s.device_id, r.String("device_id"));
  HEARTH_ASSIGN_OR_RETURN(std::string cred, r.String("credential"));
  s.credential = Secret<std::string>(std::move(cred));
  HEARTH_ASSIGN_OR_RETURN(s.name, r.String("name"));
  HEARTH_ASSIGN_OR_RETURN(s.heartbeat_interval_seconds,
                          r.Int("heartbeat_interval_seconds", 1, 86400));
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> at, r.OptString("enrolled_at"));
  s.enrolled_at = at.value_or("");
  if (auto it = j->find("inventory_roots"); it != j->end()) {
    if (!it->is_object()) {
      return Status::InvalidArgument(r.Field("inventory_roots"),
                                     "must be an object {\"sysfs\",\"procfs\",\"etc\","
                                     "\"nvidia_smi\"}; remove it to read from /sys, /proc, /etc");
    }
    api::JsonReader roots(*it, r.Field("inventory_roots"));
    InventoryRoots& out = s.inventory_roots;
    HEARTH_ASSIGN_OR_RETURN(auto sysfs, roots.OptString("sysfs", 4096));
    HEARTH_ASSIGN_OR_RETURN(auto procfs, roots.OptString("procfs", 4096));
    HEARTH_ASSIGN_OR_RETURN(auto etc, roots.OptString("etc", 4096));
    HEARTH_ASSIGN_OR_RETURN(auto nvidia_smi, roots.OptString("nvidia_smi", 4096));
    out.sysfs = sysfs.value_or(out.sysfs);
    out.procfs = procfs.value_or(out.procfs);
    out.etc = etc.value_or(out.etc);
    out.nvidia_smi = nvidia_smi.value_or(out.nvidia_smi);
  }
  return std::optional<DeviceState>(std::move(s));
}

Status StateDir::SaveDevice(const DeviceState& s) const {
  nlohmann::json j = {{"coordinator", s.coordinator},
                      {"device_id", s.device_id},
                      {"credential", s.credential.Reveal()},
                      {"name", s.name},
                      {"heartbeat_interval_seconds", s.heartbeat_interval_seconds},
                      {"enrolled_at", s.enrolled_at},
                      {"inventory_roots",
                       {{"sysfs", s.inventory_roots.sysfs},
                        {"procfs", s.inventory_roots.procfs},
                        {"etc", s.inventory_roots.etc},
                        {"nvidia_smi", s.inventory_roots.nvidia_smi}}}};
  return WritePrivateFile(File("state.json"), j.dump(2) + "\n");
}

nlohmann::json StatusToJson(const AgentStatus& s) {
  return {{"last_attempt", s.last_attempt},
          {"last_success", s.last_success},
          {"last_error", s.last_error},
          {"consecutive_failures", s.consecutive_failures},
          {"revoked", s.revoked},
          {"network", s.network},
          {"k3s", s.k3s}};
}

Status StateDir::SaveStatus(const AgentStatus& s) const {
  return WritePrivateFile(File("status.json"), StatusToJson(s).dump(2) + "\n");
}

StatusOr<std::optional<AgentStatus>> StateDir::LoadStatus() const {
  const std::string file = File("status.json");
  if (access(file.c_str(), F_OK) != 0) return std::optional<AgentStatus>();
  HEARTH_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(file));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::optional<AgentStatus>();
  AgentStatus s;
  try {  // a hand-edited file with wrong types reads as "no status", not a crash
    s.last_attempt = j.value("last_attempt", "");
    s.last_success = j.value("last_success", "");
    s.last_error = j.value("last_error", "");
    s.consecutive_failures = j.value("consecutive_failures", int64_t{0});
    s.revoked = j.value("revoked", false);
    if (j.contains("network") && j["network"].is_object()) s.network = j["network"];
    if (j.contains("k3s") && j["k3s"].is_object()) s.k3s = j["k3s"];
  } catch (const nlohmann::json::exception&) {
    return std::optional<AgentStatus>();
  }
  return std::optional<AgentStatus>(std::move(s));
}

namespace {

StatusOr<std::string> ReadKeyText(const std::string& file) {
  HEARTH_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(file));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

StatusOr<WgPrivateKey> StateDir::LoadOrCreateWgKey() const {
  const std::string file = File("wg.key");
  if (access(file.c_str(), F_OK) == 0) {
    HEARTH_ASSIGN_OR_RETURN(std::string text, ReadKeyText(file));
    return WgPrivateKey::Parse(text, file);
  }
  WgPrivateKey key = WgPrivateKey::Generate();
  HEARTH_RETURN_IF_ERROR(WritePrivateFile(file, key.ToBase64().Reveal() + "\n"));
  return key;
}

StatusOr<IdentityPrivateKey> StateDir::LoadIdentityKey() const {
  const std::string file = File("identity.key");
  HEARTH_ASSIGN_OR_RETURN(std::string text, ReadKeyText(file));
  return IdentityPrivateKey::Parse(text, file);
}

StatusOr<IdentityPrivateKey> StateDir::LoadOrCreateIdentityKey() const {
  if (access(File("identity.key").c_str(), F_OK) == 0) return LoadIdentityKey();
  IdentityPrivateKey key = IdentityPrivateKey::Generate();
  HEARTH_RETURN_IF_ERROR(WritePrivateFile(File("identity.key"), key.ToText().Reveal() + "\n"));
  return key;
}

Status StateDir::Clear() const {
  for (const char* name : {"state.json", "status.json", "network.json", "wireguard-go.log",
                           "wg.key", "identity.key"}) {
    const std::string f = File(name);
    if (unlink(f.c_str()) != 0 && errno != ENOENT) {
      return Status::Internal("cannot remove " + f + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace hearth::agent
