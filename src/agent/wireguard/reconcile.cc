#include "agent/wireguard/reconcile.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <map>

namespace hearth::agent::wireguard {

StatusOr<std::string> ResolveEndpoint(const std::string& host_port) {
  HEARTH_RETURN_IF_ERROR(api::ValidateEndpoint(host_port, "endpoint"));
  const size_t colon = host_port.rfind(':');
  std::string host = host_port.substr(0, colon);
  const std::string port = host_port.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host_port;  // IPv6
  if (Ipv4::Parse(host, "endpoint").ok()) return host_port;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Status::Unavailable("cannot resolve endpoint host '" + host + "': " + gai_strerror(rc));
  }
  char buf[INET_ADDRSTRLEN] = {};
  const auto* sin = reinterpret_cast<const sockaddr_in*>(res->ai_addr);
  inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
  freeaddrinfo(res);
  return std::string(buf) + ":" + port;
}

StatusOr<Desired> MakeDesired(const api::NetworkConfig& c, const WgPublicKey& own_public,
                              const Resolver& resolve) {
  Desired d;
  d.public_key = own_public.ToString();
  d.listen_port = c.listen_port;
  d.mtu = c.mtu;
  d.address = c.address;
  d.forwarding = c.forwarding;
  d.routes = c.routes;
  for (const auto& p : c.peers) {
    PeerUpdate u;
    u.public_key = p.public_key;
    if (p.endpoint) {
      HEARTH_ASSIGN_OR_RETURN(u.endpoint, resolve(*p.endpoint));
    }
    u.allowed_ips = p.allowed_ips;
    std::sort(u.allowed_ips.begin(), u.allowed_ips.end());
    u.allowed_ips.erase(std::unique(u.allowed_ips.begin(), u.allowed_ips.end()),
                        u.allowed_ips.end());
    u.persistent_keepalive_seconds = p.persistent_keepalive_seconds;
    for (const auto& ip : u.allowed_ips) {
      if (ip.length() == 0) continue;
      const bool covered = std::any_of(c.routes.begin(), c.routes.end(),
                                       [&](const Ipv4Prefix& r) { return r.Contains(ip); });
      if (!covered) d.routes.push_back(ip);
    }
    d.peers.push_back(std::move(u));
  }
  std::sort(d.peers.begin(), d.peers.end(),
            [](const PeerUpdate& a, const PeerUpdate& b) { return a.public_key < b.public_key; });
  std::sort(d.routes.begin(), d.routes.end());
  d.routes.erase(std::unique(d.routes.begin(), d.routes.end()), d.routes.end());
  return d;
}

std::string Op::ToString() const {
  switch (kind) {
    case OpKind::kCreateInterface:
      return "create interface";
    case OpKind::kSetPrivateKey:
      return "set private key";
    case OpKind::kSetListenPort:
      return "set listen port " + std::to_string(number);
    case OpKind::kRemovePeer:
      return "remove peer " + peer.public_key;
    case OpKind::kSetPeer: {
      std::string s = "set peer " + peer.public_key + " allowed";
      for (const auto& ip : peer.allowed_ips) s += " " + ip.ToString();
      if (!peer.endpoint.empty()) s += " endpoint " + peer.endpoint;
      if (peer.persistent_keepalive_seconds) {
        s += " keepalive " + std::to_string(peer.persistent_keepalive_seconds);
      }
      return s;
    }
    case OpKind::kSetMtu:
      return "set mtu " + std::to_string(number);
    case OpKind::kDeleteAddress:
      return "delete address " + prefix.address().ToString() + "/" +
             std::to_string(prefix.length());
    case OpKind::kAddAddress:
      return "add address " + prefix.address().ToString() + "/" + std::to_string(prefix.length());
    case OpKind::kSetUp:
      return "set link up";
    case OpKind::kDeleteRoute:
      return "delete route " + prefix.ToString();
    case OpKind::kAddRoute:
      return "add route " + prefix.ToString();
    case OpKind::kEnableForwarding:
      return "enable ipv4 forwarding";
  }
  return "?";
}

namespace {

bool PeerMatches(const PeerUpdate& want, const ObservedPeer& have) {
  if (!want.endpoint.empty() && want.endpoint != have.endpoint) return false;
  return want.allowed_ips == have.allowed_ips &&
         want.persistent_keepalive_seconds == have.persistent_keepalive_seconds;
}

}  // namespace

