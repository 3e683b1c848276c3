// Regions end to end with real processes: an admin configures regions with `hearth admin region`,
// devices joining with different declared countries are placed accordingly, devices in a country
// no region serves are waitlisted with their queue positions, and creating a region there places
// them all with no action on the devices. Bad catalog input is refused by field, writing nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "agent/inventory/inventory.h"
#include "common/keys.h"
#include "coordinator/geoip/geoip.h"
#include "harness.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kAdminEmail = "admin@example.com";
constexpr const char* kAdminPassword = "admin-password-123";

class RegionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    coord_ = std::make_unique<CoordinatorProcess>(
        dir_.path() + "/coord",
        std::vector<std::string>{"--liveness-tick", "200ms", "--auth-rate-limit", "0",
                                 "--admin-email", kAdminEmail, "--admin-password", kAdminPassword});
    ASSERT_TRUE(coord_->Start()) << coord_->log();
    auto c = http::Client::Create(coord_->url());
    ASSERT_TRUE(c.ok());
    auto s = (*c)->PostJson("/v1/sessions", {{"email", kAdminEmail}, {"password", kAdminPassword}});
    ASSERT_TRUE(s.ok() && s->status == 201) << coord_->log();
    token_ = s->Json()["token"].get<std::string>();
  }

  CommandResult Admin(std::vector<std::string> args) {
    args.insert(args.begin(), {"admin", "region"});
    args.insert(args.end(), {"--coordinator", coord_->url(), "--token", token_});
    return RunHearth(args, seconds(20), dir_.path() + "/admin." + std::to_string(++n_) + ".log");
  }

  CommandResult Join(const std::string& name, const std::string& key, const std::string& country) {
    const std::string root = FixtureRoot("cpu-only");
    return RunHearth({"join",
                      "--coordinator",
                      coord_->url(),
                      "--state-dir",
                      dir_.path() + "/" + name,
                      "--sysfs-root",
                      root + "/sys",
                      "--procfs-root",
                      root + "/proc",
                      "--etc-root",
                      root + "/etc",
                      "--dev-root",
                      root + "/dev",
                      "--nvidia-smi",
                      "",
                      "--name",
                      name,
                      "--country",
                      country,
                      key},
                     seconds(30), dir_.path() + "/" + name + ".join.log");
  }

  int RegionCount() {
    CommandResult r = Admin({"list"});
    int lines = 0;
    for (char c : r.output) lines += c == '\n';
    return r.exit_code == 0 ? lines : -1;
  }

  TempDir dir_;
  std::unique_ptr<CoordinatorProcess> coord_;
  std::string token_;
  int n_ = 0;
};

