// Host networking around the WireGuard interface: its address, MTU, link state, the routes
// into it, and IPv4 forwarding. IpHostNetwork drives iproute2 (`ip -j ...`) and
// /proc/sys/net/ipv4/ip_forward of the network namespace it runs in; FakeHostNetwork (fake.h)
// keeps the same state in memory. Not thread-safe; the agent serialises calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/ip.h"
#include "common/status.h"

namespace hearth::agent::wireguard {

struct ObservedLink {
  bool exists = false;
  bool up = false;
  int mtu = 0;
  std::vector<Ipv4Prefix> addresses;  // IPv4 with host bits kept (Parse(..., true)), sorted
  std::vector<Ipv4Prefix> routes;     // IPv4 routes via this link in the main table that were
                                      // not made by the kernel for an address, sorted
};

class HostNetwork {
 public:
  virtual ~HostNetwork() = default;
  virtual StatusOr<ObservedLink> ObserveLink(const std::string& ifname) = 0;
  virtual Status SetMtu(const std::string& ifname, int mtu) = 0;
  virtual Status SetUp(const std::string& ifname) = 0;
  virtual Status AddAddress(const std::string& ifname, const Ipv4Prefix& address) = 0;
  virtual Status DeleteAddress(const std::string& ifname, const Ipv4Prefix& address) = 0;
  virtual Status AddRoute(const std::string& ifname, const Ipv4Prefix& destination) = 0;
  virtual Status DeleteRoute(const std::string& ifname, const Ipv4Prefix& destination) = 0;
  virtual StatusOr<bool> Forwarding() = 0;
  virtual Status SetForwarding(bool on) = 0;
  // Deletes the link; OK when it does not exist.
  virtual Status DeleteLink(const std::string& ifname) = 0;
};
using HostNetworkPtr = std::unique_ptr<HostNetwork>;

class IpHostNetwork final : public HostNetwork {
 public:
  // `ip` is the iproute2 binary (looked up in PATH); `procfs` where procfs is mounted.
  explicit IpHostNetwork(std::string ip = "ip", std::string procfs = "/proc")
      : ip_(std::move(ip)), procfs_(std::move(procfs)) {}
  StatusOr<ObservedLink> ObserveLink(const std::string& ifname) override;
  Status SetMtu(const std::string& ifname, int mtu) override;
  Status SetUp(const std::string& ifname) override;
  Status AddAddress(const std::string& ifname, const Ipv4Prefix& address) override;
  Status DeleteAddress(const std::string& ifname, const Ipv4Prefix& address) override;
  Status AddRoute(const std::string& ifname, const Ipv4Prefix& destination) override;
  Status DeleteRoute(const std::string& ifname, const Ipv4Prefix& destination) override;
  StatusOr<bool> Forwarding() override;
  Status SetForwarding(bool on) override;
  Status DeleteLink(const std::string& ifname) override;

 private:
  Status Ip(const std::vector<std::string>& args);
  std::string ip_, procfs_;
};

// Parsers for `ip -j` output, exposed for tests.
StatusOr<ObservedLink> ParseIpLinkJson(const std::string& link_json, const std::string& addr_json,
                                       const std::string& route_json);

}  // namespace hearth::agent::wireguard
