#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/encoding.h"
#include "common/flags.h"
#include "common/keys.h"
#include "common/log.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "http/client.h"

namespace hearth::cli {
namespace {

// Well-known credentials, only ever created by `hearth demo` (the portal's tests and docs use
// them); `hearth serve` has no default accounts.
constexpr const char* kDemoEmail = "demo@hearth.local";
constexpr const char* kDemoPassword = "hearth-demo";
constexpr const char* kDemoAdminEmail = "admin@hearth.local";
constexpr const char* kDemoAdminPassword = "hearth-admin";

std::vector<std::string> FixtureHosts(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name[0] == '.') continue;
      struct stat st {};
      if (stat((dir + "/" + name + "/proc").c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        out.push_back(name);
      }
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The portal's map: each fixture host declares a country on another continent, so the demo
// fleet is spread over the map (cells by declared country) instead of sitting in one place.
std::string DemoCountry(size_t index) {
  static const char* const kCountries[] = {"DE", "US", "BR", "KE", "JP", "AU", "IN"};
  return kCountries[index % (sizeof(kCountries) / sizeof(kCountries[0]))];
}

// The demo's regions: the devices declaring these countries are placed there; the others (BR,
// KE) wait, raise region proposals (threshold 1 in the demo) and the demo owner volunteers to
// host the Brazilian one, so the admin pages have a waitlist, proposals and a volunteer.
struct DemoRegion {
  const char* id;
  const char* name;
  const char* location_region;
  double lat, lon;
  const char* country;
  const char* hardware_policy;
};
constexpr DemoRegion kDemoRegions[] = {
    {"eu-frankfurt", "Frankfurt", "eu-central", 50.11, 8.68, "DE", "mixed"},
    {"us-newyork", "New York", "na-us-northeast", 40.71, -74.01, "US", "mixed"},
    {"jp-tokyo", "Tokyo", "as-east", 35.68, 139.69, "JP", "gpu-only"},
    {"au-sydney", "Sydney", "oc-aus", -33.87, 151.21, "AU", "mixed"},
};
// A hardware upgrade for the device page: the demo's `host` reads its hardware from a copy of
// its fixture tree, and a while after start the GPU in `slot` of the fixture host `from` is
// fitted into that copy, as if its owner added a card; its agent re-reads every 10 s and the
// coordinator records the upgrade. Later runs find the card already there.
struct DemoUpgrade {
  const char* host;
  const char* from;
  const char* slot;
};
constexpr DemoUpgrade kDemoUpgrade = {"dual-3090", "rtx4090", "0000:01:00.0"};
constexpr auto kDemoUpgradeAfter = std::chrono::seconds(30);

// The tree `host` is joined from: a copy in the data directory for the upgraded host (made on
// the first run), the fixture itself for the others.
std::string DemoHostRoot(const std::string& fixtures, const std::string& data,
                         const std::string& host) {
  const std::string fixture = fixtures + "/" + host;
  if (host != kDemoUpgrade.host) return fixture;
  const std::string copy = data + "/hosts/" + host;
  std::error_code ec;
  if (!std::filesystem::exists(copy, ec)) {
    std::filesystem::create_directories(data + "/hosts", ec);
    std::filesystem::copy(
        fixture, copy,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks,
        ec);
    if (ec) {
      std::cerr << "hearth demo: cannot copy " << fixture << " to " << copy << ": " << ec.message()
                << "; " << host << " reads the fixture and gets no upgrade\n";
      std::filesystem::remove_all(copy, ec);
      return fixture;
    }
  }
  return copy;
}

// Fits the upgrade's GPU into the copied tree (once; nothing when the tree is the fixture).
void FitDemoUpgrade(const std::string& fixtures, const std::string& data) {
  const std::string devices = "/sys/bus/pci/devices/";
  const std::string to = data + "/hosts/" + kDemoUpgrade.host + devices + kDemoUpgrade.slot;
  const std::string from = fixtures + "/" + kDemoUpgrade.from + devices + kDemoUpgrade.slot;
  std::error_code ec;
  if (!std::filesystem::exists(data + "/hosts/" + kDemoUpgrade.host, ec) ||
      std::filesystem::exists(to, ec) || !std::filesystem::exists(from, ec)) {
    return;
  }
  std::filesystem::copy(
      from, to + ".tmp",
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
  // Appears whole: an agent reading the tree never sees half a card.
  if (!ec) std::filesystem::rename(to + ".tmp", to, ec);
  if (ec) {
    std::cerr << "hearth demo: cannot fit the demo GPU into " << to << ": " << ec.message() << "\n";
    std::filesystem::remove_all(to + ".tmp", ec);
    return;
  }
  std::cout << "Demo: a GPU (" << kDemoUpgrade.from << "'s, slot " << kDemoUpgrade.slot
            << ") was fitted into " << kDemoUpgrade.host << "; its device page shows the upgrade.\n"
            << std::flush;
}

// Revenue the demo's admin enters for every (one-minute) epoch, in uakt.
constexpr int64_t kDemoEpochRevenue = 2'500'000;

std::optional<std::string> SignIn(http::Client& c, const std::string& email,
                                  const std::string& password) {
  auto r = c.PostJson("/v1/sessions", {{"email", email}, {"password", password}});
  if (!r.ok() || r->status != 201) return std::nullopt;
  return r->Json()["token"].get<std::string>();
}

// Creates the demo regions (409 on later runs is fine).
void CreateDemoRegions(http::Client& admin) {
  for (const DemoRegion& r : kDemoRegions) {
    (void)admin.PostJson("/v1/regions", {{"id", r.id},
                                         {"name", r.name},
                                         {"location_region", r.location_region},
                                         {"lat", r.lat},
                                         {"lon", r.lon},
                                         {"countries", {r.country}},
                                         {"hardware_policy", r.hardware_policy}});
  }
}

// The demo owner volunteers for the first open proposal (re-volunteering replaces the details).
void VolunteerForAProposal(http::Client& owner) {
  auto r = owner.Get("/v1/regions/proposals");
  if (!r.ok() || r->status != 200) return;
  for (const auto& p : r->Json().value("proposals", nlohmann::json::array())) {
    if (p.value("status", "") != "open") continue;
    (void)owner.PostJson("/v1/regions/proposals/" + p.value("id", "") + "/volunteer",
                         {{"gateway_endpoint", "198.51.100.20:51820"},
                          {"uplink_mbps", 500},
                          {"control_nodes", 3},
                          {"contact", "demo owner, demo@hearth.local"},
                          {"note", "a small server in a home office (demo data)"}});
    return;
  }
}

bool WaitHealthy(http::Client& c, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.Get("/healthz");
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

int RunDemo(const Args& args) {
  std::string listen = "127.0.0.1:8080";
  std::string data = ".hearth-demo";
  std::string fixtures = "tests/fixtures/hosts";
  Duration heartbeat = std::chrono::seconds(5);
  FlagSet flags("hearth demo [FLAGS]",
                "Runs a local coordinator with the embedded store, a demo owner account and one\n"
                "real `hearth agent` process per fixture host (simulated hardware), so the\n"
                "product can be seen without root or real devices. Ctrl-C stops everything.\n"
                "State is kept in --data, so a second run reuses the same account and devices.");
  flags.String("listen", &listen, "Coordinator address, HOST:PORT.");
  flags.String("data", &data, "Directory for the demo's database, agents' state and logs.");
  flags.String("fixtures", &fixtures, "Directory of fixture hosts (sysfs/procfs trees).");
  flags.Dur("heartbeat-interval", &heartbeat, "Heartbeat interval of the demo fleet.");
  auto rest = flags.Parse(args);
  if (!rest.ok()) {
    std::cerr << "hearth demo: " << rest.status().ToString() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  const std::vector<std::string> hosts = FixtureHosts(fixtures);
  if (hosts.empty()) {
    std::cerr << "hearth demo: --fixtures: no fixture hosts in '" << fixtures
              << "'; run from the repository root or point --fixtures at tests/fixtures/hosts\n";
    return 2;
  }
  if (mkdir(data.c_str(), 0700) != 0 && errno != EEXIST) {
    std::cerr << "hearth demo: --data: cannot create '" << data << "'\n";
    return 2;
  }
  BlockTerminationSignals();
  const std::string self = SelfExe();
  std::vector<pid_t> children;
  auto stop_all = [&children] {
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      (void)Terminate(*it, std::chrono::seconds(5));
    }
  };

  auto server = Spawn(
      {{self, "serve", "--listen", listen, "--data", data + "/coordinator", "--heartbeat-interval",
        FormatDuration(heartbeat), "--offline-after", FormatDuration(heartbeat * 6),
        // One-minute epochs settled as they end, so earnings appear within minutes.
        "--epoch", "1m", "--settle-every", "10s", "--probation", "0s",
        "--waitlist-threshold-devices", "1",
        // Sign-ins, check-ins and enrollments of the whole demo fleet come from one address.
        "--auth-rate-limit", "0"},
       {std::string("HEARTH_ADMIN_EMAIL=") + kDemoAdminEmail,
        std::string("HEARTH_ADMIN_PASSWORD=") + kDemoAdminPassword},
       data + "/coordinator.log"});
  if (!server.ok()) {
    std::cerr << "hearth demo: " << server.status().ToString() << "\n";
    return 1;
  }
  children.push_back(*server);
  const std::string url = "http://" + listen;
  auto client = http::Client::Create(url);
  if (!client.ok() || !WaitHealthy(**client, std::chrono::seconds(15))) {
    std::cerr << "hearth demo: the coordinator did not start; see " << data << "/coordinator.log\n";
    stop_all();
    return 1;
  }

  // Data directories from before the fixed demo password keep the one they were made with.
  const std::string pw_file = data + "/demo-password";
  std::string password = kDemoPassword;
  if (auto existing = ReadPrivateFile(pw_file); existing.ok()) {
    password = *existing;
  } else {
    (void)WritePrivateFile(pw_file, password);
  }
  const nlohmann::json creds = {{"email", kDemoEmail}, {"password", password}};
  (void)(*client)->PostJson("/v1/accounts", creds);  // 409 on later runs is fine
  auto login = (*client)->PostJson("/v1/sessions", creds);
  if (!login.ok() || login->status != 201) {
    std::cerr << "hearth demo: cannot sign in as the demo owner; delete " << data
              << " and run again\n";
    stop_all();
    return 1;
  }
  (*client)->SetBearer(login->Json()["token"].get<std::string>());
  auto admin = http::Client::Create(url);
  std::optional<std::string> admin_token;
  if (admin.ok()) admin_token = SignIn(**admin, kDemoAdminEmail, kDemoAdminPassword);
  if (admin_token) {
    (*admin)->SetBearer(*admin_token);
    CreateDemoRegions(**admin);
  } else {
    std::cerr << "hearth demo: cannot sign in as the demo admin (a data directory from an older "
                 "version?); continuing without regions and revenue\n";
  }

  for (const std::string& host : hosts) {
    const std::string root = DemoHostRoot(fixtures, data, host);
    const std::string state = data + "/agents/" + host;
    mkdir((data + "/agents").c_str(), 0700);
    if (access((state + "/state.json").c_str(), F_OK) != 0) {
      auto key = (*client)->PostJson("/v1/install-keys", nlohmann::json::object());
      if (!key.ok() || key->status != 201) {
        std::cerr << "hearth demo: cannot create an install key\n";
        stop_all();
        return 1;
      }
      std::vector<std::string> argv = {
          self,
          "join",
          "--coordinator",
          url,
          "--state-dir",
          state,
          "--name",
          host,
          "--sysfs-root",
          root + "/sys",
          "--procfs-root",
          root + "/proc",
          "--etc-root",
          root + "/etc",
          "--dev-root",
          root + "/dev",
          "--ignore-preflight",
          "--country",
          DemoCountry(static_cast<size_t>(&host - hosts.data())),
          "--nvidia-smi",
          access((root + "/bin/nvidia-smi").c_str(), X_OK) == 0 ? root + "/bin/nvidia-smi" : "",
          key->Json()["key"].get<std::string>()};
      auto join = Spawn({argv, {}, data + "/agents/" + host + ".join.log"});
      const auto rc = join.ok() ? WaitFor(*join, std::chrono::seconds(30)) : std::nullopt;
      if (!rc || *rc != 0) {
        std::cerr << "hearth demo: `hearth join` failed for " << host << "; see " << data
                  << "/agents/" << host << ".join.log\n";
        continue;
      }
    }
    auto agent = Spawn({{self, "agent", "--state-dir", state, "--network", "off",
                         "--inventory-interval", host == kDemoUpgrade.host ? "10s" : "5m"},
                        {},
                        data + "/agents/" + host + ".log"});
    if (agent.ok()) children.push_back(*agent);
  }

  VolunteerForAProposal(**client);

  std::cout << "\nHearth demo is running.\n\n"
            << "  Portal:    " << url << "/\n"
            << "  Sign in:   " << kDemoEmail << " / " << password << "\n"
            << "  Admin:     " << kDemoAdminEmail << " / " << kDemoAdminPassword
            << " (when the data directory was made by this version)\n"
            << "  Devices:   " << hosts.size() << " simulated (" <<
      [&] {
        std::string s;
        for (const auto& h : hosts) s += (s.empty() ? "" : ", ") + h;
        return s;
      }() << ")\n"
            << "  API:       curl -s -X POST " << url << "/v1/sessions -d '{\"email\":\""
            << kDemoEmail << "\",\"password\":\"" << password << "\"}'\n"
            << "             then curl -s -H 'Authorization: Bearer TOKEN' " << url
            << "/v1/devices\n"
            << "  Metrics:   " << url << "/metrics\n"
            << "  Logs:      " << data << "/coordinator.log, " << data << "/agents/\n\n"
            << "Press Ctrl-C to stop.\n"
            << std::flush;

  int64_t revenue_epoch = -1;
  const auto upgrade_at = std::chrono::steady_clock::now() + kDemoUpgradeAfter;
  bool upgraded = false;
  while (!WaitForSignal(std::chrono::seconds(1))) {
    if (!upgraded && std::chrono::steady_clock::now() >= upgrade_at) {
      FitDemoUpgrade(fixtures, data);
      upgraded = true;
    }
    // Lease revenue for the running epoch, as an admin would enter it; the coordinator's
    // settle loop books it when the epoch ends.
    const int64_t epoch = ToUnixMillis(SystemClock().Now()) / 60'000;
    if (admin_token && epoch != revenue_epoch) {
      auto r =
          (*admin)->Do("PUT", "/v1/admin/epochs/" + std::to_string(epoch * 60'000) + "/revenue",
                       nlohmann::json{{"amount", kDemoEpochRevenue}}.dump(),
                       {{"Content-Type", "application/json"}});
      if (r.ok() && r->status / 100 == 2) revenue_epoch = epoch;
    }
    if (WaitFor(children.front(), Duration(0))) {
      std::cerr << "hearth demo: the coordinator exited; see " << data << "/coordinator.log\n";
      children.erase(children.begin());
      stop_all();
      return 1;
    }
  }
  std::cout << "Stopping...\n";
  stop_all();
  return 0;
}

}  // namespace hearth::cli
