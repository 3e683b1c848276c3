// KernelWireGuard: the in-kernel WireGuard device, created with `ip link add IFNAME type
// wireguard` and configured with the `wg` tool (keys base64, the private key passed as the
// state directory's key file). Used only when KernelSupported() says the kernel has the
// module. Not thread-safe.
#pragma once

#include "agent/wireguard/wireguard.h"

namespace hearth::agent::wireguard {

class KernelWireGuard final : public WireGuard {
 public:
  KernelWireGuard(std::string interface_name, std::string wg = "wg", std::string ip = "ip")
      : name_(std::move(interface_name)), wg_(std::move(wg)), ip_(std::move(ip)) {}
  const std::string& interface_name() const override { return name_; }
  std::string kind() const override { return "kernel"; }
  Status EnsureInterface() override;
  StatusOr<std::optional<ObservedDevice>> Observe() override;
  Status Configure(const DeviceUpdate& update) override;
  Status RemoveInterface() override;

  // Whether this network namespace can create kernel WireGuard links: tries to add a
  // throwaway link `probe_name` and deletes it.
  static bool KernelSupported(const std::string& probe_name, const std::string& ip = "ip");

  // `wg set` arguments for `update` (exposed for tests).
  std::vector<std::string> WgSetArgs(const DeviceUpdate& update) const;

 private:
  bool LinkExists() const;
  std::string name_, wg_, ip_;
};

}  // namespace hearth::agent::wireguard
