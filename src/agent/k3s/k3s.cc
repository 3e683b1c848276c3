#include "agent/k3s/k3s.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/clock.h"
#include "common/log.h"

namespace hearth::agent::k3s {
namespace {

constexpr char kResolvedConf[] = "/run/systemd/resolve/resolv.conf";

std::string Octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m));
  return buf;
}

bool Ours(const std::optional<std::string>& content) {
  return content && content->find(kMarker) != std::string::npos;
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

Op RunOp(std::vector<std::string> argv, std::string reason) {
  Op op;
  op.kind = Op::Kind::kRun;
  op.argv = std::move(argv);
  op.reason = std::move(reason);
  return op;
}

Op Remove(const std::string& path) {
  Op op;
  op.kind = Op::Kind::kRemove;
  op.path = path;
  op.reason = "no kubernetes in the device config";
  return op;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

StatusOr<std::optional<std::string>> ReadIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
    return Status::Internal("cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

Status MakeParents(const std::string& path) {
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    const std::string dir = path.substr(0, i);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::Internal("cannot create " + dir + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

// Temp file + fsync + rename: k3s, containerd or systemd never read half a file.
Status WriteAtomic(const std::string& path, const std::string& content, mode_t mode) {
  HEARTH_RETURN_IF_ERROR(MakeParents(path));
  const std::string tmp = path + ".hearth-tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::Internal("cannot write " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      close(fd);
      unlink(tmp.c_str());
      return Status::Internal("cannot write " + tmp + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, mode) != 0 || fsync(fd) != 0) {
    const int e = errno;
    close(fd);
    unlink(tmp.c_str());
    return Status::Internal("cannot write " + tmp + ": " + std::strerror(e));
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    unlink(tmp.c_str());
    return Status::Internal("cannot rename " + tmp + " to " + path + ": " + std::strerror(e));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Mode> ParseMode(const std::string& text, const std::string& field) {
  if (text == "off") return Mode::kOff;
  if (text == "on") return Mode::kOn;
  if (text == "dry-run") return Mode::kDryRun;
  return Status::InvalidArgument(field, "must be on, off or dry-run, not '" + text + "'");
}

std::string Op::ToString() const {
  switch (kind) {
    case Kind::kWrite:
      return "write " + path + " (" + Octal(mode) + ", " + reason + ")";
    case Kind::kRemove:
      return "remove " + path + " (" + reason + ")";
    case Kind::kRun:
      break;
  }
  return "run " + Joined(argv) + " (" + reason + ")";
}

StatusOr<Plan> MakePlan(const std::optional<Rendered>& desired, const Paths& paths,
                        const Observed& o) {
  const auto current = [&](const std::string& path) -> std::optional<std::string> {
    auto it = o.files.find(path);
    return it == o.files.end() ? std::nullopt : it->second;
  };
  Plan plan;
  const std::string service = kServiceName;
  if (!desired) {
    // Remove only what carries Hearth's marker; the token file goes with Hearth's config.
    const bool config_ours = Ours(current(paths.config));
    const bool unit_ours = Ours(current(paths.unit));
    if (o.systemd && unit_ours && (o.service_active || o.service_enabled)) {
      plan.ops.push_back(
          RunOp({"systemctl", "disable", "--now", service}, "no kubernetes in the device config"));
    }
    if (o.nft && o.egress_table && Ours(current(paths.egress))) {
      plan.ops.push_back(RunOp({"nft", "delete", "table", "ip", kEgressTable},
                               "no kubernetes in the device config"));
    }
    for (const std::string& p : {paths.config, paths.cni_conf, paths.egress, paths.unit}) {
      if (Ours(current(p))) plan.ops.push_back(Remove(p));
    }
    if (config_ours && current(paths.token)) plan.ops.push_back(Remove(paths.token));
    if (o.systemd && unit_ours) {
      plan.ops.push_back(RunOp({"systemctl", "daemon-reload"}, "unit removed"));
    }
    return plan;
  }

  bool restart = false, unit_changed = false, egress_changed = false;
  for (const File& f : desired->files) {
    const std::optional<std::string> have = current(f.path);
    if (have && *have == f.content) continue;
    // The token file carries no marker; it is Hearth's when the config beside it is.
    const bool foreign =
        f.path == paths.token ? have && !Ours(current(paths.config)) : have && !Ours(have);
    if (foreign) {
      return Status::FailedPrecondition(
          "foreign_file", f.path +
                              " exists and was not written by hearth; move it away (k3s "
                              "installed by hand?) or point hearth elsewhere (--k3s-root)");
    }
    Op op;
    op.kind = Op::Kind::kWrite;
    op.path = f.path;
    op.content = f.content;
    op.mode = f.mode;
    op.secret = f.secret;
    op.reason = have ? "changed" : "new";
    plan.ops.push_back(std::move(op));
    if (f.path == paths.unit) {
      unit_changed = true;
    } else if (f.path == paths.egress) {
      egress_changed = true;
    } else {
      restart = true;
    }
  }
  if (!o.nft) {
    plan.problems.push_back(
        "nft is not installed; pods need it to reach the internet (install the nftables "
        "package)");
  } else if (egress_changed || !o.egress_table) {
    plan.ops.push_back(RunOp({"nft", "-f", paths.egress}, egress_changed
                                                              ? "pod egress rule changed"
                                                              : "pod egress rule missing"));
  }
  if (!o.k3s_binary) {
    plan.problems.push_back("k3s is not installed at " + paths.k3s_binary +
                            " (install the k3s release binary there, or pass --k3s-binary)");
  }
  if (!o.missing_cni_plugins.empty()) {
    plan.problems.push_back("CNI plugins missing in " + paths.cni_bin_dir + ": " +
                            Joined(o.missing_cni_plugins) +
                            " (install the containernetworking plugins there, or pass "
                            "--cni-bin-dir)");
  }
  if (!o.systemd) {
    plan.notes.push_back("systemd does not run this host: start the agent yourself with `" +
                         paths.k3s_binary + " agent --config " + paths.config + "`");
    return plan;
  }
  if (unit_changed) plan.ops.push_back(RunOp({"systemctl", "daemon-reload"}, "unit changed"));
  if (!plan.problems.empty()) return plan;
  if (!o.service_enabled) {
    plan.ops.push_back(RunOp({"systemctl", "enable", service}, "start at boot"));
  }
  if (!o.service_active) {
    plan.ops.push_back(RunOp({"systemctl", "start", service}, "not running"));
  } else if (restart || unit_changed) {
    plan.ops.push_back(RunOp({"systemctl", "restart", service},
                             unit_changed ? "unit changed" : "configuration changed"));
  }
  return plan;
}

std::string FormatPlan(const Plan& plan) {
  std::string out;
  for (const auto& op : plan.ops) out += "  " + op.ToString() + "\n";
  if (plan.ops.empty()) out += "  nothing to change\n";
  for (const auto& p : plan.problems) out += "  blocked: " + p + "\n";
  for (const auto& n : plan.notes) out += "  note: " + n + "\n";
  return out;
}

K3sAgent::K3sAgent(K3sOptions options) : options_(std::move(options)) {
  if (!options_.run) {
    options_.run = [](const std::vector<std::string>& argv) {
      return hearth::Run(argv, std::chrono::seconds(60));
    };
  }
  if (options_.root.empty()) options_.root = "/";
  status_ = {{"mode", options_.mode == Mode::kOff      ? "off"
                      : options_.mode == Mode::kDryRun ? "dry-run"
                                                       : "on"},
             {"state", options_.mode == Mode::kOff ? "off" : "absent"}};
}

std::string K3sAgent::HostPath(const std::string& path) const {
  if (options_.root == "/") return path;
  std::string root = options_.root;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root + path;
}

Observed K3sAgent::Observe(bool installing) const {
  Observed o;
  const Paths& p = options_.paths;
  bool any_ours = false;
  for (const std::string& f : {p.config, p.token, p.cni_conf, p.egress, p.unit}) {
    auto content = ReadIfExists(HostPath(f));
    // An unreadable file counts as foreign content, so nothing overwrites it blindly.
    o.files[f] = content.ok() ? *content : std::optional<std::string>("<unreadable>");
    any_ours |= Ours(o.files[f]);
  }
  // Nothing of Hearth's to remove: no need to ask systemctl and nft (every heartbeat of every
  // device without a cluster comes here).
  if (!installing && !any_ours) return o;
  o.systemd = options_.systemd.value_or(options_.root == "/" && IsDirectory("/run/systemd/system"));
  const auto exit_code = [&](const std::vector<std::string>& argv) -> std::optional<int> {
    auto r = options_.run(argv);
    if (!r.ok()) return std::nullopt;
    return r->exit_code;
  };
  if (o.systemd) {
    o.service_active = exit_code({"systemctl", "is-active", "--quiet", kServiceName}) == 0;
    o.service_enabled = exit_code({"systemctl", "is-enabled", "--quiet", kServiceName}) == 0;
  }
  const std::optional<int> table = exit_code({"nft", "list", "table", "ip", kEgressTable});
  o.nft = table.has_value();
  o.egress_table = table == 0;
  o.k3s_binary = IsExecutable(HostPath(p.k3s_binary));
  for (const auto& plugin : RequiredCniPlugins()) {
    if (!IsExecutable(HostPath(p.cni_bin_dir + "/" + plugin))) {
      o.missing_cni_plugins.push_back(plugin);
    }
  }
  return o;
}

StatusOr<std::optional<Rendered>> K3sAgent::Desired(const api::NetworkConfig& config) const {
  if (!config.kubernetes) return std::optional<Rendered>();
  RenderOptions ro;
  ro.paths = options_.paths;
  if (access(HostPath(kResolvedConf).c_str(), R_OK) == 0) ro.resolv_conf = kResolvedConf;
  HEARTH_ASSIGN_OR_RETURN(Rendered r, Render(config, ro));
  return std::optional<Rendered>(std::move(r));
}

Status K3sAgent::Execute(const Plan& plan) {
  for (const Op& op : plan.ops) {
    switch (op.kind) {
      case Op::Kind::kWrite:
        HEARTH_RETURN_IF_ERROR(WriteAtomic(HostPath(op.path), op.content, op.mode));
        break;
      case Op::Kind::kRemove:
        if (unlink(HostPath(op.path).c_str()) != 0 && errno != ENOENT) {
          return Status::Internal("cannot remove " + HostPath(op.path) + ": " +
                                  std::strerror(errno));
        }
        break;
      case Op::Kind::kRun: {
        HEARTH_ASSIGN_OR_RETURN(RunResult r, options_.run(op.argv));
        if (r.exit_code != 0) {
          std::string out = r.output.substr(0, 500);
          while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
          return Status::Internal("`" + Joined(op.argv) + "` exited " +
                                  std::to_string(r.exit_code) + (out.empty() ? "" : ": " + out));
        }
        break;
      }
    }
    log::Info("k3s", {{"change", op.ToString()}});
  }
  return Status::Ok();
}

StatusOr<Plan> K3sAgent::ApplyLocked(const std::optional<Rendered>& desired) {
  nlohmann::json st = {{"mode", status_["mode"]}};
  if (desired) {
    st["node_name"] = desired->node_name;
    st["server"] = desired->server;
  }
  if (!rejected_.empty()) st["rejected"] = rejected_;
  if (status_.contains("changed_at")) st["changed_at"] = status_["changed_at"];
  auto plan = MakePlan(desired, options_.paths, Observe(desired.has_value()));
  if (!plan.ok()) {
    st["state"] = "blocked";
    st["error"] = plan.status().ToString();
    status_ = st;
    return plan.status();
  }
  if (options_.mode == Mode::kDryRun) {
    for (const auto& op : plan->ops) log::Info("k3s dry run: would", {{"change", op.ToString()}});
    st["state"] = "dry-run";
    st["pending"] = static_cast<int64_t>(plan->ops.size());
    status_ = st;
    return plan;
  }
  if (Status ex = Execute(*plan); !ex.ok()) {
    st["state"] = "blocked";
    st["error"] = ex.ToString();
    status_ = st;
    return ex;
  }
  if (!plan->ops.empty()) st["changed_at"] = FormatRfc3339(SystemClock::Instance().Now());
  if (!plan->problems.empty()) {
    std::string msg;
    for (const auto& p : plan->problems) msg += (msg.empty() ? "" : "; ") + p;
    st["state"] = "blocked";
    st["error"] = msg;
    status_ = st;
    return Status::FailedPrecondition("k3s_blocked", msg);
  }
  st["state"] = !desired ? "absent" : plan->notes.empty() ? "running" : "configured";
  status_ = st;
  return plan;
}

StatusOr<Plan> K3sAgent::Apply(const api::NetworkConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.mode == Mode::kOff) return Plan{};
  auto desired = Desired(config);
  if (!desired.ok()) {
    // Keep running the previous config; say why this one was refused until a valid one comes.
    rejected_ =
        "config version " + std::to_string(config.version) + ": " + desired.status().ToString();
    status_["rejected"] = rejected_;
    if (!last_) status_["state"] = "invalid";
    return desired.status();
  }
  rejected_.clear();
  last_ = *desired;
  return ApplyLocked(*desired);
}

StatusOr<Plan> K3sAgent::Repair() {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.mode == Mode::kOff || !last_) return Plan{};
  const std::optional<Rendered> desired = *last_;
  return ApplyLocked(desired);
}

nlohmann::json K3sAgent::StatusJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

Status RemoveK3s(const K3sOptions& options, std::ostream& out) {
  K3sOptions o = options;
  o.mode = Mode::kOn;
  K3sAgent agent(o);
  HEARTH_ASSIGN_OR_RETURN(Plan plan, agent.Apply(api::NetworkConfig{}));
  for (const auto& op : plan.ops) out << "k3s: " << op.ToString() << "\n";
  return Status::Ok();
}

}  // namespace hearth::agent::k3s
