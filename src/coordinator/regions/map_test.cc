// The network map: where each device is shown (table), the aggregation, and GET /v1/map through
// the coordinator's router on a real SQLite store — including that the response carries nothing
// finer than a cell (no coordinates, cities, addresses, ids or names of devices).
#include "coordinator/regions/map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "coordinator/coordinator.h"
#include "coordinator/regions/catalog.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::regions {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kNow = FromUnixMillis(1'700'000'000'000);

store::Device Worker(const std::string& id, const std::string& owner,
                     const std::string& evidence = "{}") {
  store::Device d;
  d.id = DeviceId(id);
  d.owner_id = AccountId(owner);
  d.name = "name-of-" + id;
  d.inventory_json = "{}";
  d.placement_evidence_json = evidence;
  d.enrolled_at = d.last_seen = kNow;
  return d;
}

store::Region CatalogRegion(const std::string& id, double lat, double lon,
                            std::vector<std::string> countries, std::string status = "active") {
  store::Region r;
  r.id = id;
  r.name = "Region " + id;
  r.location_region = "eu-central";
  r.centre_lat = lat;
  r.centre_lon = lon;
  r.countries = std::move(countries);
  r.status = std::move(status);
  return r;
}

TEST(DeviceCellTest, UsesTheStrongestLocationEvidence) {
  const store::Region berlin = CatalogRegion("eu-berlin", 52.52, 13.4, {"DE"});
  const store::Region two_countries = CatalogRegion("eu-two", 48.2, 16.37, {"AT", "CZ"});
  store::Region fallback;  // the single-region "default": no catalog, no centre
  fallback.id = "default";
  struct Case {
    std::string what;
    store::Device device;
    const store::Region* region;
    std::string want;
  };
  store::Device waiting = Worker("dev_w", "acc_a", R"({"country":"KE"})");
  waiting.waitlist_cell = "KE/-/-";
  store::Device geo = Worker(
      "dev_g", "acc_a",
      R"({"country":"FR","geoip":{"country":"de","city":"Berlin","lat":52.5201,"lon":13.4049}})");
  store::Device south_west = Worker(
      "dev_s", "acc_a", R"({"geoip":{"country":"BR","city":"Rio","lat":-22.9068,"lon":-43.1729}})");
  store::Device geo_country =
      Worker("dev_c", "acc_a", R"({"country":"FR","geoip":{"country":"NL"}})");
  store::Device declared = Worker("dev_d", "acc_a", R"({"country":"fr","rtt":[]})");
  store::Device bad_coords =
      Worker("dev_b", "acc_a", R"({"geoip":{"country":"DE","lat":95,"lon":13}})");
  store::Device bare = Worker("dev_n", "acc_a");
  store::Device junk = Worker("dev_j", "acc_a", "not json");
  junk.region_id = "eu-berlin";
  const std::vector<Case> cases = {
      {"a waiting device shows its waitlist cell", waiting, nullptr, "KE/-/-"},
      {"GeoIP coordinates give a whole-degree cell", geo, &berlin, "DE/52/13"},
      {"negative coordinates round down", south_west, nullptr, "BR/-23/-44"},
      {"a GeoIP country beats the declared one", geo_country, nullptr, "NL/-/-"},
      {"a declared country alone", declared, &berlin, "FR/-/-"},
      {"invalid coordinates fall back to the country", bad_coords, nullptr, "DE/-/-"},
      {"no evidence: the region's centre", bare, &berlin, "DE/52/13"},
      {"a region serving two countries has no single country", bare, &two_countries, "ZZ/48/16"},
      {"unparseable evidence: the region's centre", junk, &berlin, "DE/52/13"},
      {"no evidence and the default region: nowhere", bare, &fallback, ""},
      {"no evidence, no region: nowhere", bare, nullptr, ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DeviceCell(c.device, c.region), c.want) << c.what;
  }
}

