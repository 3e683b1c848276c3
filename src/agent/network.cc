#include "agent/network.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "agent/wireguard/kernel.h"
#include "agent/wireguard/userspace.h"
#include "api/json_reader.h"
#include "common/keys.h"
#include "common/log.h"

namespace hearth::agent {
namespace {

constexpr char kNetworkFile[] = "network.json";

struct SavedNetwork {
  std::string interface_name;
  std::string backend;
  int pid = 0;
  bool forwarding_enabled = false;
  std::optional<api::NetworkConfig> config;
};

StatusOr<std::optional<SavedNetwork>> LoadSaved(const StateDir& dir) {
  const std::string file = dir.File(kNetworkFile);
  if (access(file.c_str(), F_OK) != 0) return std::optional<SavedNetwork>();
  HEARTH_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(file));
  auto j = api::ParseObject(text);
  if (!j.ok()) {
    return Status::FailedPrecondition("corrupt_state",
                                      file +
                                          " is not valid JSON; delete it and restart the "
                                          "agent (the coordinator sends the config again)");
  }
  api::JsonReader r(*j, file);
  SavedNetwork s;
  HEARTH_ASSIGN_OR_RETURN(s.interface_name, r.String("interface", 15));
  HEARTH_RETURN_IF_ERROR(wireguard::ValidateInterfaceName(s.interface_name, r.Field("interface")));
  HEARTH_ASSIGN_OR_RETURN(std::optional<std::string> backend, r.OptString("backend", 16));
  s.backend = backend.value_or("");
  HEARTH_ASSIGN_OR_RETURN(std::optional<int64_t> pid, r.OptInt("wireguard_go_pid", 0, 1 << 30));
  s.pid = static_cast<int>(pid.value_or(0));
  s.forwarding_enabled = j->value("forwarding_enabled", false);
  if (j->contains("config") && !(*j)["config"].is_null()) {
    auto c = api::DecodeNetworkConfig((*j)["config"]);
    if (!c.ok()) {
      return Status::FailedPrecondition(
          "corrupt_state", file + ": config." + c.status().field() + ": " + c.status().message());
    }
    s.config = std::move(*c);
  }
  return std::optional<SavedNetwork>(std::move(s));
}

std::string Join(const std::vector<wireguard::Op>& ops) {
  std::string s;
  for (const auto& op : ops) s += (s.empty() ? "" : "; ") + op.ToString();
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<NetworkAgent>> NetworkAgent::Create(const StateDir& dir,
                                                             const NetworkOptions& o,
                                                             const Clock& clock) {
  HEARTH_RETURN_IF_ERROR(wireguard::ValidateInterfaceName(o.interface_name, "--interface"));
  auto host = std::make_unique<wireguard::IpHostNetwork>("ip", o.procfs);
  wireguard::WireGuardPtr wg;
  const std::string probe = "hth" + std::to_string(getpid() % 1000000) + "p";
  if (wireguard::KernelWireGuard::KernelSupported(probe)) {
    wg = std::make_unique<wireguard::KernelWireGuard>(o.interface_name);
  } else {
    wireguard::UserspaceOptions u;
    u.interface_name = o.interface_name;
    u.wireguard_go = o.wireguard_go;
    u.socket_dir = o.socket_dir;
    u.log_file = dir.File("wireguard-go.log");
    wg = std::make_unique<wireguard::UserspaceWireGuard>(u);
  }
  return std::make_unique<NetworkAgent>(dir, std::move(wg), std::move(host), clock);
}

NetworkAgent::NetworkAgent(const StateDir& dir, wireguard::WireGuardPtr wg,
                           wireguard::HostNetworkPtr host, const Clock& clock)
    : dir_(dir),
      clock_(clock),
      wg_(std::move(wg)),
      host_(std::move(host)),
      reconciler_(*wg_, *host_) {}

Status NetworkAgent::Save() {
  nlohmann::json j = {{"interface", wg_->interface_name()},
                      {"backend", wg_->kind()},
                      {"wireguard_go_pid", wg_->pid()},
                      {"forwarding_enabled", forwarding_enabled_},
                      {"config", applied_ ? api::EncodeNetworkConfig(*applied_) : nullptr}};
  saved_pid_ = wg_->pid();
  return WritePrivateFile(dir_.File(kNetworkFile), j.dump(2) + "\n");
}

Status NetworkAgent::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  HEARTH_ASSIGN_OR_RETURN(std::optional<SavedNetwork> saved, LoadSaved(dir_));
  if (!saved) return Status::Ok();
  if (saved->interface_name != wg_->interface_name()) {
    return Status::FailedPrecondition(
        "interface_changed", "this state directory's network runs on interface '" +
                                 saved->interface_name + "', not '" + wg_->interface_name() +
                                 "'; pass --interface " + saved->interface_name +
                                 " (or run `hearth leave` first to start over)");
  }
  forwarding_enabled_ = saved->forwarding_enabled;
  if (auto* u = dynamic_cast<wireguard::UserspaceWireGuard*>(wg_.get()); u && saved->pid > 0) {
    u->Adopt(saved->pid);
  }
  if (!saved->config) return Status::Ok();
  auto ops = ApplyLocked(*saved->config);
  if (!ops.ok()) return ops.status();
  log::Info("network restored", {{"interface", wg_->interface_name()},
                                 {"version", applied_->version},
                                 {"changes", static_cast<int64_t>(ops->size())}});
  return Status::Ok();
}

StatusOr<std::vector<wireguard::Op>> NetworkAgent::ApplyLocked(const api::NetworkConfig& c) {
  const std::string key_file = dir_.File(c.private_key);
  HEARTH_ASSIGN_OR_RETURN(std::string key_text, ReadPrivateFile(key_file));
  while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == ' ')) {
    key_text.pop_back();
  }
  HEARTH_ASSIGN_OR_RETURN(WgPrivateKey key, WgPrivateKey::Parse(key_text, key_file));
  HEARTH_ASSIGN_OR_RETURN(wireguard::Desired desired, wireguard::MakeDesired(c, key.Public()));
  HEARTH_ASSIGN_OR_RETURN(bool forwarding_before, host_->Forwarding());
  HEARTH_ASSIGN_OR_RETURN(std::vector<wireguard::Op> ops,
                          reconciler_.Reconcile(desired, key, key_file));
  if (c.forwarding && !forwarding_before) forwarding_enabled_ = true;
  const bool changed = !applied_ || applied_->version != c.version || wg_->pid() != saved_pid_ ||
                       (c.forwarding && !forwarding_before);
  applied_ = c;
  if (changed) HEARTH_RETURN_IF_ERROR(Save());
  return ops;
}