TEST_F(RegionsTest, PlacesByEvidenceWaitlistsTheRestAndPlacesThemWhenARegionOpens) {
  // A single-region coordinator lists only "default".
  EXPECT_EQ(RegionCount(), 1);
  for (auto [id, loc, lat, lon, country] :
       {std::tuple{"eu-berlin", "eu-central", "52.52", "13.40", "DE"},
        std::tuple{"eu-paris", "eu-west", "48.86", "2.35", "FR"}}) {
    CommandResult r = Admin({"create", "--id", id, "--name", id, "--location-region", loc, "--lat",
                             lat, "--lon", lon, "--countries", country});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(RegionCount(), 3);

  // Bad input: a clear error naming the flag, nothing written.
  struct Bad {
    std::vector<std::string> args;
    std::string flag;
  };
  for (const Bad& b :
       std::vector<Bad>{{{"create", "--id", "x-1", "--name", "X", "--location-region", "eu-middle",
                          "--lat", "1", "--lon", "1"},
                         "--location-region"},
                        {{"create", "--id", "x-1", "--name", "X", "--location-region", "eu-west",
                          "--lat", "95", "--lon", "1"},
                         "--lat"},
                        {{"create", "--id", "x-1", "--name", "X", "--location-region", "eu-central",
                          "--lat", "52.4", "--lon", "13.1", "--countries", "DE"},
                         "--countries"}}) {
    CommandResult r = Admin(b.args);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(b.flag), std::string::npos) << r.output;
  }
  EXPECT_EQ(RegionCount(), 3);

  ApiUser owner(coord_->url(), "owner@example.com", "owner-password-123");
  ASSERT_TRUE(owner.SignUpAndIn());
  CommandResult de = Join("de-1", owner.CreateKey(), "DE");
  ASSERT_EQ(de.exit_code, 0) << de.output;
  EXPECT_NE(de.output.find("Placed in region eu-berlin"), std::string::npos) << de.output;
  CommandResult fr = Join("fr-1", owner.CreateKey(), "fr");
  ASSERT_EQ(fr.exit_code, 0) << fr.output;
  EXPECT_NE(fr.output.find("Placed in region eu-paris"), std::string::npos) << fr.output;

  // Kenya has no region: five devices wait in the same cell, in order.
  for (int i = 1; i <= 5; ++i) {
    CommandResult ke = Join("ke-" + std::to_string(i), owner.CreateKey(), "KE");
    ASSERT_EQ(ke.exit_code, 0) << ke.output;
    EXPECT_NE(ke.output.find("Waitlisted"), std::string::npos) << ke.output;
    EXPECT_NE(ke.output.find("cell KE/-/- at position " + std::to_string(i)), std::string::npos)
        << ke.output;
  }
  auto placement_of = [&](const std::string& name) {
    nlohmann::json devices = owner.Devices();
    for (const auto& d : devices) {
      if (d["name"] == name) return d["placement"];
    }
    return nlohmann::json();
  };
  nlohmann::json waiting = placement_of("ke-3");
  EXPECT_TRUE(waiting["region"].is_null()) << waiting;
  EXPECT_EQ(waiting["waitlist_cell"], "KE/-/-") << waiting;
  EXPECT_EQ(placement_of("de-1")["region"], "eu-berlin");

  // A region for Kenya opens: the coordinator places all five, the devices do nothing.
  CommandResult ke_region =
      Admin({"create", "--id", "af-nairobi", "--name", "Nairobi", "--location-region", "af-east",
             "--lat", "-1.29", "--lon", "36.82", "--countries", "KE"});
  ASSERT_EQ(ke_region.exit_code, 0) << ke_region.output;
  EXPECT_TRUE(Eventually(
      [&] {
        for (int i = 1; i <= 5; ++i) {
          if (placement_of("ke-" + std::to_string(i))["region"] != "af-nairobi") return false;
        }
        return true;
      },
      seconds(20)))
      << owner.Devices().dump(2);
  EXPECT_FALSE(placement_of("ke-5").contains("waitlist_cell"));

  // A region admin sees its region's devices and nothing of another region.
  ApiUser berlin_admin(coord_->url(), "berlin@example.com", "berlin-password-123");
  ASSERT_TRUE(berlin_admin.SignUpAndIn());
  auto admin_client = http::Client::Create(coord_->url());
  ASSERT_TRUE(admin_client.ok());
  (*admin_client)->SetBearer(token_);
  auto appointed =
      (*admin_client)
          ->Do("PUT", "/v1/regions/eu-berlin/admin", R"({"email":"berlin@example.com"})",
               {{"Content-Type", "application/json"}});
  ASSERT_TRUE(appointed.ok());
  EXPECT_EQ(appointed->status, 200) << appointed->body;
  auto own = berlin_admin.client()->Get("/v1/regions/eu-berlin/devices");
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->status, 200) << own->body;
  ASSERT_EQ(own->Json()["devices"].size(), 1u);
  EXPECT_EQ(own->Json()["devices"][0]["name"], "de-1");
  auto other = berlin_admin.client()->Get("/v1/regions/eu-paris/devices");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 404) << other->body;
  auto listed = berlin_admin.client()->Get("/v1/regions");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->Json()["regions"].size(), 1u) << listed->body;
  EXPECT_EQ(listed->Json()["regions"][0]["id"], "eu-berlin");

  // Draining a region moves its devices to another acceptable region: a second region serving
  // France (Lyon, far enough from Paris to be told apart) takes fr-1 ...
  CommandResult lyon = Admin({"create", "--id", "eu-lyon", "--name", "Lyon", "--location-region",
                              "eu-west", "--lat", "45.76", "--lon", "4.84", "--countries", "FR"});
  ASSERT_EQ(lyon.exit_code, 0) << lyon.output;
  EXPECT_EQ(placement_of("fr-1")["region"], "eu-paris");
  CommandResult drained = Admin({"drain", "eu-paris"});
  EXPECT_EQ(drained.exit_code, 0) << drained.output;
  EXPECT_NE(drained.output.find("draining"), std::string::npos) << drained.output;
  EXPECT_EQ(placement_of("fr-1")["region"], "eu-lyon") << owner.Devices().dump(2);
  // ... and when no acceptable region is left, the device waits (nothing is lost) until one is.
  ASSERT_EQ(Admin({"drain", "eu-lyon"}).exit_code, 0);
  nlohmann::json fr_waiting = placement_of("fr-1");
  EXPECT_TRUE(fr_waiting["region"].is_null()) << fr_waiting;
  EXPECT_EQ(fr_waiting["waitlist_cell"], "FR/-/-") << fr_waiting;
  EXPECT_EQ(owner.Devices().size(), 7u);
  ASSERT_EQ(Admin({"activate", "eu-paris"}).exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return placement_of("fr-1")["region"] == "eu-paris"; }, seconds(20)))
      << owner.Devices().dump(2);
}

