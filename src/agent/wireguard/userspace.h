// UserspaceWireGuard: WireGuard through a supervised `wireguard-go -f IFNAME` process, configured
// over the cross-platform UAPI (a line protocol on the unix socket SOCKET_DIR/IFNAME.sock;
// keys are lowercase hex there, base64 everywhere else in Hearth).
//
// EnsureInterface starts wireguard-go when its socket does not answer (never started, exited,
// killed) and waits for the socket; a process started by an earlier agent whose socket answers
// is adopted. RemoveInterface stops the process (SIGTERM, then SIGKILL). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <string>

#include "agent/wireguard/wireguard.h"
#include "common/clock.h"

namespace hearth::agent::wireguard {

struct UserspaceOptions {
  std::string interface_name = "hearth0";
  std::string wireguard_go = "wireguard-go";  // looked up in PATH when it has no '/'
  std::string socket_dir = "/var/run/wireguard";
  std::string log_file;  // wireguard-go's stdout+stderr; empty: inherit
  Duration start_timeout = std::chrono::seconds(10);
};

class UserspaceWireGuard final : public WireGuard {
 public:
  explicit UserspaceWireGuard(UserspaceOptions options);
  ~UserspaceWireGuard() override;  // leaves the process running (see Stop)

  const std::string& interface_name() const override { return o_.interface_name; }
  std::string kind() const override { return "userspace"; }
  Status EnsureInterface() override;
  StatusOr<std::optional<ObservedDevice>> Observe() override;
  Status Configure(const DeviceUpdate& update) override;
  Status RemoveInterface() override;
  int pid() const override { return static_cast<int>(pid_); }

  // Takes over a wireguard-go started by an earlier agent (PID from the state directory), so
  // RemoveInterface can stop it. Ignored unless the PID runs wireguard-go for this interface.
  void Adopt(pid_t pid);
  std::string socket_path() const { return o_.socket_dir + "/" + o_.interface_name + ".sock"; }

  // One UAPI exchange: sends `request` (ending in a blank line) and returns the response up
  // to and including "errno=N"; a non-zero errno is an error.
  StatusOr<std::string> Exchange(const std::string& request);

 private:
  bool SocketAnswers() const;
  void ReapIfExited();
  std::string LogTail() const;

  UserspaceOptions o_;
  pid_t pid_ = 0;
  bool child_ = false;  // pid_ is our child (waitpid works) rather than adopted
};

// True when /proc/PID/cmdline runs wireguard-go for `ifname` (so a recycled PID is never
// signalled).
bool IsWireGuardGoFor(pid_t pid, const std::string& ifname, const std::string& procfs = "/proc");

// UAPI text for a DeviceUpdate (exposed for tests).
std::string UapiSetRequest(const DeviceUpdate& update);
// Parses a UAPI get response.
StatusOr<ObservedDevice> ParseUapiGet(const std::string& response);

}  // namespace hearth::agent::wireguard
