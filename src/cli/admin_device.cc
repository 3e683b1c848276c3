// `hearth admin device list|show|cordon|uncordon|drain|ban|unban`: what admins (and a region's
// admin, for its devices) decide about single devices, over /v1/admin/devices. The coordinator
// records the decision; the region's cluster follows it (cordon, evict, delete the Node).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/encoding.h"
#include "common/flags.h"
#include "http/client.h"

namespace hearth::cli {

namespace {

constexpr const char* kDeviceUsage = R"(Usage: hearth admin device COMMAND [FLAGS]

Commands:
  list [--q TEXT] [--status online|stale|offline]
                       The network's devices (network admins), 50 a page (--offset N)
  show ID              One device as JSON
  cordon ID            No new workloads on the device; running ones stay
  uncordon ID          Back to normal
  drain ID             Cordon and evict its workloads (maintenance); it keeps its enrollment
  ban ID               Drain, remove its Kubernetes node and refuse its credential
  unban ID             Lift a ban

Every command talks to --coordinator (HEARTH_COORDINATOR) with an admin's session token in
--token (HEARTH_TOKEN); --reason TEXT is recorded with cordon, drain and ban and shown to the
device's owner.
)";

void PrintDevice(const nlohmann::json& d) {
  std::cout << d.value("id", "") << "  " << d.value("status", "") << "  admin "
            << d.value("admin_state", "active");
  const std::string reason = d.value("admin_reason", "");
  if (!reason.empty()) std::cout << " (" << reason << ")";
  if (d.contains("k8s") && d["k8s"].is_object()) {
    std::cout << "  k8s " << d["k8s"].value("state", "none");
  }
  std::cout << "  region "
            << (d.contains("network") ? d["network"].value("region", "") : std::string())
            << "  owner " << d.value("owner_id", "") << "  " << d.value("name", "") << "\n";
}

}  // namespace

int RunAdminDevice(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kDeviceUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  const bool is_action =
      cmd == "cordon" || cmd == "uncordon" || cmd == "drain" || cmd == "ban" || cmd == "unban";
  if (!is_action && cmd != "list" && cmd != "show") {
    std::cerr << "hearth admin device: unknown command '" << cmd << "'\n\n" << kDeviceUsage;
    return 2;
  }
  std::string coordinator = "http://127.0.0.1:8080";
  std::string token, reason, q, status, offset;
  FlagSet flags("hearth admin device " + cmd + (cmd == "list" ? "" : " ID") + " [FLAGS]",
                "Devices: " + cmd + ".");
  flags.String("coordinator", &coordinator, "Coordinator URL.");
  flags.String("token", &token, "Session token of an admin (from sign-in).");
  if (is_action) flags.String("reason", &reason, "Why (shown to the owner), up to 500 characters.");
  if (cmd == "list") {
    flags.String("q", &q, "Search id, name, owner, hostname and GPU models.");
    flags.String("status", &status, "Only devices that are online, stale or offline.");
    flags.String("offset", &offset, "Skip this many matches (pages of 50).");
  }
  auto rest = flags.Parse(Args(args.begin() + 1, args.end()));
  if (!rest.ok()) {
    std::cerr << "hearth admin device " << cmd << ": " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  const bool needs_id = cmd != "list";
  if (rest->size() != (needs_id ? 1u : 0u)) {
    std::cerr << "hearth admin device " << cmd << ": "
              << (needs_id ? "give exactly one device ID (dev_...)"
                           : "takes no positional arguments")
              << "\n";
    return 2;
  }
  if (token.empty()) {
    std::cerr << "hearth admin device " << cmd
              << ": --token (or HEARTH_TOKEN) is required: an admin's session token\n";
    return 2;
  }
  auto client = http::Client::Create(coordinator, std::chrono::seconds(15));
  if (!client.ok()) {
    std::cerr << "hearth admin device: --coordinator: " << client.status().message() << "\n";
    return 2;
  }
  (*client)->SetBearer(token);
  StatusOr<http::ClientResponse> res = Status::Internal("unreachable");
  if (cmd == "list") {
    std::string target = "/v1/admin/devices?limit=50";
    if (!q.empty()) target += "&q=" + PercentEncode(q);
    if (!status.empty()) target += "&status=" + PercentEncode(status);
    if (!offset.empty()) target += "&offset=" + PercentEncode(offset);
    res = (*client)->Get(target);
  } else if (cmd == "show") {
    res = (*client)->Get("/v1/devices/" + (*rest)[0]);
  } else {
    nlohmann::json body = {{"action", cmd}};
    if (!reason.empty()) body["reason"] = reason;
    res = (*client)->PostJson("/v1/admin/devices/" + (*rest)[0] + "/actions", body);
  }
  if (!res.ok()) {
    std::cerr << "hearth admin device " << cmd << ": " << res.status().message() << "\n";
    return 4;
  }
  if (Status st = res->ToStatus(); !st.ok()) {
    std::cerr << "hearth admin device " << cmd << ": "
              << (st.field().empty() ? "" : "--" + st.field() + ": ") << st.message() << "\n";
    return 1;
  }
  const nlohmann::json body = res->Json();
  if (cmd == "list") {
    for (const auto& d : body.value("devices", nlohmann::json::array())) PrintDevice(d);
    std::cout << body.value("total", 0) << " matching\n";
  } else if (cmd == "show") {
    std::cout << body.dump(2) << "\n";
  } else {
    PrintDevice(body);
  }
  return 0;
}

}  // namespace hearth::cli
