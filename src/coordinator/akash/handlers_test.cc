// The Akash routes against a real (in-memory SQLite) store and the coordinator's router, and
// the bid script's fleet source against a real HTTP server: live, then cached when it is down.
#include "coordinator/akash/handlers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/encoding.h"
#include "coordinator/akash/attributes.h"
#include "coordinator/akash/bid_script.h"
#include "coordinator/akash/test_util.h"
#include "coordinator/coordinator.h"
#include "http/server.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::akash {
namespace {

using testing::MakeDevice;

class AkashRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenSqliteStore(":memory:");
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    coordinator::Config config;
    auto ac = ParseAkashConfig(
        std::string(testing::kTestConfig) + "coordinator: {token: bid-secret-token}\n", "test");
    ASSERT_TRUE(ac.ok()) << ac.status().ToString();
    config.akash = std::make_shared<const AkashConfig>(*ac);
    config.public_rate_per_minute = 60;
    coord_ = std::make_unique<coordinator::Coordinator>(config, *store_, clock_, random_);
    store::Account owner{AccountId("acc_owner"), "o@example.com", "x", store::Role::kOwner,
                         clock_.Now()};
    ASSERT_TRUE(store_->CreateAccount(owner).ok());
    store::Account admin{AccountId("acc_admin"), "a@example.com", "x", store::Role::kAdmin,
                         clock_.Now()};
    ASSERT_TRUE(store_->CreateAccount(admin).ok());
    admin_token_ = "hst_admintoken";
    ASSERT_TRUE(store_
                    ->CreateSession({Sha256Hex(admin_token_), admin.id, clock_.Now(),
                                     clock_.Now() + std::chrono::hours(1)})
                    .ok());
    owner_token_ = "hst_ownertoken";
    ASSERT_TRUE(store_
                    ->CreateSession({Sha256Hex(owner_token_), owner.id, clock_.Now(),
                                     clock_.Now() + std::chrono::hours(1)})
                    .ok());
  }

  void Enroll(store::Device d) {
    const std::string hash = "keyhash_" + d.id.str();
    store::InstallKeyRecord k{InstallKeyId("ik_" + d.id.str()),
                              AccountId("acc_owner"),
                              hash,
                              "w",
                              clock_.Now(),
                              clock_.Now() + std::chrono::hours(1),
                              {},
                              {},
                              {}};
    ASSERT_TRUE(store_->CreateInstallKey(k).ok());
    d.credential_hash = "cred_" + d.id.str();
    ASSERT_TRUE(store_->EnrollDevice(hash, clock_.Now(), d).ok());
    ASSERT_TRUE(store_->RecordHeartbeat(d.id, {clock_.Now(), "1", d.last_heartbeat_json}).ok());
  }

  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& token = "", const std::string& body = "",
                      const std::string& from = "192.0.2.1") {
    http::Request req;
    req.method = method;
    const size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      const std::string query = target.substr(q + 1);
      req.query[query.substr(0, query.find('='))] = query.substr(query.find('=') + 1);
    }
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    req.body = body;
    req.remote_address = from;
    auto m = coord_->router().Find(&req);
    if (!m.handler) {
      http::Response r;
      r.status = m.status;
      return r;
    }
    return (*m.handler)(req);
  }

  FakeClock clock_;
  SeededRandom random_{1};
  store::StorePtr store_;
  std::unique_ptr<coordinator::Coordinator> coord_;
  std::string admin_token_, owner_token_;
};

