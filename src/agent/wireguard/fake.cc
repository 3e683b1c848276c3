#include "agent/wireguard/fake.h"

#include <algorithm>

namespace hearth::agent::wireguard {
namespace {

Status NoLink(const std::string& ifname) {
  return Status::Internal("Cannot find device \"" + ifname + "\"");
}

}  // namespace

StatusOr<ObservedLink> FakeHostNetwork::ObserveLink(const std::string& ifname) {
  auto it = links.find(ifname);
  if (it == links.end()) return ObservedLink{};
  return it->second;
}

Status FakeHostNetwork::SetMtu(const std::string& ifname, int mtu) {
  ++calls;
  auto it = links.find(ifname);
  if (it == links.end()) return NoLink(ifname);
  it->second.mtu = mtu;
  return Status::Ok();
}

Status FakeHostNetwork::SetUp(const std::string& ifname) {
  ++calls;
  auto it = links.find(ifname);
  if (it == links.end()) return NoLink(ifname);
  it->second.up = true;
  return Status::Ok();
}

Status FakeHostNetwork::AddAddress(const std::string& ifname, const Ipv4Prefix& a) {
  ++calls;
  auto it = links.find(ifname);
  if (it == links.end()) return NoLink(ifname);
  auto& v = it->second.addresses;
  if (std::find(v.begin(), v.end(), a) != v.end())
    return Status::AlreadyExists("address", "exists");
  v.push_back(a);
  std::sort(v.begin(), v.end());
  return Status::Ok();
}

Status FakeHostNetwork::DeleteAddress(const std::string& ifname, const Ipv4Prefix& a) {
  ++calls;
  auto it = links.find(ifname);
  if (it == links.end()) return NoLink(ifname);
  auto& v = it->second.addresses;
  v.erase(std::remove(v.begin(), v.end(), a), v.end());
  return Status::Ok();
}

Status FakeHostNetwork::AddRoute(const std::string& ifname, const Ipv4Prefix& d) {
  ++calls;
  auto it = links.find(ifname);
  if (it == links.end()) return NoLink(ifname);
  if (!it->second.up) return Status::Internal("Network is down");
  auto& v = it->second.routes;
  if (std::find(v.begin(), v.end(), d) == v.end()) v.push_back(d);
  std::sort(v.begin(), v.end());
  return Status::Ok();
}

Status FakeHostNetwork::DeleteRoute(const std::string& ifname, const Ipv4Prefix& d) {
  ++calls;
  auto it = links.find(ifname);
  if (it == links.end()) return NoLink(ifname);
  auto& v = it->second.routes;
  v.erase(std::remove(v.begin(), v.end(), d), v.end());
  return Status::Ok();
}

Status FakeWireGuard::EnsureInterface() {
  if (device) return Status::Ok();
  ++starts;
  device = ObservedDevice{};
  if (host_) {
    ObservedLink l;
    l.exists = true;
    l.mtu = 1420;
    host_->links[name_] = l;
  }
  return Status::Ok();
}

StatusOr<std::optional<ObservedDevice>> FakeWireGuard::Observe() { return device; }

Status FakeWireGuard::Configure(const DeviceUpdate& u) {
  if (!device) return Status::Unavailable("no device " + name_);
  if (!fail_configure.ok()) return fail_configure;
  ++configures;
  if (u.private_key) device->public_key = u.private_key->Public().ToString();
  if (u.listen_port) device->listen_port = *u.listen_port;
  for (const auto& p : u.peers) {
    auto& peers = device->peers;
    auto it = std::find_if(peers.begin(), peers.end(),
                           [&](const ObservedPeer& o) { return o.public_key == p.public_key; });
    if (p.remove) {
      if (it != peers.end()) peers.erase(it);
      continue;
    }
    if (it == peers.end()) {
      peers.push_back(ObservedPeer{});
      it = peers.end() - 1;
      it->public_key = p.public_key;
    }
    if (!p.endpoint.empty()) it->endpoint = p.endpoint;
    it->allowed_ips = p.allowed_ips;
    std::sort(it->allowed_ips.begin(), it->allowed_ips.end());
    it->persistent_keepalive_seconds = p.persistent_keepalive_seconds;
    std::sort(peers.begin(), peers.end(), [](const ObservedPeer& a, const ObservedPeer& b) {
      return a.public_key < b.public_key;
    });
  }
  return Status::Ok();
}

Status FakeWireGuard::RemoveInterface() {
  Crash();
  return Status::Ok();
}

void FakeWireGuard::Crash() {
  device.reset();
  if (host_) host_->links.erase(name_);
}

}  // namespace hearth::agent::wireguard