TEST(NetworkMapTest, AggregatesPerCellWithTheCallersOwnAndWaitlists) {
  const api::LivenessPolicy live;
  std::vector<store::Region> regions = {
      CatalogRegion("eu-berlin", 52.52, 13.4, {"DE"}),
      CatalogRegion("af-nairobi", -1.29, 36.82, {"TZ"}, "proposed")};
  store::Region fallback;
  fallback.id = "default";
  regions.push_back(fallback);

  const std::string gpu2 = R"({"gpus":[{"model":"rtx4090"},{"model":"rtx4090"}]})";
  const std::string berlin = R"({"geoip":{"country":"DE","lat":52.5,"lon":13.4}})";
  std::vector<store::Device> devices;
  devices.push_back(Worker("dev_1", "acc_me", berlin));
  devices.back().region_id = "eu-berlin";
  devices.back().inventory_json = gpu2;
  devices.push_back(Worker("dev_2", "acc_other", berlin));
  devices.back().region_id = "eu-berlin";
  devices.back().last_seen = kNow - minutes(10);  // offline
  devices.back().inventory_json = R"({"gpus":[{"model":"a100"}]})";
  for (int i = 0; i < 12; ++i) {  // "12 devices waiting here"
    devices.push_back(
        Worker("dev_k" + std::to_string(i), i < 2 ? "acc_me" : "acc_other", R"({"country":"KE"})"));
    devices.back().waitlist_cell = "KE/-/-";
    if (i == 0) devices.back().inventory_json = R"({"gpus":[{}]})";
  }
  devices.push_back(Worker("dev_gw", "acc_other", berlin));  // gateways are not shown
  devices.back().role = "gateway";
  devices.back().region_id = "eu-berlin";
  devices.push_back(Worker("dev_rm", "acc_me", berlin));  // removed: not shown
  devices.back().removed_at = kNow;
  devices.push_back(Worker("dev_nowhere", "acc_me"));
  devices.back().region_id = "default";

  const api::NetworkMap m = BuildNetworkMap(devices, regions, AccountId("acc_me"), kNow, live);
  EXPECT_EQ(m.devices, 15);
  EXPECT_EQ(m.online, 14);
  EXPECT_EQ(m.gpus, 4);
  EXPECT_EQ(m.mine, 4);
  EXPECT_EQ(m.waitlisted, 12);
  EXPECT_EQ(m.unlocated, 1);
  EXPECT_EQ(m.unlocated_mine, 1);
  ASSERT_EQ(m.cells.size(), 2u);
  const api::MapCell& de = m.cells[0];
  EXPECT_EQ(de.cell, "DE/52/13");
  EXPECT_EQ(de.country, "DE");
  EXPECT_EQ(de.lat, 52);
  EXPECT_EQ(de.lon, 13);
  EXPECT_EQ(de.devices, 2);
  EXPECT_EQ(de.online, 1);
  EXPECT_EQ(de.gpus, 3);
  EXPECT_EQ(de.mine, 1);
  EXPECT_EQ(de.waitlisted, 0);
  EXPECT_EQ(de.gpu_models, (std::map<std::string, int64_t>{{"a100", 1}, {"rtx4090", 2}}));
  const api::MapCell& ke = m.cells[1];
  EXPECT_EQ(ke.cell, "KE/-/-");
  EXPECT_FALSE(ke.lat.has_value());
  EXPECT_EQ(ke.devices, 12);
  EXPECT_EQ(ke.waitlisted, 12);
  EXPECT_EQ(ke.waitlisted_gpus, 1);
  EXPECT_EQ(ke.mine, 2);
  EXPECT_EQ(ke.gpu_models, (std::map<std::string, int64_t>{{"unknown", 1}}));
  // Regions with a catalog entry, by id; the default region has no place on a map.
  ASSERT_EQ(m.regions.size(), 2u);
  EXPECT_EQ(m.regions[0].id, "af-nairobi");
  EXPECT_EQ(m.regions[0].status, "proposed");
  EXPECT_EQ(m.regions[0].devices, 0);
  EXPECT_EQ(m.regions[1].id, "eu-berlin");
  EXPECT_EQ(m.regions[1].devices, 2);
  EXPECT_EQ(m.regions[1].online, 1);
  EXPECT_EQ(m.regions[1].gpus, 3);
  EXPECT_EQ(m.regions[1].mine, 1);
  EXPECT_DOUBLE_EQ(m.regions[1].lat, 52.52);

  // Another caller sees the same counts but other `mine` numbers.
  const api::NetworkMap other =
      BuildNetworkMap(devices, regions, AccountId("acc_other"), kNow, live);
  EXPECT_EQ(other.mine, 11);
  EXPECT_EQ(other.cells[0].mine, 1);
  EXPECT_EQ(other.cells[1].mine, 10);
  EXPECT_EQ(other.unlocated_mine, 0);
}

TEST(NetworkMapTest, StoredCellsThatDoNotParseAreUnlocated) {
  std::vector<store::Device> devices;
  for (const char* cell : {"KE", "KE/1", "ke/-/-", "KE/91/0", "KE/1/x", "KE/1/2/3", "KE/-/5"}) {
    devices.push_back(Worker(std::string("dev_") + cell, "acc_a"));
    devices.back().waitlist_cell = cell;
  }
  const api::NetworkMap m = BuildNetworkMap(devices, {}, AccountId("acc_a"), kNow, {});
  EXPECT_TRUE(m.cells.empty());
  EXPECT_EQ(m.unlocated, 7);
}

class MapRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::OpenSqliteStore(":memory:").value());
    clock_ = std::make_unique<FakeClock>(kNow);
    coord_ = std::make_unique<coordinator::Coordinator>(coordinator::Config{}, *store_, *clock_,
                                                        random_);
    ASSERT_TRUE(coord_->Init().ok());
    ASSERT_TRUE(
        coord_->BootstrapAdmin("admin@example.com", Secret<std::string>("admin-password-1")).ok());
    for (const char* who : {"a", "b"}) {
      const std::string email = std::string(who) + "@example.com";
      ASSERT_EQ(Call("POST", "/v1/accounts", "",
                     R"({"email":")" + email + R"(","password":"owner-password-1"})")
                    .status,
                201);
      auto login = coord_->context().auth.Login(email, Secret<std::string>("owner-password-1"));
      ASSERT_TRUE(login.ok());
      tokens_[who] = login->second.token.Reveal();
      owners_[who] = store_->FindAccountByEmail(email)->id;
    }
  }

  http::Response Call(const std::string& method, const std::string& path, const std::string& token,
                      const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.path = path;
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    req.body = body;
    req.remote_address = "127.0.0.1";
    auto m = coord_->router().Find(&req);
    if (!m.handler) {
      http::Response none;
      none.status = m.status;
      return none;
    }
    return (*m.handler)(req);
  }

  // Enrolls a worker of `owner` with `evidence` and attaches it to `region` ("" = waitlisted).
  void Enroll(const std::string& owner, const std::string& id, const std::string& evidence,
              const std::string& region, const std::string& waitlist_cell = "") {
    const std::string hash = "key-" + id;
    ASSERT_TRUE(store_
                    ->CreateInstallKey({InstallKeyId("ik_" + id),
                                        owners_[owner],
                                        hash,
                                        "w",
                                        clock_->Now(),
                                        clock_->Now() + minutes(10),
                                        {},
                                        {},
                                        {}})
                    .ok());
    store::Device d = Worker(id, owners_[owner].str(), evidence);
    d.credential_hash = "cred-" + id;
    d.inventory_json = R"({"hostname":"secret-host-)" + id + R"(","gpus":[{"model":"rtx4090"}]})";
    ASSERT_TRUE(store_->EnrollDevice(hash, clock_->Now(), d).ok());
    ASSERT_TRUE(store_
                    ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                      if (!region.empty()) {
                        HEARTH_RETURN_IF_ERROR(
                            tx.SetAddressing(d.id, region, "100.64.0.9", "10.42.9.0/24"));
                      }
                      return tx.SetPlacement(d.id, R"({"reason":"test"})", waitlist_cell);
                    })
                    .ok());
  }

  store::StorePtr store_;
  std::unique_ptr<FakeClock> clock_;
  SeededRandom random_{11};
  std::unique_ptr<coordinator::Coordinator> coord_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, AccountId> owners_;
};

TEST_F(MapRouteTest, SignedInOnly) {
  auto r = Call("GET", "/v1/map", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Call("GET", "/v1/map", "hst_not-a-session").status, 401);
  EXPECT_EQ(Call("POST", "/v1/map", tokens_["a"]).status, 405);
}