StatusOr<std::vector<wireguard::Op>> NetworkAgent::Apply(const api::NetworkConfig& c) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::optional<api::NetworkConfig> previous = applied_;
  auto ops = ApplyLocked(c);
  if (ops.ok()) {
    log::Info(
        "network config applied",
        {{"interface", wg_->interface_name()}, {"version", c.version}, {"changes", Join(*ops)}});
    return ops;
  }
  log::Error("network config not applied",
             {{"version", c.version}, {"error", ops.status().ToString()}});
  applied_ = previous;
  if (previous) {
    auto back = ApplyLocked(*previous);
    if (!back.ok()) {
      log::Error("previous network config not restored",
                 {{"version", previous->version}, {"error", back.status().ToString()}});
    }
  }
  return ops.status();
}

StatusOr<std::vector<wireguard::Op>> NetworkAgent::Repair() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!applied_) return std::vector<wireguard::Op>{};
  auto ops = ApplyLocked(*applied_);
  if (ops.ok() && !ops->empty()) {
    log::Warn("network drift repaired",
              {{"interface", wg_->interface_name()}, {"repairs", Join(*ops)}});
  }
  return ops;
}

int64_t NetworkAgent::applied_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_ ? applied_->version : 0;
}

std::optional<api::NetworkConfig> NetworkAgent::applied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

StatusOr<api::NetworkStatus> NetworkAgent::LiveStatus() {
  std::lock_guard<std::mutex> lock(mu_);
  api::NetworkStatus s;
  s.applied_version = applied_ ? applied_->version : 0;
  s.interface = wg_->interface_name();
  HEARTH_ASSIGN_OR_RETURN(std::optional<wireguard::ObservedDevice> dev, wg_->Observe());
  if (!dev) return s;
  const int64_t now = ToUnixMillis(clock_.Now()) / 1000;
  for (const auto& p : dev->peers) {
    api::PeerStatus ps;
    ps.public_key = p.public_key;
    if (p.last_handshake_unix_seconds > 0) {
      ps.last_handshake_seconds_ago = std::max<int64_t>(0, now - p.last_handshake_unix_seconds);
    }
    ps.rx_bytes = p.rx_bytes;
    ps.tx_bytes = p.tx_bytes;
    ps.endpoint = p.endpoint;
    s.peers.push_back(std::move(ps));
  }
  return s;
}

void NetworkAgent::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  if (wg_->kind() != "userspace" || wg_->pid() == 0) return;
  log::Info("stopping wireguard-go",
            {{"interface", wg_->interface_name()}, {"pid", static_cast<int64_t>(wg_->pid())}});
  (void)wg_->RemoveInterface();
  (void)Save();
}

Status RemoveNetwork(const StateDir& dir, const NetworkOptions& o, std::ostream& out) {
  HEARTH_ASSIGN_OR_RETURN(std::optional<SavedNetwork> saved, LoadSaved(dir));
  if (!saved) return Status::Ok();
  wireguard::UserspaceOptions u;
  u.interface_name = saved->interface_name;
  u.socket_dir = o.socket_dir;
  wireguard::UserspaceWireGuard wg(u);
  if (saved->pid > 0) wg.Adopt(saved->pid);
  if (wg.pid() != 0) {
    HEARTH_RETURN_IF_ERROR(wg.RemoveInterface());
    out << "Stopped wireguard-go (pid " << saved->pid << ").\n";
  }
  wireguard::IpHostNetwork host("ip", o.procfs);
  HEARTH_ASSIGN_OR_RETURN(wireguard::ObservedLink link, host.ObserveLink(saved->interface_name));
  if (link.exists) {
    HEARTH_RETURN_IF_ERROR(host.DeleteLink(saved->interface_name));
    out << "Removed interface " << saved->interface_name << ".\n";
  }
  if (saved->forwarding_enabled) {
    HEARTH_RETURN_IF_ERROR(host.SetForwarding(false));
    out << "Switched IPv4 forwarding back off.\n";
  }
  const std::string file = dir.File(kNetworkFile);
  if (unlink(file.c_str()) != 0 && errno != ENOENT) {
    return Status::Internal("cannot remove " + file + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace hearth::agent
