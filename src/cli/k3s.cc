// `hearth k3s render`: what the agent would write and run for the k3s agent, changing nothing.
#include "agent/k3s/k3s.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "agent/state.h"
#include "api/json_reader.h"
#include "api/network.h"
#include "cli/commands.h"
#include "common/flags.h"
#include "common/keys.h"

namespace hearth::cli {
namespace {

constexpr const char* kUsage = "hearth k3s render [--config FILE|-] [FLAGS]";

StatusOr<api::NetworkConfig> LoadConfig(const std::string& config, const std::string& state_dir) {
  std::string text;
  std::string source;
  if (config == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    source = "stdin";
  } else if (!config.empty()) {
    // The user's own file (often saved from curl): read it whatever its mode.
    std::ifstream in(config, std::ios::binary);
    if (!in) {
      return Status::FailedPrecondition(
          "no_config", "cannot read --config " + config + ": " + std::strerror(errno));
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    source = config;
  } else {
    agent::StateDir dir(state_dir);
    const std::string file = dir.File("network.json");
    auto saved = ReadPrivateFile(file);
    if (!saved.ok()) {
      return Status::FailedPrecondition(
          "no_config", "no --config given and " + file +
                           " cannot be read (has `hearth agent` applied a config here? pass "
                           "--state-dir, or --config FILE with the device config JSON)");
    }
    auto j = api::ParseObject(*saved);
    if (!j.ok() || !j->contains("config") || !(*j)["config"].is_object()) {
      return Status::FailedPrecondition("no_config",
                                        file + " holds no applied config yet; pass --config FILE");
    }
    text = (*j)["config"].dump();
    source = file;
  }
  auto j = api::ParseObject(text);
  if (!j.ok()) {
    return Status::InvalidArgument("config", source + " is not a JSON object (" +
                                                 j.status().message() +
                                                 "); pass the device config as GET "
                                                 "/v1/devices/{id}/config returns it");
  }
  return api::DecodeNetworkConfig(*j);
}

}  // namespace

void AddK3sFlags(FlagSet& flags, agent::k3s::K3sOptions* o) {
  flags.String("k3s-root", &o->root,
               "Directory the k3s files are written under (/ on a real host; elsewhere "
               "systemctl is never run).");
  flags.String("k3s-binary", &o->paths.k3s_binary, "The k3s executable the unit runs.");
  flags.String("cni-bin-dir", &o->paths.cni_bin_dir,
               "Where the CNI plugins are (containerd's default with flannel off).");
}

int RunK3s(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << "Usage: hearth k3s render [FLAGS]\n\n"
                 "The k3s agent side of Kubernetes. `hearth agent` makes this host a node of its\n"
                 "region's cluster when the device config carries \"kubernetes\"; `render` shows\n"
                 "what it would write and run. Run `hearth k3s render --help` for its flags.\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "render") {
    std::cerr << "hearth k3s: unknown subcommand '" << args[0] << "' (try: hearth k3s render)\n";
    return 2;
  }
  agent::k3s::K3sOptions o;
  std::string config;
  std::string state_dir = "/var/lib/hearth";
  bool show_token = false;
  FlagSet flags(
      kUsage,
      "Prints the files `hearth agent` would write to make this host a k3s agent of its\n"
      "region's cluster, then the plan against this host: each file new, changed or\n"
      "unchanged, and the systemctl and nft commands it would run. Changes nothing.\n"
      "\n"
      "The files: /etc/rancher/k3s/config.yaml (server, token-file, node-name, node-ip =\n"
      "the overlay address, node-label, node-taint, resolv-conf, kubelet-arg max-pods),\n"
      "the token file, /etc/cni/net.d/10-hearth.conflist (bridge + host-local IPAM on the\n"
      "node's pod CIDR + portmap), /etc/hearth/pod-egress.nft (pods reach the internet\n"
      "masqueraded; traffic inside the region keeps pod addresses) and the k3s-agent\n"
      "systemd unit. Flannel stays off: the region's k3s servers run flannel-backend: none.\n"
      "\n"
      "The input is the device config JSON (GET /v1/devices/{id}/config); without\n"
      "--config, the one the agent last applied (network.json in --state-dir).\n"
      "Exit codes: 0 rendered (also when the plan is blocked), 1 the config cannot be\n"
      "rendered (the error names the field), 2 usage.");
  flags.String("config", &config, "Device config JSON file, or - for stdin.");
  flags.String("state-dir", &state_dir, "Agent state directory (its network.json).");
  flags.Bool("show-token", &show_token, "Print the join token instead of <redacted>.");
  AddK3sFlags(flags, &o);
  flags.Epilog(
      "\nExamples:\n"
      "  hearth k3s render                          # the config the agent applied here\n"
      "  hearth k3s render --config device-config.json --k3s-root /tmp/k3s-preview\n"
      "  curl ... /v1/devices/ID/config | hearth k3s render --config -\n");
  std::vector<std::string> rest_args(args.begin() + 1, args.end());
  auto rest = flags.Parse(rest_args);
  if (!rest.ok()) {
    std::cerr << "hearth k3s render: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (!rest->empty()) {
    std::cerr << "hearth k3s render: unexpected argument '" << (*rest)[0]
              << "' (the config goes in --config FILE)\n";
    return 2;
  }
  auto c = LoadConfig(config, state_dir);
  if (!c.ok()) {
    std::cerr << "hearth k3s render: " << c.status().ToString() << "\n";
    return c.status().code() == Code::kInvalidArgument ? 1 : 2;
  }
  agent::k3s::K3sAgent k3s(o);  // only Observe() and Desired(): nothing is written or run
  auto desired = k3s.Desired(*c);
  if (!desired.ok()) {
    std::cerr << "hearth k3s render: " << desired.status().ToString() << "\n";
    return 1;
  }
  const std::string root = o.root.empty() ? "/" : o.root;
  if (!*desired) {
    std::cout << "The config (version " << c->version
              << ") has no \"kubernetes\": this device is not to be a node. The agent removes\n"
                 "what it installed for k3s, if anything:\n";
  } else {
    std::cout << "# k3s agent files for node " << (*desired)->node_name << " (config version "
              << c->version << "), under " << root << "\n";
    for (const auto& f : (*desired)->files) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(f.mode));
      std::cout << "\n==> " << f.path << " (" << mode << ") <==\n";
      if (f.secret && !show_token) {
        std::cout << "<redacted: the join token, " << f.content.size() - 1
                  << " characters; --show-token prints it>\n";
      } else {
        std::cout << f.content;
      }
    }
    std::cout << "\n# Plan for this host (" << root << "):\n";
  }
  auto plan = agent::k3s::MakePlan(*desired, o.paths, k3s.Observe(desired->has_value()));
  if (!plan.ok()) {
    std::cerr << "hearth k3s render: " << plan.status().ToString() << "\n";
    return 1;
  }
  std::cout << agent::k3s::FormatPlan(*plan)
            << "Nothing was changed (render only shows the plan; "
               "`hearth agent` applies it).\n";
  return 0;
}

}  // namespace hearth::cli
