// Per-device stats: the uptime arithmetic (table), and the routes through the coordinator's
// router on a real SQLite store with heartbeats recorded under a fake clock and a booked epoch.
#include "coordinator/devices/stats.h"

#include <gtest/gtest.h>

#include "coordinator/coordinator.h"
#include "coordinator/rewards/ledger.h"
#include "store/sqlite/sqlite_store.h"

namespace hearth::devices {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kT0 = FromUnixMillis(1'700'000'000'000 / 3'600'000 * 3'600'000);

store::UptimeInterval Span(Timestamp a, Timestamp b) { return {DeviceId("dev_x"), a, b}; }

TEST(UptimeOverTest, CountsOnlineTimeAfterEnrollmentWithinTheWindow) {
  const Timestamp from = kT0, to = kT0 + hours(24);
  struct Case {
    std::string what;
    std::vector<store::UptimeInterval> spans;
    Timestamp enrolled;
    int64_t online, window;
  };
  const std::vector<Case> cases = {
      {"nothing recorded", {}, kT0 - hours(48), 0, 86400},
      {"online all day", {Span(kT0 - hours(1), kT0 + hours(25))}, kT0 - hours(48), 86400, 86400},
      {"half the day", {Span(kT0 + hours(6), kT0 + hours(18))}, kT0 - hours(48), 43200, 86400},
      {"two spans",
       {Span(kT0, kT0 + hours(1)), Span(kT0 + hours(2), kT0 + hours(3))},
       kT0 - hours(1),
       7200,
       86400},
      {"enrolled mid-window counts from enrollment",
       {Span(kT0 + hours(20), kT0 + hours(24))},
       kT0 + hours(20),
       14400,
       14400},
      {"spans before enrollment are not counted",
       {Span(kT0, kT0 + hours(10))},
       kT0 + hours(5),
       18000,
       68400},
      {"enrolled after the window", {}, kT0 + hours(30), 0, 0},
  };
  for (const Case& c : cases) {
    const UptimeShare u = UptimeOver(c.spans, c.enrolled, from, to);
    EXPECT_EQ(u.online_seconds, c.online) << c.what;
    EXPECT_EQ(u.window_seconds, c.window) << c.what;
  }
  EXPECT_DOUBLE_EQ(UptimeOver({Span(kT0 + hours(6), kT0 + hours(18))}, kT0, from, to).fraction(),
                   0.5);
  EXPECT_LT(UptimeOver({}, kT0 + hours(30), from, to).fraction(), 0);
}

class StatsRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::OpenSqliteStore(":memory:").value());
    clock_ = std::make_unique<FakeClock>(kT0);
    coord_ = std::make_unique<coordinator::Coordinator>(coordinator::Config{}, *store_, *clock_,
                                                        random_);
    ASSERT_TRUE(coord_->Init().ok());
    ASSERT_TRUE(
        coord_->BootstrapAdmin("admin@example.com", Secret<std::string>("admin-password-1")).ok());
    admin_ = Login("admin@example.com", "admin-password-1");
    for (const char* who : {"a", "b"}) {
      const std::string email = std::string(who) + "@example.com";
      ASSERT_EQ(Call("POST", "/v1/accounts", "",
                     R"({"email":")" + email + R"(","password":"owner-password-1"})")
                    .status,
                201);
      tokens_[who] = Login(email, "owner-password-1");
      owners_[who] = store_->FindAccountByEmail(email)->id;
    }
  }

  std::string Login(const std::string& email, const std::string& password) {
    auto r = coord_->context().auth.Login(email, Secret<std::string>(password));
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->second.token.Reveal() : "";
  }

  http::Response Call(const std::string& method, const std::string& target,
                      const std::string& token, const std::string& body = "") {
    http::Request req;
    req.method = method;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string kv = rest.substr(0, amp);
        const auto eq = kv.find('=');
        req.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
      }
    }
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
  nlohmann::json J(const http::Response& r) { return nlohmann::json::parse(r.body); }

  DeviceId Enroll(const std::string& owner, const std::string& id) {
    const std::string hash = "key-" + id;
    EXPECT_TRUE(store_
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
    store::Device d;
    d.id = DeviceId(id);
    d.name = id;
    d.credential_hash = "cred-" + id;
    d.inventory_json = "{}";
    d.enrolled_at = d.last_seen = clock_->Now();
    EXPECT_TRUE(store_->EnrollDevice(hash, clock_->Now(), d).ok());
    return d.id;
  }

  void Heartbeats(const DeviceId& id, Duration for_, Duration every = seconds(30)) {
    const Timestamp end = clock_->Now() + for_;
    while (clock_->Now() < end) {
      ASSERT_TRUE(store_->RecordHeartbeat(id, {clock_->Now(), "1", "{}", minutes(5)}).ok());
      clock_->Advance(every);
    }
    ASSERT_TRUE(store_->RecordHeartbeat(id, {clock_->Now(), "1", "{}", minutes(5)}).ok());
  }

  // Books an epoch starting at `start` paying the device's owner usage + participation.
  void Book(Timestamp start, const DeviceId& dev, const AccountId& owner, int64_t usage,
            int64_t participation) {
    store::EpochRecord rec{start, start + hours(1), "v1", "{}", "{}", clock_->Now()};
    const std::string txn = "epoch:" + std::to_string(ToUnixMillis(start));
    const std::string acct = rewards::OwnerAccount(owner);
    std::vector<store::LedgerEntry> e = {
        {0,
         txn,
         "provider_revenue",
         "revenue",
         Amount::Micro(-(usage + participation)),
         {},
         start,
         clock_->Now()},
        {0, txn, acct, "usage", Amount::Micro(usage), dev, start, clock_->Now()},
        {0, txn, acct, "participation", Amount::Micro(participation), dev, start, clock_->Now()}};
    auto booked = store_->SettleEpoch(rec, e, /*carry=*/nullptr);
    ASSERT_TRUE(booked.ok() && *booked) << booked.status().ToString();
  }

  store::StorePtr store_;
  std::unique_ptr<FakeClock> clock_;
  SeededRandom random_{5};
  std::unique_ptr<coordinator::Coordinator> coord_;
  std::string admin_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, AccountId> owners_;
};

