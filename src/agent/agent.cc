#include "agent/agent.h"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include "agent/checkin.h"
#include "agent/preflight/preflight.h"
#include "api/device_auth.h"
#include "api/network.h"
#include "common/clock.h"
#include "common/keys.h"
#include "common/log.h"
#include "http/client.h"

namespace hearth::agent {
namespace {

int ExitFor(const Status& st) {
  switch (st.code()) {
    case Code::kUnavailable:
    case Code::kDeadlineExceeded:
      return kExitUnreachable;
    case Code::kInvalidArgument:
      return kExitUsage;
    case Code::kUnauthenticated:
    case Code::kFailedPrecondition:
    case Code::kPermissionDenied:
      return kExitRefused;
    default:
      return kExitFailure;
  }
}

// The roots as absolute paths, so the agent reads the same trees from any working directory
// (nvidia-smi too when it is a path rather than a command looked up on PATH).
InventoryRoots AbsoluteRoots(InventoryRoots roots) {
  for (std::string* p : {&roots.sysfs, &roots.procfs, &roots.etc, &roots.nvidia_smi}) {
    std::error_code ec;
    if (!p->empty() && (p != &roots.nvidia_smi || p->find('/') != std::string::npos)) {
      auto abs = std::filesystem::absolute(*p, ec);
      if (!ec) *p = abs.lexically_normal().string();
    }
  }
  return roots;
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

int Join(const JoinOptions& o, std::ostream& out, std::ostream& err) {
  if (o.coordinator.empty()) {
    err << "hearth join: --coordinator is required, e.g. --coordinator http://127.0.0.1:8080\n";
    return kExitUsage;
  }
  if (o.install_key.empty()) {
    err << "hearth join: the install key is missing; copy it from the portal's \"Add device\" "
           "page: hearth join --coordinator URL word-word-word-word-word\n";
    return kExitUsage;
  }
  if (o.role != "worker" && o.role != "gateway" && o.role != "control") {
    err << "hearth join: --role must be worker, gateway or control, not '" << o.role << "'\n";
    return kExitUsage;
  }
  if (o.role == "gateway") {
    if (o.endpoint.empty()) {
      err << "hearth join: a gateway needs --endpoint HOST:PORT, the public address workers "
             "reach its WireGuard port at, e.g. --endpoint 203.0.113.10:51820\n";
      return kExitUsage;
    }
    if (Status st = api::ValidateEndpoint(o.endpoint, "--endpoint"); !st.ok()) {
      err << "hearth join: " << st.ToString() << "\n";
      return kExitUsage;
    }
  } else if (!o.endpoint.empty()) {
    err << "hearth join: --endpoint is for gateways; workers dial out (pass --role gateway "
           "if this device is one)\n";
    return kExitUsage;
  }
  StateDir dir(o.state_dir);
  if (Status st = dir.Ensure(); !st.ok()) {
    err << "hearth join: " << st.ToString() << "\n";
    return kExitUsage;
  }
  auto existing = dir.LoadDevice();
  if (!existing.ok()) {
    err << "hearth join: " << existing.status().ToString() << "\n";
    return kExitFailure;
  }
  if (existing->has_value()) {
    err << "hearth join: this state directory is already enrolled as device "
        << (*existing)->device_id << " (" << (*existing)->name
        << "); run `hearth leave --state-dir " << o.state_dir << "` first\n";
    return kExitUsage;
  }
  auto client = http::Client::Create(o.coordinator, std::chrono::seconds(15));
  if (!client.ok()) {
    err << "hearth join: " << client.status().ToString() << "\n";
    return kExitUsage;
  }

  out << "Collecting inventory...\n";
  auto inv = CollectInventory(o.roots);
  if (!inv.ok()) {
    err << "hearth join: inventory: " << inv.status().ToString() << "\n";
    return kExitFailure;
  }
  PreflightEnv env;
  env.roots = o.roots;
  env.dev = o.dev_root;
  env.state_dir = o.state_dir;
  const char* path = std::getenv("PATH");
  env.path_env = path ? path : "";
  const std::vector<Check> checks = RunPreflight(*inv, env);
  out << "Preflight:\n" << FormatPreflight(checks);
  if (!PreflightPassed(checks)) {
    if (!o.ignore_preflight) {
      err << "hearth join: preflight failed; fix the FAIL lines above and run again (or pass "
             "--ignore-preflight to enroll anyway)\n";
      return kExitPreflight;
    }
    out << "Preflight failed, continuing because of --ignore-preflight.\n";
  }

  auto wg = dir.LoadOrCreateWgKey();
  if (!wg.ok()) {
    err << "hearth join: WireGuard key: " << wg.status().ToString() << "\n";
    return kExitFailure;
  }
  auto identity = dir.LoadOrCreateIdentityKey();
  if (!identity.ok()) {
    err << "hearth join: identity key: " << identity.status().ToString() << "\n";
    return kExitFailure;
  }

  nlohmann::json body = {{"install_key", o.install_key},
                         {"hostname", inv->hostname.empty() ? "device" : inv->hostname},
                         {"agent_version", HEARTH_VERSION},
                         {"wg_public_key", wg->Public().ToString()},
                         {"identity_public_key", identity->Public().ToString()},
                         {"inventory", InventoryToJson(*inv)},
                         {"preflight", PreflightToJson(checks)}};
  if (!o.name.empty()) body["name"] = o.name;
  body["role"] = o.role;
  if (!o.endpoint.empty()) body["endpoint"] = o.endpoint;
  body["placement"] = CheckIn(**client, o.country, static_cast<int>(inv->gpus.size()), 3, out);
  out << "Enrolling with " << o.coordinator << "...\n";
  auto res = (*client)->PostJson("/v1/enroll", body);
  if (!res.ok()) {
    err << "hearth join: cannot reach the coordinator at " << o.coordinator << ": "
        << res.status().message() << "\nCheck the URL and that the coordinator is running.\n";
    return kExitUnreachable;
  }
  if (Status st = res->ToStatus(); !st.ok()) {
    err << "hearth join: enrollment refused (" << st.reason() << "): " << st.message() << "\n";
    return ExitFor(st);
  }
  const nlohmann::json j = res->Json();
  if (!j.is_object() || !j.contains("device_id") || !j["device_id"].is_string() ||
      !j.contains("credential") || !j["credential"].is_string()) {
    err << "hearth join: the coordinator's answer is missing device_id or credential\n";
    return kExitFailure;
  }
  DeviceState s;
  s.inventory_roots = AbsoluteRoots(o.roots);
  s.coordinator = o.coordinator;
  s.device_id = j["device_id"].get<std::string>();
  s.credential = Secret<std::string>(j["credential"].get<std::string>());
  s.name = j.value("name", inv->hostname);
  s.heartbeat_interval_seconds = j.value("heartbeat_interval_seconds", int64_t{30});
  s.enrolled_at = FormatRfc3339(SystemClock::Instance().Now());
  if (Status st = dir.SaveDevice(s); !st.ok()) {
    err << "hearth join: enrolled as " << s.device_id
        << " but could not save the state: " << st.ToString()
        << "\nRemove the device in the portal and join again with a new key.\n";
    return kExitFailure;
  }
  PrintPlacement(j, out);
  out << "Enrolled as device " << s.device_id << " (" << s.name << ").\n"
      << "Start the agent: hearth agent --state-dir " << o.state_dir << "\n";
  out << s.device_id << "\n";
  return kExitOk;
}

std::chrono::milliseconds BackoffDelay(int failures, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap, Random& random) {
  int64_t d = base.count();
  for (int i = 1; i < failures && d < cap.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, cap.count());
  const int64_t half = d / 2;
  return std::chrono::milliseconds(half + random.Uniform(static_cast<uint32_t>(d - half + 1)));
}

InventoryReporter::InventoryReporter(InventoryRoots roots, Duration interval)
    : roots_(std::move(roots)), interval_(interval) {}

std::optional<nlohmann::json> InventoryReporter::ToSend(Timestamp now) {
  if (!read_once_ || (interval_ > Duration::zero() && now >= next_read_)) {
    read_once_ = true;
    next_read_ = now + interval_;
    auto inv = CollectInventory(roots_);
    if (inv.ok()) {
      current_ = InventoryToJson(*inv);
    } else {
      log::Warn("cannot read the inventory", {{"error", inv.status().ToString()}});
    }
  }
  if (current_.is_null() || current_ == accepted_ || current_ == refused_) return std::nullopt;
  return current_;
}

void InventoryReporter::Accepted(const nlohmann::json& inventory) { accepted_ = inventory; }

void InventoryReporter::Refused(const nlohmann::json& inventory) { refused_ = inventory; }

namespace {

// The config long-poll (own thread): GET .../config?since=APPLIED&wait=S answers at once with a
// newer version, or 304 after S seconds; each new version is applied and acknowledged.
// Errors back off with jitter; a removed device ends the loop.
class ConfigLoop {
 public:
  ConfigLoop(const DeviceState& s, const IdentityPrivateKey& identity, NetworkAgent& net,
             k3s::K3sAgent* k3s, int64_t wait_seconds, Random& random)
      : s_(s),
        identity_(identity),
        net_(net),
        k3s_(k3s),
        wait_seconds_(wait_seconds),
        random_(random) {}
  ~ConfigLoop() { Stop(); }

  Status Start() {
    HEARTH_ASSIGN_OR_RETURN(
        client_, http::Client::Create(s_.coordinator, std::chrono::seconds(wait_seconds_ + 15)));
    client_->SetBearer(s_.credential.Reveal());
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (client_) client_->Cancel();
    if (thread_.joinable()) thread_.join();
  }

 private:
  bool Sleep(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, d, [this] { return stop_; });
  }
  bool stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }
  void Ack(int64_t version, const std::string& error) {
    const std::string path = "/v1/devices/" + s_.device_id + "/config/applied";
    nlohmann::json body = {{"version", version}};
    if (!error.empty()) body["error"] = error.substr(0, 1000);
    const std::string payload = body.dump();
    auto headers =
        api::SignDeviceRequest(identity_, "POST", path, payload, SystemClock::Instance().Now());
    headers.emplace_back("Content-Type", "application/json");
    auto res = client_->Do("POST", path, payload, headers);
    Status st = res.ok() ? res->ToStatus() : res.status();
    if (!st.ok()) {
      // The next heartbeat carries the applied version too.
      log::Warn("config acknowledgement failed", {{"version", version}, {"error", st.ToString()}});
    }
  }
  void Run() {
    int failures = 0;
    const std::string path = "/v1/devices/" + s_.device_id + "/config";
    while (!stopping()) {
      const int64_t since = net_.applied_version();
      const std::string target =
          path + "?since=" + std::to_string(since) + "&wait=" + std::to_string(wait_seconds_);
      auto headers =
          api::SignDeviceRequest(identity_, "GET", path, "", SystemClock::Instance().Now());
      auto res = client_->Do("GET", target, "", headers);
      if (stopping()) break;
      Status st = res.ok() ? res->ToStatus() : res.status();
      if (res.ok() && res->status == 304) {
        failures = 0;
        continue;
      }
      if (res.ok() && res->status == 200) {
        const nlohmann::json j = res->Json();
        auto config = api::DecodeNetworkConfig(j);
        if (!config.ok()) {
          st = config.status();
          log::Error("coordinator sent an invalid network config", {{"error", st.ToString()}});
          if (j.is_object() && j.contains("version") && j["version"].is_number_integer()) {
            Ack(j["version"].get<int64_t>(), "invalid config: " + st.ToString());
          }
        } else if (config->version <= since) {
          st = Status::Internal("coordinator sent version " + std::to_string(config->version) +
                                " when asked for one newer than " + std::to_string(since));
        } else {
          auto ops = net_.Apply(*config);
          Ack(config->version, ops.ok() ? "" : ops.status().ToString());
          if (ops.ok()) {
            // k3s follows the applied network; its problems are logged and shown by `hearth
            // status` (the acknowledged version is about the overlay) and retried at heartbeats.
            ApplyK3s(*k3s_, *config);
            failures = 0;
            continue;
          }
          st = ops.status();
        }
      } else if (st.code() == Code::kUnauthenticated) {
        log::Error("config poll rejected: credential revoked", {{"reason", st.reason()}});
        break;  // the heartbeat sees the same 401 and ends the agent
      }
      ++failures;
      const auto next =
          BackoffDelay(failures, std::chrono::seconds(1), std::chrono::seconds(60), random_);
      log::Warn("config poll failed", {{"error", st.ToString()},
                                       {"failures", static_cast<int64_t>(failures)},
                                       {"retry_in_ms", static_cast<int64_t>(next.count())}});
      if (Sleep(next)) break;
    }
  }

  static void ApplyK3s(k3s::K3sAgent& k3s, const api::NetworkConfig& config) {
    auto plan = k3s.Apply(config);
    if (!plan.ok()) {
      log::Error("k3s not applied",
                 {{"version", config.version}, {"error", plan.status().ToString()}});
    }
  }

  DeviceState s_;
  IdentityPrivateKey identity_;
  NetworkAgent& net_;
  k3s::K3sAgent* k3s_;
  int64_t wait_seconds_;
  Random& random_;
  std::unique_ptr<http::Client> client_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
};

}  // namespace

int RunAgent(const AgentOptions& o, Random& random, std::ostream& err) {
  StateDir dir(o.state_dir);
  auto loaded = dir.LoadDevice();
  if (!loaded.ok()) {
    err << "hearth agent: " << loaded.status().ToString() << "\n";
    return kExitFailure;
  }
  if (!loaded->has_value()) {
    err << "hearth agent: " << o.state_dir << " holds no enrollment; run `hearth join --state-dir "
        << o.state_dir << " --coordinator URL KEY` first\n";
    return kExitUsage;
  }
  DeviceState s = std::move(**loaded);
  auto client = http::Client::Create(s.coordinator, std::chrono::seconds(10));
  if (!client.ok()) {
    err << "hearth agent: " << client.status().ToString() << "\n";
    return kExitUsage;
  }
  (*client)->SetBearer(s.credential.Reveal());
  auto identity = dir.LoadIdentityKey();
  if (!identity.ok()) {
    err << "hearth agent: identity key: " << identity.status().ToString() << "\n";
    return kExitFailure;
  }
  log::Info("agent started", {{"device_id", s.device_id}, {"coordinator", s.coordinator}});

  std::unique_ptr<NetworkAgent> net;
  std::unique_ptr<k3s::K3sAgent> k3s_agent;
  std::unique_ptr<ConfigLoop> config_loop;
  if (o.network) {
    auto made = o.make_network
                    ? o.make_network(dir)
                    : NetworkAgent::Create(dir, o.network_options, SystemClock::Instance());
    if (!made.ok()) {
      err << "hearth agent: network: " << made.status().ToString() << "\n";
      return ExitFor(made.status());
    }
    net = std::move(*made);
    if (Status st = net->Start(); !st.ok()) {
      if (st.reason() == "interface_changed" || st.reason() == "corrupt_state") {
        err << "hearth agent: " << st.ToString() << "\n";
        return kExitUsage;
      }
      // Keep heartbeating; the next config or drift check retries.
      log::Error("network not restored", {{"error", st.ToString()}});
    }
    log::Info("network on", {{"interface", net->interface_name()}, {"backend", net->backend()}});
    k3s_agent = std::make_unique<k3s::K3sAgent>(o.k3s);
    if (auto applied = net->applied()) {
      // After a reboot the nft table is gone and k3s may be stopped: restore them now.
      if (auto plan = k3s_agent->Apply(*applied); !plan.ok()) {
        log::Error("k3s not restored", {{"error", plan.status().ToString()}});
      }
    }
    config_loop = std::make_unique<ConfigLoop>(s, *identity, *net, k3s_agent.get(),
                                               o.config_wait_seconds, random);
    if (Status st = config_loop->Start(); !st.ok()) {
      err << "hearth agent: " << st.ToString() << "\n";
      return kExitUsage;
    }
  }
  // Stops the poll thread and the wireguard-go the agent supervises, on every way out.
  struct Cleanup {
    std::unique_ptr<ConfigLoop>& loop;
    std::unique_ptr<NetworkAgent>& net;
    ~Cleanup() {
      if (loop) loop->Stop();
      if (net) net->Shutdown();
    }
  } cleanup{config_loop, net};

  InventoryRoots roots = s.inventory_roots;
  if (!o.procfs.empty()) roots.procfs = o.procfs;
  if (!o.sysfs.empty()) roots.sysfs = o.sysfs;
  if (!o.etc.empty()) roots.etc = o.etc;
  InventoryReporter inventory(roots, o.inventory_interval);

  AgentStatus status;
  const std::string path = "/v1/devices/" + s.device_id + "/heartbeat";
  while (true) {
    std::istringstream loadavg(ReadFirstLine(roots.procfs + "/loadavg"));
    double l1 = 0, l5 = 0, l15 = 0;
    loadavg >> l1 >> l5 >> l15;
    double uptime = 0;
    std::istringstream(ReadFirstLine(roots.procfs + "/uptime")) >> uptime;
    nlohmann::json body = {{"agent_version", HEARTH_VERSION},
                           {"uptime_seconds", static_cast<int64_t>(uptime)},
                           {"load1", l1},
                           {"load5", l5},
                           {"load15", l15}};
    const std::optional<nlohmann::json> sent_inventory =
        inventory.ToSend(SystemClock::Instance().Now());
    if (sent_inventory) body["inventory"] = *sent_inventory;
    if (net) {
      if (auto repaired = net->Repair(); !repaired.ok()) {
        log::Error("network drift check failed", {{"error", repaired.status().ToString()}});
      }
      if (auto repaired = k3s_agent->Repair(); !repaired.ok()) {
        log::Warn("k3s drift check failed", {{"error", repaired.status().ToString()}});
      }
      if (o.k3s.mode != k3s::Mode::kOff) status.k3s = k3s_agent->StatusJson();
      auto live = net->LiveStatus();
      if (live.ok()) {
        body["network"] = api::EncodeNetworkStatus(*live);
        status.network = body["network"];
      } else {
        log::Warn("cannot read the network interface", {{"error", live.status().ToString()}});
      }
    }
    status.last_attempt = FormatRfc3339(SystemClock::Instance().Now());
    const std::string payload = body.dump();
    auto headers =
        api::SignDeviceRequest(*identity, "POST", path, payload, SystemClock::Instance().Now());
    headers.emplace_back("Content-Type", "application/json");
    auto res = (*client)->Do("POST", path, payload, headers);
    Status st = res.ok() ? res->ToStatus() : res.status();
    std::chrono::milliseconds next(s.heartbeat_interval_seconds * 1000);
    if (st.ok()) {
      if (status.consecutive_failures > 0) {
        log::Info("heartbeat recovered", {{"after_failures", status.consecutive_failures}});
      }
      status.consecutive_failures = 0;
      status.last_error.clear();
      status.last_success = status.last_attempt;
      if (sent_inventory) inventory.Accepted(*sent_inventory);
      const nlohmann::json j = res->Json();
      if (j.is_object() && j.contains("heartbeat_interval_seconds") &&
          j["heartbeat_interval_seconds"].is_number_integer()) {
        const int64_t interval = j["heartbeat_interval_seconds"].get<int64_t>();
        if (interval >= 1 && interval <= 86400) {
          s.heartbeat_interval_seconds = interval;
          next = std::chrono::milliseconds(interval * 1000);
        }
      }
    } else if (st.code() == Code::kUnauthenticated) {
      status.revoked = true;
      status.last_error = st.message();
      (void)dir.SaveStatus(status);
      log::Error("heartbeat rejected: credential revoked",
                 {{"reason", st.reason()}, {"message", st.message()}});
      err << "hearth agent: the coordinator rejected this device (401 " << st.reason()
          << "): " << st.message() << "\n";
      return kExitRefused;
    } else {
      if (sent_inventory && st.code() == Code::kInvalidArgument &&
          st.field().rfind("inventory", 0) == 0) {
        // A coordinator that cannot take this inventory must not cost the device its heartbeats:
        // the next one goes without it, and it is sent again only when the hardware changes.
        log::Error("inventory refused by the coordinator", {{"error", st.ToString()}});
        inventory.Refused(*sent_inventory);
      }
      ++status.consecutive_failures;
      status.last_error = st.message();
      // Retry sooner than a full interval at first, never later than a few intervals, so
      // an outage shorter than --offline-after does not show the device offline.
      const std::chrono::milliseconds interval(s.heartbeat_interval_seconds * 1000);
      next = BackoffDelay(
          static_cast<int>(status.consecutive_failures), std::chrono::seconds(1),
          std::min<std::chrono::milliseconds>(std::chrono::minutes(5), 4 * interval), random);
      log::Warn("heartbeat failed", {{"error", st.ToString()},
                                     {"failures", status.consecutive_failures},
                                     {"retry_in_ms", static_cast<int64_t>(next.count())}});
    }
    if (Status ss = dir.SaveStatus(status); !ss.ok()) {
      log::Warn("cannot save status", {{"error", ss.ToString()}});
    }
    if (o.wait(next)) break;
  }
  log::Info("agent stopped", {{"device_id", s.device_id}});
  return kExitOk;
}

}  // namespace hearth::agent
