// K3sAgent: makes this host's k3s agent match the device config (DESIGN §6, agent side).
//
// From the rendered files (render.h) and what the host has now, MakePlan() computes the
// operations — write or remove a file, run systemctl or nft — and K3sAgent runs them:
//   - "kubernetes" present: write the files that differ; `nft -f` the pod egress rule when it
//     changed or its table is missing; with systemd, `daemon-reload` after a unit change,
//     `enable` when disabled, then `start` when stopped or `restart` when a file it reads changed.
//     Without systemd nothing is run: the plan says how to start k3s by hand.
//   - "kubernetes" absent (no cluster, device banned or removed): `disable --now` the service,
//     delete the nft table and remove every file Hearth wrote. Files carrying no Hearth marker
//     are never touched; finding one where Hearth would write is an error naming the file.
// The service is not started while k3s, nft or a CNI plugin is missing; the error says what to
// install, and the next Repair() (every heartbeat) retries, so installing it is enough.
//
// Paths live under `root` ("/" on a real host; a temp dir in tests, `--k3s-root`); systemctl is
// used only when systemd runs the host and root is "/". Mode kDryRun plans and logs, and
// changes nothing. Thread-safe: the config poll applies while the heartbeat repairs.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "agent/k3s/render.h"
#include "api/network.h"
#include "common/subprocess.h"

namespace hearth::agent::k3s {

enum class Mode { kOff, kOn, kDryRun };
// "off" | "on" | "dry-run"; errors name `field`.
StatusOr<Mode> ParseMode(const std::string& text, const std::string& field);

// The CNI plugins the rendered config and containerd's CRI use.
inline const std::vector<std::string>& RequiredCniPlugins() {
  static const std::vector<std::string> kPlugins = {"bridge", "host-local", "loopback", "portmap"};
  return kPlugins;
}

// The host as it is now, for what Hearth manages.
struct Observed {
  std::map<std::string, std::optional<std::string>> files;  // host path → content; nullopt: none
  bool systemd = false;
  bool service_active = false;
  bool service_enabled = false;
  bool nft = false;           // nft is installed
  bool egress_table = false;  // the nft table kEgressTable exists
  bool k3s_binary = false;    // Paths::k3s_binary is executable
  std::vector<std::string> missing_cni_plugins;
};

struct Op {
  enum class Kind { kWrite, kRemove, kRun };
  Kind kind = Kind::kRun;
  std::string path;  // kWrite, kRemove: host path
  std::string content;
  mode_t mode = 0644;
  bool secret = false;
  std::vector<std::string> argv;  // kRun
  std::string reason;
  // "write /etc/rancher/k3s/config.yaml (0600, changed)", "run systemctl restart ... (why)".
  // Never contains a secret file's content.
  std::string ToString() const;
  bool operator==(const Op&) const = default;
};

struct Plan {
  std::vector<Op> ops;
  std::vector<std::string> problems;  // what keeps the service from starting, with the fix
  std::vector<std::string> notes;     // e.g. no systemd: how to start k3s by hand
  bool empty() const { return ops.empty() && problems.empty(); }
};

// Pure. `desired` nullopt: remove what Hearth installed. A file without the Hearth marker at a
// path Hearth would write is kFailedPrecondition naming it (nothing is planned).
StatusOr<Plan> MakePlan(const std::optional<Rendered>& desired, const Paths& paths,
                        const Observed& observed);

// One line per op, problem and note, for people (`hearth k3s render`, logs).
std::string FormatPlan(const Plan& plan);

struct K3sOptions {
  Mode mode = Mode::kOff;  // `hearth agent` defaults to --k3s on
  std::string root = "/";
  Paths paths;
  // Runs systemctl and nft; unset: hearth::Run. Tests pass a recorder.
  std::function<StatusOr<RunResult>(const std::vector<std::string>&)> run;
  // nullopt: systemd runs the host when root is "/" and /run/systemd/system is a directory.
  std::optional<bool> systemd;
};

class K3sAgent {
 public:
  explicit K3sAgent(K3sOptions options);

  // The host's current state: reads the files under root, then asks systemctl and nft, unless
  // nothing is being installed (`installing` false) and no file is Hearth's.
  Observed Observe(bool installing = true) const;
  // Renders `config` (when it has "kubernetes") with host facts (systemd-resolved's resolv.conf).
  StatusOr<std::optional<Rendered>> Desired(const api::NetworkConfig& config) const;

  // Makes the host match `config` and remembers it for Repair(). A config whose "kubernetes" is
  // invalid changes nothing (the previous k3s keeps running) and returns the error. Returns the
  // plan that was run (kDryRun: only logged); problems left after running it are an error.
  StatusOr<Plan> Apply(const api::NetworkConfig& config);
  // Re-applies the last config (drift: a file edited, the service stopped). No-op before Apply.
  StatusOr<Plan> Repair();
  // {"mode","state","node_name"?,"server"?,"error"?,"rejected"?,"changed_at"?} for `hearth
  // status`.
  // state: "off", "absent" (no kubernetes), "running", "configured" (no systemd), "blocked"
  // (problems), "invalid" (bad kubernetes object), "dry-run".
  nlohmann::json StatusJson() const;

  const K3sOptions& options() const { return options_; }

 private:
  StatusOr<Plan> ApplyLocked(const std::optional<Rendered>& desired);
  Status Execute(const Plan& plan);
  std::string HostPath(const std::string& path) const;

  K3sOptions options_;
  mutable std::mutex mu_;
  // The last accepted config rendered (nullopt inside: no kubernetes); guarded by mu_.
  std::optional<std::optional<Rendered>> last_;
  std::string rejected_;   // why the newest config was refused; guarded by mu_
  nlohmann::json status_;  // guarded by mu_
};

// Removes what Hearth installed (service disabled and stopped, nft table, files), printing each
// step to `out`. OK when nothing was installed. For `hearth leave`.
Status RemoveK3s(const K3sOptions& options, std::ostream& out);

}  // namespace hearth::agent::k3s