// The bootstrap path with real processes: five devices wait in a region-less country, the fifth
// raises a region proposal (threshold 5) and an admin event; a waiting owner volunteers with
// `hearth region volunteer`; an admin approves with `hearth admin region approve`, which creates
// the region `bootstrapping` with the volunteer as its admin; the volunteer's gateway enrolls
// and heartbeats, the region becomes active and all five are placed with no action on them.
class RegionsBootstrapTest : public RegionsTest {
 protected:
  void SetUp() override {
    coord_ = std::make_unique<CoordinatorProcess>(
        dir_.path() + "/coord",
        std::vector<std::string>{"--liveness-tick", "200ms", "--auth-rate-limit", "0",
                                 "--admin-email", kAdminEmail, "--admin-password", kAdminPassword,
                                 "--waitlist-threshold-devices", "5", "--heartbeat-interval",
                                 "1s"});
    ASSERT_TRUE(coord_->Start()) << coord_->log();
    auto c = http::Client::Create(coord_->url());
    ASSERT_TRUE(c.ok());
    auto s = (*c)->PostJson("/v1/sessions", {{"email", kAdminEmail}, {"password", kAdminPassword}});
    ASSERT_TRUE(s.ok() && s->status == 201) << coord_->log();
    token_ = s->Json()["token"].get<std::string>();
  }

  CommandResult Owner(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), "region");
    args.insert(args.end(), {"--coordinator", coord_->url(), "--token", token});
    return RunHearth(args, seconds(20), dir_.path() + "/owner." + std::to_string(++n_) + ".log");
  }
};

