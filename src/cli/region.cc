// `hearth region proposals|volunteer`: an owner's side of region bootstrapping (DESIGN §4). A
// waitlisted device's cell may raise a region proposal; its owner lists the proposals of the
// cells where their devices wait and volunteers to host the region's control plane. Admins
// approve with `hearth admin region approve`. A thin client over /v1/regions/proposals.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/flags.h"
#include "http/client.h"

namespace hearth::cli {

namespace {

constexpr const char* kRegionUsage = R"(Usage: hearth region COMMAND [FLAGS]

Commands:
  proposals            The region proposals of the cells where your devices wait
  volunteer PROPOSAL   Offer to host the proposed region's control plane and first gateway

A device with no region near enough waits in a coarse cell (country + 1° grid). When enough
devices wait in a cell, the coordinator proposes a region there; one volunteer who can host it
is approved by an admin, and once the volunteer's gateway is up every device waiting in the cell
is placed there without anything to do on the devices.

Sign in with POST /v1/sessions and pass the token with --token (or HEARTH_TOKEN).
)";

}  // namespace

void PrintProposals(const nlohmann::json& body) {
  const auto proposals = body.value("proposals", nlohmann::json::array());
  if (proposals.empty()) {
    std::cout << "no region proposals\n";
    return;
  }
  for (const auto& p : proposals) {
    std::cout << p.value("id", "") << "  " << p.value("status", "") << "  cell "
              << p.value("cell", "") << "  waiting " << p.value("waiting_devices", 0)
              << " devices, " << p.value("waiting_gpus", 0) << " GPUs";
    if (p.contains("region") && p["region"].is_string()) {
      std::cout << "  region " << p["region"].get<std::string>();
    }
    std::cout << "\n";
    for (const auto& v : p.value("volunteers", nlohmann::json::array())) {
      const auto hosting = v.value("hosting", nlohmann::json::object());
      std::cout << "    volunteer " << v.value("account_id", "") << "  gateway "
                << hosting.value("gateway_endpoint", "") << "  uplink "
                << hosting.value("uplink_mbps", 0) << " Mbit/s  control nodes "
                << hosting.value("control_nodes", 0) << "  contact " << hosting.value("contact", "")
                << "\n";
    }
  }
}

int RunRegion(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kRegionUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  if (cmd != "proposals" && cmd != "volunteer") {
    std::cerr << "hearth region: unknown command '" << cmd << "'\n\n" << kRegionUsage;
    return 2;
  }
  std::string coordinator = "http://127.0.0.1:8080", token, endpoint, contact, note;
  std::string uplink, control_nodes;
  bool json = false;
  FlagSet flags(cmd == "volunteer" ? "hearth region volunteer PROPOSAL [FLAGS]"
                                   : "hearth region proposals [FLAGS]",
                cmd == "volunteer"
                    ? "Offers to host a proposed region: its control plane (1..7 nodes, 3 for an\n"
                      "etcd quorum) and its first gateway at a public host:port with at least\n"
                      "100 Mbit/s uplink. Only the owner of a device waiting in the proposal's\n"
                      "cell may volunteer; volunteering again replaces the details."
                    : "Lists the region proposals of the cells where your devices wait (admins:\n"
                      "every proposal), with how many devices and GPUs wait there now.");
  flags.String("coordinator", &coordinator, "Coordinator URL.");
  flags.String("token", &token, "Session token (from POST /v1/sessions); prefer HEARTH_TOKEN.");
  if (cmd == "volunteer") {
    flags.String("gateway-endpoint", &endpoint,
                 "Public host:port the region's first gateway will listen on (UDP).");
    flags.String("uplink-mbps", &uplink, "Uplink bandwidth of that site, Mbit/s (at least 100).");
    flags.String("control-nodes", &control_nodes, "Control-plane nodes you can run, 1..7.");
    flags.String("contact", &contact, "How the admins reach you: name, email or chat handle.");
    flags.String("note", &note, "Anything else the admins should know (optional).");
  } else {
    flags.Bool("json", &json, "Print the API's JSON.");
  }
  auto rest = flags.Parse(Args(args.begin() + 1, args.end()));
  if (!rest.ok()) {
    std::cerr << "hearth region " << cmd << ": " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  const size_t want = cmd == "volunteer" ? 1 : 0;
  if (rest->size() != want) {
    std::cerr << "hearth region " << cmd << ": "
              << (want ? "give exactly one PROPOSAL id (see `hearth region proposals`)"
                       : "takes no positional arguments")
              << "\n";
    return 2;
  }
  if (token.empty()) {
    std::cerr << "hearth region " << cmd
              << ": --token: is required (or set HEARTH_TOKEN); sign in with POST /v1/sessions\n";
    return 2;
  }
  auto client = http::Client::Create(coordinator, std::chrono::seconds(15));
  if (!client.ok()) {
    std::cerr << "hearth region " << cmd << ": --coordinator: " << client.status().message()
              << "\n";
    return 2;
  }
  (*client)->SetBearer(token);
  StatusOr<http::ClientResponse> res = Status::Internal("unreachable");
  if (cmd == "proposals") {
    res = (*client)->Get("/v1/regions/proposals");
  } else {
    // Numbers stay text when they are not numbers, so the coordinator names the bad field.
    auto number = [](const std::string& text) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      return !j.is_discarded() && j.is_number() ? j : nlohmann::json(text);
    };
    nlohmann::json body = nlohmann::json::object();
    if (!endpoint.empty()) body["gateway_endpoint"] = endpoint;
    if (!uplink.empty()) body["uplink_mbps"] = number(uplink);
    if (!control_nodes.empty()) body["control_nodes"] = number(control_nodes);
    if (!contact.empty()) body["contact"] = contact;
    if (!note.empty()) body["note"] = note;
    res = (*client)->PostJson("/v1/regions/proposals/" + (*rest)[0] + "/volunteer", body);
  }
  if (!res.ok()) {
    std::cerr << "hearth region " << cmd << ": " << res.status().message() << "\n";
    return 4;
  }
  if (Status st = res->ToStatus(); !st.ok()) {
    std::string flag = st.field();
    for (char& c : flag) {
      if (c == '_') c = '-';
    }
    std::cerr << "hearth region " << cmd << ": " << (flag.empty() ? "" : "--" + flag + ": ")
              << st.message() << "\n";
    return 1;
  }
  const nlohmann::json body = res->Json();
  if (cmd == "proposals") {
    if (json) {
      std::cout << body.dump(2) << "\n";
    } else {
      PrintProposals(body);
    }
  } else {
    std::cout << "volunteered for " << body.value("proposal", "")
              << "; an admin will review it (you are told through the proposal's status)\n";
  }
  return 0;
}

}  // namespace hearth::cli
