#include "agent/wireguard/wireguard.h"

#include <algorithm>
#include <sstream>

namespace hearth::agent::wireguard {

Status ValidateInterfaceName(const std::string& name, const std::string& field) {
  if (name.empty() || name.size() > 15) {
    return Status::InvalidArgument(field, "interface name '" + name +
                                              "' must be 1 to 15 characters (a Linux limit), "
                                              "e.g. hearth0");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return Status::InvalidArgument(
          field, "interface name '" + name + "' may only hold letters, digits, '-', '_' and '.'");
    }
  }
  if (name == "." || name == "..") {
    return Status::InvalidArgument(field, "interface name '" + name + "' is reserved");
  }
  return Status::Ok();
}

namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(line);
  while (std::getline(in, cur, '\t')) out.push_back(cur);
  return out;
}

StatusOr<int64_t> ParseInt(const std::string& s, const std::string& field) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(field, "'" + s + "' is not a non-negative integer");
  }
  return std::stoll(s);
}

}  // namespace

StatusOr<ObservedDevice> ParseWgDump(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  ObservedDevice d;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = SplitTabs(line);
    if (first) {
      first = false;
      if (f.size() != 4) return Status::InvalidArgument("wg dump", "interface line needs 4 fields");
      d.public_key = f[1] == "(none)" ? "" : f[1];
      HEARTH_ASSIGN_OR_RETURN(int64_t port, ParseInt(f[2], "wg dump listen-port"));
      d.listen_port = static_cast<int>(port);
      continue;
    }
    if (f.size() != 8) return Status::InvalidArgument("wg dump", "peer line needs 8 fields");
    ObservedPeer p;
    p.public_key = f[0];
    p.endpoint = f[2] == "(none)" ? "" : f[2];
    if (f[3] != "(none)") {
      std::istringstream ips(f[3]);
      std::string ip;
      while (std::getline(ips, ip, ',')) {
        if (ip.find(':') != std::string::npos) continue;  // IPv6: not used by Hearth
        HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix prefix, Ipv4Prefix::Parse(ip, "wg dump allowed-ips"));
        p.allowed_ips.push_back(prefix);
      }
      std::sort(p.allowed_ips.begin(), p.allowed_ips.end());
    }
    HEARTH_ASSIGN_OR_RETURN(p.last_handshake_unix_seconds, ParseInt(f[4], "wg dump handshake"));
    HEARTH_ASSIGN_OR_RETURN(p.rx_bytes, ParseInt(f[5], "wg dump transfer-rx"));
    HEARTH_ASSIGN_OR_RETURN(p.tx_bytes, ParseInt(f[6], "wg dump transfer-tx"));
    if (f[7] != "off") {
      HEARTH_ASSIGN_OR_RETURN(int64_t ka, ParseInt(f[7], "wg dump persistent-keepalive"));
      p.persistent_keepalive_seconds = static_cast<int>(ka);
    }
    d.peers.push_back(std::move(p));
  }
  if (first) return Status::InvalidArgument("wg dump", "is empty");
  std::sort(d.peers.begin(), d.peers.end(), [](const ObservedPeer& a, const ObservedPeer& b) {
    return a.public_key < b.public_key;
  });
  return d;
}

}  // namespace hearth::agent::wireguard