TEST_F(RegionsBootstrapTest, FifthWaitingDeviceProposesAVolunteerIsApprovedAndAllArePlaced) {
  ASSERT_EQ(Admin({"create", "--id", "eu-berlin", "--name", "Berlin", "--location-region",
                   "eu-central", "--lat", "52.52", "--lon", "13.40", "--countries", "DE"})
                .exit_code,
            0);
  ApiUser owner(coord_->url(), "host@example.com", "host-password-123");
  ASSERT_TRUE(owner.SignUpAndIn());
  const std::string owner_token = owner.client()->bearer();
  ApiUser other(coord_->url(), "other@example.com", "other-password-123");
  ASSERT_TRUE(other.SignUpAndIn());

  auto proposals = [&] {
    CommandResult r = Admin({"proposals"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  };
  for (int i = 1; i <= 5; ++i) {
    CommandResult ke = Join("ke-" + std::to_string(i), owner.CreateKey(), "KE");
    ASSERT_EQ(ke.exit_code, 0) << ke.output;
    EXPECT_NE(ke.output.find("cell KE/-/- at position " + std::to_string(i)), std::string::npos)
        << ke.output;
    // Below the threshold nothing is proposed; the fifth device proposes.
    EXPECT_EQ(proposals().find("cell KE/-/-") != std::string::npos, i == 5) << i;
  }
  std::string listed = proposals();
  ASSERT_EQ(listed.rfind("rp_", 0), 0u) << listed;
  const std::string proposal = listed.substr(0, listed.find(' '));
  EXPECT_NE(listed.find("waiting 5 devices"), std::string::npos) << listed;
  // Admins are told through the event log.
  auto admin = http::Client::Create(coord_->url());
  ASSERT_TRUE(admin.ok());
  (*admin)->SetBearer(token_);
  auto events = (*admin)->Get("/v1/admin/events");
  ASSERT_TRUE(events.ok());
  EXPECT_NE(events->body.find("region_proposed"), std::string::npos) << events->body;

  // An owner with nothing waiting there may not volunteer; bad hosting details name the flag
  // and change nothing.
  CommandResult stranger =
      Owner(other.client()->bearer(),
            {"volunteer", proposal, "--gateway-endpoint", "127.0.0.1:51999", "--uplink-mbps", "500",
             "--control-nodes", "3", "--contact", "other"});
  EXPECT_EQ(stranger.exit_code, 1) << stranger.output;
  CommandResult slow =
      Owner(owner_token, {"volunteer", proposal, "--gateway-endpoint", "127.0.0.1:51999",
                          "--uplink-mbps", "10", "--control-nodes", "3", "--contact", "host"});
  EXPECT_EQ(slow.exit_code, 1) << slow.output;
  EXPECT_NE(slow.output.find("--uplink-mbps"), std::string::npos) << slow.output;
  EXPECT_EQ(proposals().find("volunteer "), std::string::npos) << proposals();

  CommandResult volunteered =
      Owner(owner_token, {"volunteer", proposal, "--gateway-endpoint", "127.0.0.1:51999",
                          "--uplink-mbps", "500", "--control-nodes", "3", "--contact", "host"});
  ASSERT_EQ(volunteered.exit_code, 0) << volunteered.output;
  EXPECT_NE(proposals().find("gateway 127.0.0.1:51999"), std::string::npos) << proposals();

  // Approval: an unknown location-region is refused by flag and creates nothing.
  CommandResult bad =
      Admin({"approve", proposal, "--volunteer", "host@example.com", "--id", "af-nairobi", "--name",
             "Nairobi", "--location-region", "af-middle-x", "--lat", "-1.29", "--lon", "36.82"});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("location"), std::string::npos) << bad.output;
  EXPECT_EQ(RegionCount(), 2);
  CommandResult approved =
      Admin({"approve", proposal, "--volunteer", "host@example.com", "--id", "af-nairobi", "--name",
             "Nairobi", "--location-region", "af-east", "--lat", "-1.29", "--lon", "36.82"});
  ASSERT_EQ(approved.exit_code, 0) << approved.output;
  EXPECT_NE(approved.output.find("bootstrapping"), std::string::npos) << approved.output;

  auto placement_of = [&](const std::string& name) {
    for (const auto& d : owner.Devices()) {
      if (d["name"] == name) return d["placement"];
    }
    return nlohmann::json();
  };
  // Bootstrapping places nobody yet.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_TRUE(placement_of("ke-1")["region"].is_null()) << owner.Devices().dump(2);

  // The volunteer, now the region's admin, enrolls its gateway at the endpoint they offered
  // (with their own install key) and it heartbeats.
  const std::string root = FixtureRoot("cpu-only");
  CommandResult gw = RunHearth({"join",
                                "--coordinator",
                                coord_->url(),
                                "--state-dir",
                                dir_.path() + "/gw",
                                "--sysfs-root",
                                root + "/sys",
                                "--procfs-root",
                                root + "/proc",
                                "--etc-root",
                                root + "/etc",
                                "--dev-root",
                                root + "/dev",
                                "--nvidia-smi",
                                "",
                                "--name",
                                "nairobi-gw",
                                "--role",
                                "gateway",
                                "--endpoint",
                                "127.0.0.1:51999",
                                "--country",
                                "KE",
                                owner.CreateKey()},
                               seconds(30), dir_.path() + "/gw.join.log");
  ASSERT_EQ(gw.exit_code, 0) << gw.output;
  AgentProcess gateway(dir_.path() + "/gw", dir_.path() + "/gw.agent.log");
  ASSERT_TRUE(gateway.Start());

  EXPECT_TRUE(Eventually(
      [&] {
        for (int i = 1; i <= 5; ++i) {
          if (placement_of("ke-" + std::to_string(i))["region"] != "af-nairobi") return false;
        }
        return true;
      },
      seconds(20)))
      << owner.Devices().dump(2) << coord_->log();
  CommandResult regions = Admin({"list"});
  EXPECT_NE(regions.output.find("af-nairobi  active"), std::string::npos) << regions.output;
  EXPECT_NE(proposals().find("approved"), std::string::npos) << proposals();

  // The volunteer is the region's admin: they see its devices, not another region's.
  auto own = owner.client()->Get("/v1/regions/af-nairobi/devices");
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_EQ(own->Json()["devices"].size(), 6u) << own->body;  // five workers and the gateway
  auto not_theirs = owner.client()->Get("/v1/regions/eu-berlin/devices");
  ASSERT_TRUE(not_theirs.ok());
  EXPECT_EQ(not_theirs->status, 404) << not_theirs->body;
}

TEST_F(RegionsTest, OnlyAdminsManageRegions) {
  ApiUser owner(coord_->url(), "owner2@example.com", "owner-password-123");
  ASSERT_TRUE(owner.SignUpAndIn());
  auto r = owner.client()->PostJson(
      "/v1/regions",
      {{"id", "eu-x"}, {"name", "X"}, {"location_region", "eu-west"}, {"lat", 1}, {"lon", 1}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(RegionCount(), 1);
}

// POST /v1/enroll as a load balancer in front of the coordinator would forward it: the
// balancer's X-Forwarded-For names the device's public address. Returns the response body.
nlohmann::json EnrollBehindProxy(const std::string& url, const std::string& key,
                                 const std::string& forwarded_for,
                                 const nlohmann::json& placement) {
  const std::string root = FixtureRoot("cpu-only");
  auto inv = agent::CollectInventory({root + "/sys", root + "/proc", root + "/etc", ""});
  EXPECT_TRUE(inv.ok());
  nlohmann::json body = {
      {"install_key", key},
      {"hostname", "behind-proxy"},
      {"agent_version", "test"},
      {"wg_public_key", WgPrivateKey::Generate().Public().ToString()},
      {"identity_public_key", IdentityPrivateKey::Generate().Public().ToString()},
      {"inventory", agent::InventoryToJson(*inv)},
      {"placement", placement}};
  auto c = http::Client::Create(url).value();
  auto r = c->Do("POST", "/v1/enroll", body.dump(),
                 {{"Content-Type", "application/json"}, {"X-Forwarded-For", forwarded_for}});
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return nlohmann::json();
  EXPECT_EQ(r->status, 201) << r->body;
  return r->Json();
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// GeoIP of the forwarded client address (the real GeoLite2 database) is placement evidence after
// RTT and before the declared country, bounded by --placement-max-distance-km, and is stored on
// the device's evidence for the Akash attributes.
TEST(RegionsGeoIpTest, ForwardedAddressesArePlacedByGeoIpWithinTheBound) {
  const std::vector<std::string> db = geoip::CachedDatabase();
  ASSERT_FALSE(db.empty()) << "run scripts/fetch-geoip (scripts/install-deps does)";
  TempDir dir;
  for (const std::string bound : {"3000", "500"}) {
    CoordinatorProcess coord(
        dir.path() + "/coord-" + bound,
        {"--liveness-tick", "200ms", "--auth-rate-limit", "0", "--admin-email", kAdminEmail,
         "--admin-password", kAdminPassword, "--trusted-proxies", "127.0.0.1/32", "--geoip-db",
         Joined(db), "--placement-max-distance-km", bound});
    ASSERT_TRUE(coord.Start()) << coord.log();
    ApiUser admin(coord.url(), kAdminEmail, kAdminPassword);
    ASSERT_TRUE(admin.SignUpAndIn());
    for (auto [id, loc, lat, lon, country] :
         {std::tuple{"eu-berlin", "eu-central", 52.52, 13.40, "DE"},
          std::tuple{"sa-saopaulo", "sa-brazil", -23.55, -46.63, "BR"}}) {
      auto r = admin.client()->PostJson("/v1/regions", {{"id", id},
                                                        {"name", id},
                                                        {"location_region", loc},
                                                        {"lat", lat},
                                                        {"lon", lon},
                                                        {"countries", {country}}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 201) << r->body;
    }
    // RIPE NCC's address is in Amsterdam, 577 km from Berlin: GeoIP beats the declared BR.
    nlohmann::json nl =
        EnrollBehindProxy(coord.url(), admin.CreateKey(), "193.0.6.139", {{"country", "BR"}});
    if (bound == "3000") {
      EXPECT_EQ(nl["placement"]["region"], "eu-berlin") << nl;
      EXPECT_EQ(nl["placement"]["evidence"], "geoip_location") << nl;
    } else {
      // Beyond 500 km no region is acceptable by distance; GeoIP's country (NL) is served by
      // none, so the declared country decides.
      EXPECT_EQ(nl["placement"]["region"], "sa-saopaulo") << nl;
      EXPECT_EQ(nl["placement"]["evidence"], "declared_country") << nl;
    }
    // NIC.br's address in São Paulo; the hops the client wrote left of it are not believed.
    nlohmann::json br = EnrollBehindProxy(coord.url(), admin.CreateKey(), "8.8.8.8, 200.160.0.8",
                                          nlohmann::json::object());
    EXPECT_EQ(br["placement"]["region"], "sa-saopaulo") << br;
    // Tokyo is far from both: waitlisted in its GeoIP cell, no coordinates shown.
    nlohmann::json jp =
        EnrollBehindProxy(coord.url(), admin.CreateKey(), "202.12.27.33", nlohmann::json::object());
    EXPECT_TRUE(jp["placement"]["region"].is_null()) << jp;
    EXPECT_EQ(jp["placement"]["reason"], "out_of_bound") << jp;
    EXPECT_EQ(jp["placement"]["waitlist_cell"].get<std::string>().substr(0, 3), "JP/") << jp;
    EXPECT_EQ(jp["placement"]["waitlist_position"], 1) << jp;
    EXPECT_EQ(jp.dump().find("139.69"), std::string::npos) << jp;  // no exact longitude
    // The lookup is stored on the device's evidence (the Akash attributes read it from there).
    auto stored = admin.client()->Get("/v1/devices/" + jp["device_id"].get<std::string>());
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->status, 200) << stored->body;
    EXPECT_EQ(coord.Stop(), 0);
    auto st = store::OpenSqliteStore(dir.path() + "/coord-" + bound + "/hearth.db");
    ASSERT_TRUE(st.ok());
    auto dev = (*st)->GetDevice(DeviceId(jp["device_id"].get<std::string>()));
    ASSERT_TRUE(dev.ok());
    nlohmann::json ev = nlohmann::json::parse(dev->placement_evidence_json);
    EXPECT_EQ(ev["geoip"]["country"], "JP") << ev;
    EXPECT_TRUE(ev["geoip"]["lat"].is_number()) << ev;
  }
}

TEST(RegionsServeTest, BadPlacementBoundsStopTheCoordinatorNamingTheFlag) {
  TempDir dir;
  for (const std::string flag : {"--placement-max-rtt-ms", "--placement-max-distance-km"}) {
    for (const std::string value : {"0", "-5", "ten"}) {
      CommandResult r =
          RunHearth({"serve", "--listen", "127.0.0.1:0", "--data", dir.path() + "/d", flag, value},
                    seconds(20), dir.path() + "/serve.log");
      EXPECT_EQ(r.exit_code, 2) << r.output;
      EXPECT_NE(r.output.find(flag), std::string::npos) << r.output;
    }
  }
}

}  // namespace
}  // namespace hearth::testing