TEST_F(StatsRouteTest, ListsAndDetailCarryUptimeAndEarningsWhenAsked) {
  const DeviceId a1 = Enroll("a", "dev_aaaaaaaaaaaaaaab");
  const DeviceId b1 = Enroll("b", "dev_bbbbbbbbbbbbbbbc");
  Heartbeats(a1, hours(6));   // a1 online 6 h of its 6 h
  clock_->Advance(hours(6));  // then silent 6 h: 50 % of the 12 h since it enrolled
  Book(kT0 - hours(48), a1, owners_["a"], 700, 300);  // earned long ago
  Book(kT0, a1, owners_["a"], 20, 5);                 // earned in the last 24 h
  Book(kT0 + hours(1), b1, owners_["b"], 9, 9);       // b's, never shown to a

  // Without ?stats the lists are as before.
  auto plain = J(Call("GET", "/v1/devices", tokens_["a"]));
  EXPECT_FALSE(plain["devices"][0].contains("stats"));

  auto list = J(Call("GET", "/v1/devices?stats=1", tokens_["a"]));
  ASSERT_EQ(list["devices"].size(), 1u);
  const nlohmann::json& st = list["devices"][0]["stats"];
  EXPECT_NEAR(st["uptime_24h"].get<double>(), 0.5, 0.001) << st.dump();
  EXPECT_NEAR(st["uptime_7d"].get<double>(), 0.5, 0.001);
  EXPECT_EQ(st["online_seconds_24h"], 6 * 3600);
  EXPECT_EQ(st["earned_24h"], 25);
  EXPECT_EQ(st["earned_total"], 1025);

  auto detail = J(Call("GET", "/v1/devices/" + a1.str() + "?stats=1", tokens_["a"]));
  EXPECT_EQ(detail["stats"], st);

  // An admin's page carries every owner's figures; b's device never heartbeated.
  auto page = J(Call("GET", "/v1/admin/devices?stats=1", admin_));
  ASSERT_EQ(page["devices"].size(), 2u);
  for (const auto& d : page["devices"]) {
    if (d["id"] == b1.str()) {
      EXPECT_EQ(d["stats"]["uptime_24h"], 0.0);
      EXPECT_EQ(d["stats"]["earned_total"], 18);
    } else {
      EXPECT_EQ(d["stats"]["earned_total"], 1025);
    }
  }
}

