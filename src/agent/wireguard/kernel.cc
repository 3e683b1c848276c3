#include "agent/wireguard/kernel.h"

#include "common/subprocess.h"

namespace hearth::agent::wireguard {
namespace {

Status RunOk(const std::vector<std::string>& argv) {
  HEARTH_ASSIGN_OR_RETURN(RunResult r, Run(argv));
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    return Status::Internal("`" + cmd + "` failed (exit " + std::to_string(r.exit_code) +
                            "): " + r.output);
  }
  return Status::Ok();
}

}  // namespace

bool KernelWireGuard::KernelSupported(const std::string& probe_name, const std::string& ip) {
  auto r = Run({ip, "link", "add", probe_name, "type", "wireguard"});
  if (!r.ok() || r->exit_code != 0) return false;
  (void)Run({ip, "link", "del", probe_name});
  return true;
}

bool KernelWireGuard::LinkExists() const {
  auto r = Run({ip_, "link", "show", "dev", name_});
  return r.ok() && r->exit_code == 0;
}

Status KernelWireGuard::EnsureInterface() {
  if (LinkExists()) return Status::Ok();
  return RunOk({ip_, "link", "add", name_, "type", "wireguard"});
}

StatusOr<std::optional<ObservedDevice>> KernelWireGuard::Observe() {
  if (!LinkExists()) return std::optional<ObservedDevice>();
  HEARTH_ASSIGN_OR_RETURN(RunResult r, Run({wg_, "show", name_, "dump"}));
  if (r.exit_code != 0) return Status::Internal("`wg show " + name_ + " dump` failed: " + r.output);
  HEARTH_ASSIGN_OR_RETURN(ObservedDevice d, ParseWgDump(r.output));
  return std::optional<ObservedDevice>(std::move(d));
}

std::vector<std::string> KernelWireGuard::WgSetArgs(const DeviceUpdate& u) const {
  std::vector<std::string> a = {wg_, "set", name_};
  if (u.private_key) {
    a.push_back("private-key");
    a.push_back(u.private_key_file);
  }
  if (u.listen_port) {
    a.push_back("listen-port");
    a.push_back(std::to_string(*u.listen_port));
  }
  for (const auto& p : u.peers) {
    a.push_back("peer");
    a.push_back(p.public_key);
    if (p.remove) {
      a.push_back("remove");
      continue;
    }
    if (!p.endpoint.empty()) {
      a.push_back("endpoint");
      a.push_back(p.endpoint);
    }
    a.push_back("persistent-keepalive");
    a.push_back(p.persistent_keepalive_seconds == 0
                    ? "off"
                    : std::to_string(p.persistent_keepalive_seconds));
    std::string ips;
    for (const auto& ip : p.allowed_ips) ips += (ips.empty() ? "" : ",") + ip.ToString();
    a.push_back("allowed-ips");
    a.push_back(ips);  // "" clears them; wg replaces the list
  }
  return a;
}

Status KernelWireGuard::Configure(const DeviceUpdate& update) {
  if (update.empty()) return Status::Ok();
  if (update.private_key && update.private_key_file.empty()) {
    return Status::InvalidArgument("private_key_file", "the kernel backend needs the key file");
  }
  return RunOk(WgSetArgs(update));
}

Status KernelWireGuard::RemoveInterface() {
  if (!LinkExists()) return Status::Ok();
  return RunOk({ip_, "link", "del", "dev", name_});
}

}  // namespace hearth::agent::wireguard
