#include "agent/wireguard/userspace.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "common/log.h"
#include "common/subprocess.h"

namespace hearth::agent::wireguard {
namespace {

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

StatusOr<std::string> KeyHexToBase64(const std::string& hex, const std::string& field) {
  auto bytes = HexDecode(hex);
  if (!bytes || bytes->size() != 32) {
    return Status::InvalidArgument(field, "UAPI key is not 64 hex digits");
  }
  return Base64Encode(*bytes);
}

StatusOr<std::string> KeyBase64ToHex(const std::string& b64, const std::string& field) {
  auto bytes = Base64Decode(b64);
  if (!bytes || bytes->size() != 32) {
    return Status::InvalidArgument(field, "'" + b64 + "' is not a base64 WireGuard key");
  }
  return HexEncode(*bytes);
}

int64_t ToInt(const std::string& s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return std::stoll(s);
}

// Connects to the UAPI socket; -1 when nothing listens there.
int Connect(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return -1;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string UapiSetRequest(const DeviceUpdate& u) {
  std::ostringstream s;
  s << "set=1\n";
  if (u.private_key) {
    auto hex = KeyBase64ToHex(u.private_key->ToBase64().Reveal(), "private_key");
    if (hex.ok()) s << "private_key=" << *hex << "\n";
  }
  if (u.listen_port) s << "listen_port=" << *u.listen_port << "\n";
  for (const auto& p : u.peers) {
    auto hex = KeyBase64ToHex(p.public_key, "public_key");
    if (!hex.ok()) continue;  // validated by the config decoder; never sent half-formed
    s << "public_key=" << *hex << "\n";
    if (p.remove) {
      s << "remove=true\n";
      continue;
    }
    if (!p.endpoint.empty()) s << "endpoint=" << p.endpoint << "\n";
    s << "persistent_keepalive_interval=" << p.persistent_keepalive_seconds << "\n";
    s << "replace_allowed_ips=true\n";
    for (const auto& ip : p.allowed_ips) s << "allowed_ip=" << ip.ToString() << "\n";
  }
  s << "\n";
  return s.str();
}

StatusOr<ObservedDevice> ParseUapiGet(const std::string& response) {
  ObservedDevice d;
  ObservedPeer* peer = nullptr;
  std::istringstream in(response);
  std::string line;
  bool saw_errno = false;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("uapi", "line without '=': " + line);
    }
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "errno") {
      saw_errno = true;
      if (value != "0") return Status::Internal("wireguard-go get failed: errno=" + value);
    } else if (key == "private_key") {
      auto bytes = HexDecode(value);
      if (!bytes || bytes->size() != 32) {
        return Status::InvalidArgument("uapi", "private_key is not 64 hex digits");
      }
      if (*bytes != std::string(32, '\0')) {
        HEARTH_ASSIGN_OR_RETURN(WgPrivateKey k, WgPrivateKey::Parse(Base64Encode(*bytes), "uapi"));
        d.public_key = k.Public().ToString();
      }
    } else if (key == "listen_port") {
      d.listen_port = static_cast<int>(ToInt(value));
    } else if (key == "public_key") {
      d.peers.emplace_back();
      peer = &d.peers.back();
      HEARTH_ASSIGN_OR_RETURN(peer->public_key, KeyHexToBase64(value, "uapi public_key"));
    } else if (peer == nullptr) {
      continue;  // fwmark and device keys we do not manage
    } else if (key == "endpoint") {
      peer->endpoint = value;
    } else if (key == "allowed_ip") {
      if (value.find(':') != std::string::npos) continue;  // IPv6: unused by Hearth
      HEARTH_ASSIGN_OR_RETURN(Ipv4Prefix p, Ipv4Prefix::Parse(value, "uapi allowed_ip"));
      peer->allowed_ips.push_back(p);
    } else if (key == "persistent_keepalive_interval") {
      peer->persistent_keepalive_seconds = static_cast<int>(ToInt(value));
    } else if (key == "last_handshake_time_sec") {
      peer->last_handshake_unix_seconds = ToInt(value);
    } else if (key == "rx_bytes") {
      peer->rx_bytes = ToInt(value);
    } else if (key == "tx_bytes") {
      peer->tx_bytes = ToInt(value);
    }
  }
  if (!saw_errno) return Status::Unavailable("wireguard-go closed the UAPI socket mid-answer");
  for (auto& p : d.peers) std::sort(p.allowed_ips.begin(), p.allowed_ips.end());
  std::sort(d.peers.begin(), d.peers.end(), [](const ObservedPeer& a, const ObservedPeer& b) {
    return a.public_key < b.public_key;
  });
  return d;
}