TEST_F(StatsRouteTest, UptimeTimelineIsClippedAndOnlyTheOwnersOrAnAdmins) {
  const DeviceId a1 = Enroll("a", "dev_aaaaaaaaaaaaaaab");
  Heartbeats(a1, hours(1));
  clock_->Advance(hours(2));
  Heartbeats(a1, hours(1));
  clock_->Advance(hours(24));  // the first day's spans start before a 1-day window

  auto week = Call("GET", "/v1/devices/" + a1.str() + "/uptime", tokens_["a"]);
  ASSERT_EQ(week.status, 200) << week.body;
  auto w = J(week);
  ASSERT_EQ(w["intervals"].size(), 2u) << w.dump();
  EXPECT_EQ(w["intervals"][0]["start"], FormatRfc3339(kT0));
  EXPECT_EQ(w["online_seconds"], 2 * 3600);
  EXPECT_EQ(w["enrolled_at"], FormatRfc3339(kT0));

  auto day = J(Call("GET", "/v1/devices/" + a1.str() + "/uptime?days=1", tokens_["a"]));
  EXPECT_EQ(day["intervals"].size(), 0u) << day.dump();
  EXPECT_EQ(day["online_seconds"], 0);
  EXPECT_EQ(day["uptime"], 0.0);

  EXPECT_EQ(Call("GET", "/v1/devices/" + a1.str() + "/uptime", admin_).status, 200);
  EXPECT_EQ(Call("GET", "/v1/devices/" + a1.str() + "/uptime", tokens_["b"]).status, 404);
  EXPECT_EQ(Call("GET", "/v1/devices/" + a1.str() + "/uptime", "").status, 401);
  for (const char* bad : {"0", "31", "x", "7d", ""}) {
    auto r = Call("GET", "/v1/devices/" + a1.str() + "/uptime?days=" + bad, tokens_["a"]);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(J(r)["error"]["field"], "days") << bad;
  }
}

TEST_F(StatsRouteTest, AdminListFiltersByRegionGpuAndOwner) {
  const DeviceId a1 = Enroll("a", "dev_aaaaaaaaaaaaaaab");
  const DeviceId a2 = Enroll("a", "dev_aaaaaaaaaaaaaaac");
  const DeviceId b1 = Enroll("b", "dev_bbbbbbbbbbbbbbbc");
  ASSERT_TRUE(store_
                  ->NetworkTransaction([&](store::NetworkTx& tx) -> Status {
                    return tx.SetAddressing(a2, "default", "100.64.0.7", "10.42.7.0/24");
                  })
                  .ok());
  // b1 has an RTX 4090 (inventory as enrolled).
  store::Device gpu;
  gpu.id = DeviceId("dev_cccccccccccccccc");
  gpu.name = "gpu-box";
  gpu.credential_hash = "cred-c";
  gpu.inventory_json = R"({"gpus":[{"model":"rtx4090"}]})";
  gpu.enrolled_at = gpu.last_seen = clock_->Now();
  ASSERT_TRUE(store_
                  ->CreateInstallKey({InstallKeyId("ik_c"),
                                      owners_["b"],
                                      "key-c",
                                      "w",
                                      clock_->Now(),
                                      clock_->Now() + minutes(10),
                                      {},
                                      {},
                                      {}})
                  .ok());
  ASSERT_TRUE(store_->EnrollDevice("key-c", clock_->Now(), gpu).ok());

  auto ids = [&](const std::string& query) {
    auto r = Call("GET", "/v1/admin/devices?" + query, admin_);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::string> out;
    const nlohmann::json j = J(r);
    for (const auto& d : j["devices"]) out.push_back(d["id"]);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("region=default"), V{a2.str()});
  EXPECT_EQ(ids("region=none").size(), 3u);
  EXPECT_EQ(ids("region=elsewhere"), V{});
  EXPECT_EQ(ids("gpu=any"), V{gpu.id.str()});
  EXPECT_EQ(ids("gpu=RTX4090"), V{gpu.id.str()});
  EXPECT_EQ(ids("gpu=a100"), V{});
  EXPECT_EQ(ids("gpu=none").size(), 3u);
  EXPECT_EQ(ids("owner=b@example.com"), (V{b1.str(), gpu.id.str()}));
  EXPECT_EQ(ids("owner=" + owners_["a"].str()), (V{a1.str(), a2.str()}));
  EXPECT_EQ(ids("owner=nobody@example.com"), V{});
  EXPECT_EQ(ids("owner=b@example.com&gpu=none"), V{b1.str()});
  auto counts = J(Call("GET", "/v1/admin/devices?owner=a@example.com", admin_))["counts"];
  EXPECT_EQ(counts["online"].get<int>() + counts["stale"].get<int>() + counts["offline"].get<int>(),
            2);
  EXPECT_EQ(Call("GET", "/v1/admin/devices?region=default", tokens_["a"]).status, 403);
}

}  // namespace
}  // namespace hearth::devices