TEST_F(AkashRoutesTest, FleetNeedsTheBidTokenOrAnAdmin) {
  Enroll(MakeDevice("dev_a", clock_.Now(), 16, 64, {"rtx4090"}));
  EXPECT_EQ(Call("GET", "/v1/akash/regions/default/fleet").status, 401);
  EXPECT_EQ(Call("GET", "/v1/akash/regions/default/fleet", "wrong").status, 401);
  EXPECT_EQ(Call("GET", "/v1/akash/regions/default/fleet", owner_token_).status, 403);
  auto r = Call("GET", "/v1/akash/regions/default/fleet", "bid-secret-token");
  ASSERT_EQ(r.status, 200) << r.body;
  auto fleet = api::DecodeFleet(nlohmann::json::parse(r.body));
  ASSERT_TRUE(fleet.ok()) << fleet.status().ToString();
  EXPECT_EQ(fleet->devices_online, 1);
  ASSERT_EQ(fleet->gpus.size(), 1u);
  EXPECT_EQ(fleet->gpus[0].model, "rtx4090");
  EXPECT_EQ(fleet->largest_memory_bytes, 64 * testing::kGi);
  EXPECT_EQ(Call("GET", "/v1/akash/regions/default/fleet", admin_token_).status, 200);
  EXPECT_EQ(Call("GET", "/v1/akash/regions/mars/fleet", admin_token_).status, 404);
}