bool IsWireGuardGoFor(pid_t pid, const std::string& ifname, const std::string& procfs) {
  if (pid <= 1) return false;
  std::ifstream in(procfs + "/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!in) return false;
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string cur;
  for (char c : cmdline) {
    if (c == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (args.empty() || args[0].find("wireguard-go") == std::string::npos) return false;
  return std::find(args.begin() + 1, args.end(), ifname) != args.end();
}

UserspaceWireGuard::UserspaceWireGuard(UserspaceOptions options) : o_(std::move(options)) {}

UserspaceWireGuard::~UserspaceWireGuard() = default;

void UserspaceWireGuard::Adopt(pid_t pid) {
  if (pid_ == 0 && IsWireGuardGoFor(pid, o_.interface_name)) {
    pid_ = pid;
    child_ = false;
  }
}

bool UserspaceWireGuard::SocketAnswers() const {
  const int fd = Connect(socket_path());
  if (fd < 0) return false;
  close(fd);
  return true;
}

void UserspaceWireGuard::ReapIfExited() {
  if (pid_ == 0) return;
  if (child_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      log::Warn("wireguard-go exited",
                {{"interface", o_.interface_name},
                 {"pid", static_cast<int64_t>(pid_)},
                 {"status", static_cast<int64_t>(WIFEXITED(status) ? WEXITSTATUS(status)
                                                                   : -WTERMSIG(status))}});
      pid_ = 0;
    }
  } else if (!IsWireGuardGoFor(pid_, o_.interface_name)) {
    pid_ = 0;
  }
}

std::string UserspaceWireGuard::LogTail() const {
  if (o_.log_file.empty()) return "";
  std::ifstream in(o_.log_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 600) text = text.substr(text.size() - 600);
  return text.empty() ? "" : "; its log ends: " + text;
}

Status UserspaceWireGuard::EnsureInterface() {
  ReapIfExited();
  if (SocketAnswers()) return Status::Ok();
  if (pid_ != 0) {
    // Alive but not answering: wedged or half-started. Start over.
    if (child_) {
      (void)Terminate(pid_, std::chrono::seconds(3));
    } else {
      kill(pid_, SIGKILL);
    }
    pid_ = 0;
  }
  unlink(socket_path().c_str());  // a stale socket from a process that died
  SpawnOptions spawn;
  spawn.argv = {o_.wireguard_go, "-f", o_.interface_name};
  if (o_.wireguard_go.find('/') == std::string::npos) {
    auto which = Run({"sh", "-c", "command -v \"$0\"", o_.wireguard_go}, std::chrono::seconds(5));
    std::string path = which.ok() ? which->output : "";
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
    if (path.empty()) {
      return Status::FailedPrecondition(
          "wireguard_go_missing", "cannot find " + o_.wireguard_go +
                                      " in PATH; install wireguard-go or pass --wireguard-go PATH");
    }
    spawn.argv[0] = path;
  }
  spawn.env = {"WG_PROCESS_FOREGROUND=1"};
  spawn.output_file = o_.log_file;
  HEARTH_ASSIGN_OR_RETURN(pid_t pid, Spawn(spawn));
  pid_ = pid;
  child_ = true;
  const auto deadline = std::chrono::steady_clock::now() + o_.start_timeout;
  while (!SocketAnswers()) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return Status::Internal("wireguard-go for " + o_.interface_name + " exited at start (" +
                              (WIFEXITED(status) ? "code " + std::to_string(WEXITSTATUS(status))
                                                 : "signal " + std::to_string(WTERMSIG(status))) +
                              "); it needs root or CAP_NET_ADMIN and /dev/net/tun" + LogTail());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      (void)Terminate(pid_, std::chrono::seconds(3));
      pid_ = 0;
      return Status(Code::kDeadlineExceeded,
                    "wireguard-go did not open " + socket_path() + " in time" + LogTail(),
                    "deadline_exceeded");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  log::Info("wireguard-go started",
            {{"interface", o_.interface_name}, {"pid", static_cast<int64_t>(pid_)}});
  return Status::Ok();
}

StatusOr<std::string> UserspaceWireGuard::Exchange(const std::string& request) {
  const int fd = Connect(socket_path());
  if (fd < 0) {
    return Status::Unavailable("wireguard-go for " + o_.interface_name + " does not answer on " +
                               socket_path());
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return Status::Unavailable(std::string("UAPI write: ") + std::strerror(errno));
    }
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buf[8192];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  // The answer ends with "errno=N\n\n".
  while (response.find("errno=") == std::string::npos || response.size() < 2 ||
         response.compare(response.size() - 2, 2, "\n\n") != 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      close(fd);
      return Status(Code::kDeadlineExceeded, "wireguard-go UAPI did not answer in time",
                    "deadline_exceeded");
    }
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t at = response.rfind("errno=");
  if (at == std::string::npos) {
    return Status::Unavailable("wireguard-go closed the UAPI socket without an answer");
  }
  const std::string code = response.substr(at + 6, response.find('\n', at) - at - 6);
  if (code != "0") {
    return Status::Internal("wireguard-go refused the configuration (errno=" + code + ")");
  }
  return response;
}

StatusOr<std::optional<ObservedDevice>> UserspaceWireGuard::Observe() {
  ReapIfExited();
  if (!SocketAnswers()) return std::optional<ObservedDevice>();
  auto response = Exchange("get=1\n\n");
  if (!response.ok()) {
    if (response.status().code() == Code::kUnavailable) return std::optional<ObservedDevice>();
    return response.status();
  }
  HEARTH_ASSIGN_OR_RETURN(ObservedDevice d, ParseUapiGet(*response));
  return std::optional<ObservedDevice>(std::move(d));
}

Status UserspaceWireGuard::Configure(const DeviceUpdate& update) {
  if (update.empty()) return Status::Ok();
  return Exchange(UapiSetRequest(update)).status();
}

Status UserspaceWireGuard::RemoveInterface() {
  ReapIfExited();
  if (pid_ != 0) {
    if (child_) {
      (void)Terminate(pid_, std::chrono::seconds(5));
    } else {
      kill(pid_, SIGTERM);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (IsWireGuardGoFor(pid_, o_.interface_name) &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (IsWireGuardGoFor(pid_, o_.interface_name)) kill(pid_, SIGKILL);
    }
    pid_ = 0;
  }
  unlink(socket_path().c_str());
  return Status::Ok();
}

}  // namespace hearth::agent::wireguard