TEST_F(MapRouteTest, ShowsCellsRegionsAndWaitlistsButNothingFinerThanACell) {
  api::RegionSpec spec;
  spec.id = "eu-berlin";
  spec.name = "Berlin";
  spec.location_region = "eu-central";
  spec.lat = 52.52;
  spec.lon = 13.4;
  spec.countries = std::vector<std::string>{"DE"};
  ASSERT_TRUE(Create(*store_, kNow, spec).ok());
  Enroll(
      "a", "dev_aaaaaaaaaaaaaaaa",
      R"({"country":"DE","geoip":{"country":"DE","city":"Kreuzberg","lat":52.49731,"lon":13.41127,"ip":"198.51.100.77"}})",
      "eu-berlin");
  Enroll("b", "dev_bbbbbbbbbbbbbbbb",
         R"({"geoip":{"country":"DE","city":"Potsdam","lat":52.39886,"lon":13.06566}})",
         "eu-berlin");
  Enroll("b", "dev_cccccccccccccccc", R"({"country":"KE"})", "", "KE/-/-");
  Enroll("a", "dev_dddddddddddddddd", "{}", "eu-berlin");

  auto r = Call("GET", "/v1/map", tokens_["a"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(std::find(r.headers.begin(), r.headers.end(),
                      std::pair<std::string, std::string>{"Cache-Control", "private, no-store"}),
            r.headers.end());
  const nlohmann::json j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["cells"].size(), 2u) << j.dump();
  // Both Berlin-area devices and the one placed by the region's centre share one cell.
  EXPECT_EQ(j["cells"][0]["cell"], "DE/52/13");
  EXPECT_EQ(j["cells"][0]["lat"], 52);
  EXPECT_EQ(j["cells"][0]["lon"], 13);
  EXPECT_EQ(j["cells"][0]["devices"], 3);
  EXPECT_EQ(j["cells"][0]["mine"], 2);
  EXPECT_EQ(j["cells"][0]["gpus"], 3);
  EXPECT_EQ(j["cells"][1]["cell"], "KE/-/-");
  EXPECT_TRUE(j["cells"][1]["lat"].is_null());
  EXPECT_EQ(j["cells"][1]["waitlisted"], 1);
  EXPECT_EQ(j["cells"][1]["mine"], 0);
  ASSERT_EQ(j["regions"].size(), 1u);  // "default" has no catalog entry
  EXPECT_EQ(j["regions"][0]["id"], "eu-berlin");
  EXPECT_EQ(j["regions"][0]["status"], "active");
  EXPECT_EQ(j["regions"][0]["devices"], 3);
  EXPECT_EQ(j["totals"]["devices"], 4);
  EXPECT_EQ(j["totals"]["waitlisted"], 1);
  EXPECT_EQ(j["totals"]["mine"], 2);
  EXPECT_EQ(j["totals"]["unlocated"], 0);

  // Privacy: no device coordinates (only whole-degree cells and the region's own centre), no
  // cities, addresses, hostnames, device ids or names, owner ids.
  for (const char* secret :
       {"52.49", "13.41", "52.39", "13.06", "Kreuzberg", "Potsdam", "198.51.100", "secret-host",
        "dev_", "name-of-", "acc_", "100.64.", "10.42."}) {
    EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " leaked: " << r.body;
  }
  std::function<void(const nlohmann::json&, const std::string&)> numbers =
      [&](const nlohmann::json& v, const std::string& path) {
        if (v.is_object()) {
          for (const auto& [k, x] : v.items()) numbers(x, path + "." + k);
        } else if (v.is_array()) {
          for (const auto& x : v) numbers(x, path + "[]");
        } else if (v.is_number_float()) {
          // The only fractional numbers are the regions' catalog centres.
          EXPECT_TRUE(path == ".regions[].lat" || path == ".regions[].lon") << path;
        }
      };
  numbers(j, "");

  // The other owner sees the same network with their own counts.
  const nlohmann::json b = nlohmann::json::parse(Call("GET", "/v1/map", tokens_["b"]).body);
  EXPECT_EQ(b["cells"][0]["mine"], 1);
  EXPECT_EQ(b["cells"][1]["mine"], 1);
  EXPECT_EQ(b["totals"]["mine"], 2);

  // A removed device leaves the map.
  ASSERT_TRUE(store_->RemoveDevice(DeviceId("dev_cccccccccccccccc"), kNow).ok());
  const nlohmann::json after = nlohmann::json::parse(Call("GET", "/v1/map", tokens_["b"]).body);
  EXPECT_EQ(after["cells"].size(), 1u);
  EXPECT_EQ(after["totals"]["waitlisted"], 0);
}

TEST_F(MapRouteTest, MeNamesTheRegionsAnAccountAdministers) {
  api::RegionSpec spec;
  spec.id = "eu-berlin";
  spec.name = "Berlin";
  spec.location_region = "eu-central";
  spec.lat = 52.52;
  spec.lon = 13.4;
  ASSERT_TRUE(Create(*store_, kNow, spec).ok());
  auto me = [&](const std::string& who) {
    return nlohmann::json::parse(Call("GET", "/v1/me", tokens_[who]).body)["region_admin_of"];
  };
  EXPECT_EQ(me("a"), nlohmann::json::array());
  auto admin =
      coord_->context().auth.Login("admin@example.com", Secret<std::string>("admin-password-1"));
  ASSERT_TRUE(admin.ok());
  ASSERT_EQ(Call("PUT", "/v1/regions/eu-berlin/admin", admin->second.token.Reveal(),
                 R"({"email":"a@example.com"})")
                .status,
            200);
  EXPECT_EQ(me("a"), nlohmann::json::array({"eu-berlin"}));
  EXPECT_EQ(me("b"), nlohmann::json::array());
}

}  // namespace
}  // namespace hearth::regions
