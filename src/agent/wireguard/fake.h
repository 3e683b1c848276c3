// In-memory WireGuard and host networking for tests. FakeWireGuard creates its link in a
// FakeHostNetwork (MTU 1420, down, no addresses — as wireguard-go does), and Crash() removes
// both, as a dying wireguard-go takes its TUN device with it. Public fields let tests cause
// drift directly. Not thread-safe.
#pragma once

#include <map>
#include <set>

#include "agent/wireguard/host_network.h"
#include "agent/wireguard/wireguard.h"

namespace hearth::agent::wireguard {

class FakeHostNetwork final : public HostNetwork {
 public:
  StatusOr<ObservedLink> ObserveLink(const std::string& ifname) override;
  Status SetMtu(const std::string& ifname, int mtu) override;
  Status SetUp(const std::string& ifname) override;
  Status AddAddress(const std::string& ifname, const Ipv4Prefix& address) override;
  Status DeleteAddress(const std::string& ifname, const Ipv4Prefix& address) override;
  Status AddRoute(const std::string& ifname, const Ipv4Prefix& destination) override;
  Status DeleteRoute(const std::string& ifname, const Ipv4Prefix& destination) override;
  StatusOr<bool> Forwarding() override { return forwarding; }
  Status SetForwarding(bool on) override {
    ++calls;
    forwarding = on;
    return Status::Ok();
  }
  Status DeleteLink(const std::string& ifname) override {
    links.erase(ifname);
    return Status::Ok();
  }

  std::map<std::string, ObservedLink> links;
  bool forwarding = false;
  int calls = 0;  // mutating calls, to assert "nothing changed"
};

class FakeWireGuard final : public WireGuard {
 public:
  FakeWireGuard(std::string name, FakeHostNetwork* host) : name_(std::move(name)), host_(host) {}
  const std::string& interface_name() const override { return name_; }
  std::string kind() const override { return "fake"; }
  Status EnsureInterface() override;
  StatusOr<std::optional<ObservedDevice>> Observe() override;
  Status Configure(const DeviceUpdate& update) override;
  Status RemoveInterface() override;
  int pid() const override { return device ? 4242 : 0; }

  // The process dies: device and link are gone.
  void Crash();

  std::optional<ObservedDevice> device;
  int starts = 0;
  int configures = 0;
  Status fail_configure = Status::Ok();  // returned by the next Configure calls when not OK

 private:
  std::string name_;
  FakeHostNetwork* host_;
};

}  // namespace hearth::agent::wireguard