TEST_F(AkashRoutesTest, SdlCheckJudgesAgainstTheLiveFleet) {
  Enroll(MakeDevice("dev_a", clock_.Now(), 16, 64, {}));
  auto r = Call("POST", "/v1/sdl/check", "", testing::SdlFixture("ollama-gpu_deploy.yaml"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_FALSE(j["runnable"]);
  EXPECT_EQ(j["reasons"][0]["code"], "gpu_unavailable");
  EXPECT_EQ(j["reasons"][0]["service"], "ollama");
  ASSERT_EQ(j["bid_inputs"].size(), 1u);
  r = Call("POST", "/v1/sdl/check", "", testing::SdlFixture("web_deploy.yaml"));
  EXPECT_TRUE(nlohmann::json::parse(r.body)["runnable"]) << r.body;
  r = Call("POST", "/v1/sdl/check", "", "version: \"2.0\"\nservices: [\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "invalid_sdl");
}

TEST_F(AkashRoutesTest, PublicRegionsShowEdgeMarkerInventoryAndChurn) {
  Enroll(MakeDevice("dev_a", clock_.Now(), 16, 64, {"rtx4090", "rtx4090"}));
  Enroll(MakeDevice("dev_b", clock_.Now(), 8, 32, {}));
  Enroll(MakeDevice("dev_c", clock_.Now(), 8, 32, {}));
  ASSERT_TRUE(store_->RemoveDevice(DeviceId("dev_c"), clock_.Now()).ok());
  auto r = Call("GET", "/v1/public/regions");
  ASSERT_EQ(r.status, 200) << r.body;
  bool cacheable = false;
  for (const auto& [k, v] : r.headers) cacheable |= k == "Cache-Control" && v.find("public") == 0;
  EXPECT_TRUE(cacheable);
  auto j = nlohmann::json::parse(r.body)["regions"][0];
  EXPECT_EQ(j["id"], "default");
  EXPECT_TRUE(j["edge"]);
  EXPECT_EQ(j["location_type"], "home");
  EXPECT_EQ(j["country"], "DE");
  EXPECT_FALSE(j.contains("city")) << "coarse location only";
  EXPECT_EQ(j["devices_online"], 2);
  EXPECT_EQ(j["gpus"][0]["model"], "rtx4090");
  EXPECT_EQ(j["gpus"][0]["units"], 2);
  EXPECT_EQ(j["churn"]["joined"], 3);
  EXPECT_EQ(j["churn"]["left"], 1);
  EXPECT_EQ(j["median_reported_uptime_seconds"], 3600);
  // Enrolled an hour ago (MakeDevice) but heartbeating only from now: no uptime yet.
  EXPECT_EQ(j["uptime"]["24h"], 0.0);
  EXPECT_EQ(j["churn"]["daily"].size(), 30u);
  EXPECT_EQ(Call("GET", "/v1/public/regions/default").status, 200);
  EXPECT_EQ(Call("GET", "/v1/public/regions/nowhere").status, 404);
  // A device that stops heartbeating is no longer counted online.
  clock_.Advance(std::chrono::minutes(10));
  j = nlohmann::json::parse(Call("GET", "/v1/public/regions/default").body);
  EXPECT_EQ(j["devices_online"], 0);
}

TEST_F(AkashRoutesTest, PublicUptimeComesFromTheHeartbeatIntervals) {
  for (const char* id : {"dev_a", "dev_b"}) {
    store::Device d = MakeDevice(id, clock_.Now(), 8, 32, {});
    d.enrolled_at = clock_.Now();
    Enroll(d);
  }
  // Two hours of heartbeats every 30 s from dev_a; dev_b stops after the first hour.
  for (int i = 1; i <= 240; ++i) {
    clock_.Advance(std::chrono::seconds(30));
    for (const char* id : {"dev_a", "dev_b"}) {
      if (i > 120 && std::string(id) == "dev_b") continue;
      ASSERT_TRUE(store_->RecordHeartbeat(DeviceId(id), {clock_.Now(), "1", "{}"}).ok());
    }
  }
  auto r = Call("GET", "/v1/public/regions/default");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  // Up 2 h + 1 h of the 2 h + 2 h both were enrolled, in every window.
  for (const char* w : {"24h", "7d", "30d"}) {
    EXPECT_DOUBLE_EQ(j["uptime"][w].get<double>(), 0.75) << w;
    EXPECT_DOUBLE_EQ(j["median_device_uptime"][w].get<double>(), 0.75) << w;  // (1 + 0.5) / 2
  }
  EXPECT_EQ(j["devices_online"], 1);
  int64_t daily_joined = 0;  // the fake clock's two hours cross a UTC midnight
  for (const auto& d : j["churn"]["daily"]) daily_joined += d["joined"].get<int64_t>();
  EXPECT_EQ(daily_joined, 2);
  EXPECT_EQ(j["churn"]["joined"], 2);
}

TEST_F(AkashRoutesTest, PublicSummariesAreComputedAtMostOncePerMinute) {
  Enroll(MakeDevice("dev_a", clock_.Now(), 8, 32, {}));
  auto first = nlohmann::json::parse(Call("GET", "/v1/public/regions/default").body);
  EXPECT_EQ(first["devices_online"], 1);
  Enroll(MakeDevice("dev_b", clock_.Now(), 8, 32, {}));
  clock_.Advance(std::chrono::seconds(59));
  auto cached = nlohmann::json::parse(Call("GET", "/v1/public/regions/default").body);
  EXPECT_EQ(cached, first) << "served from the server's copy, as clients may cache it";
  clock_.Advance(std::chrono::seconds(2));
  for (const char* id : {"dev_a", "dev_b"}) {
    ASSERT_TRUE(store_->RecordHeartbeat(DeviceId(id), {clock_.Now(), "1", "{}"}).ok());
  }
  auto fresh = nlohmann::json::parse(Call("GET", "/v1/public/regions/default").body);
  EXPECT_EQ(fresh["devices_online"], 2);
}

TEST_F(AkashRoutesTest, PublicCountryIsWhereMostDevicesAre) {
  for (const char* id : {"dev_a", "dev_b"}) {
    store::Device d = MakeDevice(id, clock_.Now(), 8, 32, {});
    d.placement_evidence_json = R"({"geoip":{"country":"PL","city":"Warsaw"}})";
    Enroll(d);
  }
  auto j = nlohmann::json::parse(Call("GET", "/v1/public/regions/default").body);
  EXPECT_EQ(j["country"], "PL");  // not the configured DE
  EXPECT_EQ(j.dump().find("Warsaw"), std::string::npos) << "coarse location only";
  auto a = Call("GET", "/v1/admin/regions/default/attributes", admin_token_);
  ASSERT_EQ(a.status, 200) << a.body;
  std::map<std::string, std::string> m;
  const nlohmann::json attrs = nlohmann::json::parse(a.body);
  for (const auto& x : attrs["attributes"]) {
    m[x["key"].get<std::string>()] = x["value"].get<std::string>();
  }
  EXPECT_EQ(m["country"], "PL");
  EXPECT_EQ(m["city"], "Warsaw");
}

TEST_F(AkashRoutesTest, PublicEndpointsAreRateLimitedPerAddress) {
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    if (Call("GET", "/v1/public/regions", "", "", "198.51.100.7").status == 429) ++limited;
  }
  EXPECT_GT(limited, 0);
  EXPECT_EQ(Call("GET", "/v1/public/regions", "", "", "198.51.100.8").status, 200);
}

TEST_F(AkashRoutesTest, AttributesAreAdminOnlyAndValid) {
  Enroll(MakeDevice("dev_a", clock_.Now(), 16, 64, {"rtx4090"}));
  EXPECT_EQ(Call("GET", "/v1/admin/regions/default/attributes", owner_token_).status, 403);
  auto r = Call("GET", "/v1/admin/regions/default/attributes", admin_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_GT(j["attributes"].size(), 8u);
  for (const auto& a : j["attributes"]) {
    EXPECT_TRUE(ValidateAttribute(AttributeSchema(), a["key"], a["value"]).ok()) << a.dump();
  }
  r = Call("GET", "/v1/admin/regions/default/attributes?format=yaml", admin_token_);
  EXPECT_EQ(r.content_type, "application/yaml");
  EXPECT_NE(r.body.find("- key: \"location-type\"\n    value: \"home\""), std::string::npos)
      << r.body;
  EXPECT_EQ(Call("GET", "/v1/admin/regions/default/attributes?format=xml", admin_token_).status,
            400);
}

// The bid script's fleet source: live from a real server, then from the cache when it is
// down, and a decline when neither is available.
TEST_F(AkashRoutesTest, BidScriptUsesTheCoordinatorThenTheCache) {
  Enroll(MakeDevice("dev_a", clock_.Now(), 16, 64, {"rtx4090"}));
  http::ServerOptions o;
  o.listen = "127.0.0.1:0";
  auto server = std::make_unique<http::Server>(o, coord_->router(), nullptr);
  ASSERT_TRUE(server->Start().ok());
  std::thread t([&] { server->Run(); });
  const std::string dir =
      std::filesystem::temp_directory_path() / ("hearth-akash-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto config = ParseAkashConfig(std::string(testing::kTestConfig) +
                                     "coordinator: {url: \"http://" + server->BoundAddress() +
                                     "\", token: bid-secret-token, timeout: 500ms}\n"
                                     "cache: {path: \"" +
                                     dir + "/fleet.json\", max_age: 1h}\n",
                                 "test");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const std::string order =
      testing::ReadFile(testing::SourceDir() + "/tests/fixtures/akash/orders/gpu-rtx4090.json");
  ASSERT_FALSE(order.empty());
  const auto run = [&] {
    return RunBidScript(order, *config, "default", "",
                        [&] { return FetchFleet(*config, "default", clock_); });
  };
  BidScriptResult live = run();
  EXPECT_EQ(live.exit_code, 0) << live.err;
  EXPECT_TRUE(live.err.empty()) << live.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/fleet.json"));

  server->Shutdown(std::chrono::seconds(2));
  t.join();
  BidScriptResult cached = run();
  EXPECT_EQ(cached.exit_code, 0) << cached.err;
  EXPECT_EQ(cached.out, live.out);
  EXPECT_NE(cached.err.find("cached fleet snapshot"), std::string::npos) << cached.err;

  clock_.Advance(std::chrono::hours(2));  // the cache is now too old to trust
  BidScriptResult stale = run();
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("old"), std::string::npos) << stale.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hearth::akash