std::vector<Op> Plan(const Desired& want, const Observed& observed) {
  std::vector<Op> ops;
  ObservedDevice dev;
  ObservedLink link;
  if (observed.device) {
    dev = *observed.device;
    link = observed.link;
  } else {
    ops.push_back({OpKind::kCreateInterface, {}, {}, 0});
    link.exists = true;  // a new interface: no key, peers, addresses or routes, link down
  }
  if (dev.public_key != want.public_key) ops.push_back({OpKind::kSetPrivateKey, {}, {}, 0});
  if (want.listen_port != 0 && dev.listen_port != want.listen_port) {
    ops.push_back({OpKind::kSetListenPort, {}, {}, want.listen_port});
  }
  std::map<std::string, const ObservedPeer*> have;
  for (const auto& p : dev.peers) have[p.public_key] = &p;
  for (const auto& p : want.peers) have.erase(p.public_key);
  for (const auto& [key, p] : have) {
    PeerUpdate u;
    u.public_key = key;
    u.remove = true;
    ops.push_back({OpKind::kRemovePeer, u, {}, 0});
  }
  for (const auto& p : want.peers) {
    auto it = std::find_if(dev.peers.begin(), dev.peers.end(),
                           [&](const ObservedPeer& o) { return o.public_key == p.public_key; });
    if (it == dev.peers.end() || !PeerMatches(p, *it)) ops.push_back({OpKind::kSetPeer, p, {}, 0});
  }
  if (link.mtu != want.mtu) ops.push_back({OpKind::kSetMtu, {}, {}, want.mtu});
  bool has_address = false;
  for (const auto& a : link.addresses) {
    if (a == want.address) {
      has_address = true;
    } else {
      ops.push_back({OpKind::kDeleteAddress, {}, a, 0});
    }
  }
  if (!has_address) ops.push_back({OpKind::kAddAddress, {}, want.address, 0});
  if (!link.up) ops.push_back({OpKind::kSetUp, {}, {}, 0});
  for (const auto& r : link.routes) {
    if (!std::binary_search(want.routes.begin(), want.routes.end(), r)) {
      ops.push_back({OpKind::kDeleteRoute, {}, r, 0});
    }
  }
  for (const auto& r : want.routes) {
    if (std::find(link.routes.begin(), link.routes.end(), r) == link.routes.end()) {
      ops.push_back({OpKind::kAddRoute, {}, r, 0});
    }
  }
  if (want.forwarding && !observed.forwarding) {
    ops.push_back({OpKind::kEnableForwarding, {}, {}, 0});
  }
  return ops;
}

StatusOr<Observed> Reconciler::Observe() {
  Observed o;
  HEARTH_ASSIGN_OR_RETURN(o.device, wg_.Observe());
  HEARTH_ASSIGN_OR_RETURN(o.link, host_.ObserveLink(wg_.interface_name()));
  HEARTH_ASSIGN_OR_RETURN(o.forwarding, host_.Forwarding());
  return o;
}

StatusOr<std::vector<Op>> Reconciler::Reconcile(const Desired& desired, const WgPrivateKey& key,
                                                const std::string& key_file) {
  HEARTH_ASSIGN_OR_RETURN(Observed observed, Observe());
  std::vector<Op> done;
  if (!observed.device) {
    HEARTH_RETURN_IF_ERROR(wg_.EnsureInterface());
    done.push_back({OpKind::kCreateInterface, {}, {}, 0});
    HEARTH_ASSIGN_OR_RETURN(observed, Observe());
    if (!observed.device) {
      return Status::Internal("interface " + wg_.interface_name() +
                              " vanished right after it was created");
    }
  }
  std::vector<Op> ops = Plan(desired, observed);
  HEARTH_RETURN_IF_ERROR(Apply(ops, key, key_file));
  done.insert(done.end(), ops.begin(), ops.end());
  return done;
}

Status Reconciler::Apply(const std::vector<Op>& ops, const WgPrivateKey& key,
                         const std::string& key_file) {
  // WireGuard changes go in one update, removals first, so a prefix moving between peers
  // (a gateway switch) is never held by two.
  DeviceUpdate update;
  for (const auto& op : ops) {
    switch (op.kind) {
      case OpKind::kSetPrivateKey:
        update.private_key = key;
        update.private_key_file = key_file;
        break;
      case OpKind::kSetListenPort:
        update.listen_port = op.number;
        break;
      case OpKind::kRemovePeer:
      case OpKind::kSetPeer:
        update.peers.push_back(op.peer);
        break;
      default:
        break;
    }
  }
  if (!update.empty()) HEARTH_RETURN_IF_ERROR(wg_.Configure(update));
  const std::string& ifname = wg_.interface_name();
  for (const auto& op : ops) {
    switch (op.kind) {
      case OpKind::kSetMtu:
        HEARTH_RETURN_IF_ERROR(host_.SetMtu(ifname, op.number));
        break;
      case OpKind::kDeleteAddress:
        HEARTH_RETURN_IF_ERROR(host_.DeleteAddress(ifname, op.prefix));
        break;
      case OpKind::kAddAddress:
        HEARTH_RETURN_IF_ERROR(host_.AddAddress(ifname, op.prefix));
        break;
      case OpKind::kSetUp:
        HEARTH_RETURN_IF_ERROR(host_.SetUp(ifname));
        break;
      case OpKind::kDeleteRoute:
        HEARTH_RETURN_IF_ERROR(host_.DeleteRoute(ifname, op.prefix));
        break;
      case OpKind::kAddRoute:
        HEARTH_RETURN_IF_ERROR(host_.AddRoute(ifname, op.prefix));
        break;
      case OpKind::kEnableForwarding:
        HEARTH_RETURN_IF_ERROR(host_.SetForwarding(true));
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace hearth::agent::wireguard
