// SQLite-specific behaviour: migrations on a real file, durability settings, refusal of a
// database from a newer hearth. Backend-independent behaviour is in store_conformance_test.cc.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "store/migrations.h"

namespace hearth::store {
namespace {

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hearth-sqlite-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/hearth.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Pragma(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::string dir_, path_;
};

TEST_F(SqliteFileTest, MigrationsApplyOnceAndDataSurvivesReopen) {
  {
    auto s = OpenSqliteStore(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(*(*s)->SchemaVersion(), Migrations().back().version);
    Account a{AccountId("acc_1"), "a@example.com", "hash", Role::kOwner, FromUnixMillis(1)};
    ASSERT_TRUE((*s)->CreateAccount(a).ok());
  }
  EXPECT_EQ(Pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Pragma("SELECT COUNT(*) FROM schema_migrations"), std::to_string(Migrations().size()));
  auto again = OpenSqliteStore(path_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Pragma("SELECT COUNT(*) FROM schema_migrations"), std::to_string(Migrations().size()));
  auto a = (*again)->FindAccountByEmail("a@example.com");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->id.str(), "acc_1");
}

TEST(MigrationsTest, OneBelowTheNewestAppliedStillRuns) {
  const std::vector<Migration> all = {{1, "a", "x"}, {2, "b", "x"}, {5, "c", "x"}, {7, "d", "x"}};
  auto pending = PendingMigrations(all, {1, 2, 7});
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].version, 5);
  EXPECT_TRUE(PendingMigrations(all, {1, 2, 5, 7}).empty());
  EXPECT_EQ(PendingMigrations(all, {}).size(), 4u);
}

TEST_F(SqliteFileTest, RefusesADatabaseFromANewerHearth) {
  ASSERT_TRUE(OpenSqliteStore(path_).ok());
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'future', 0)", nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  auto s = OpenSqliteStore(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().reason(), "schema_too_new");
  EXPECT_NE(s.status().message().find("999"), std::string::npos);
}

TEST_F(SqliteFileTest, UnwritableLocationIsAClearError) {
  auto s = OpenSqliteStore(dir_ + "/no/such/dir/hearth.db");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--data"), std::string::npos) << s.status().ToString();
}

// Numbers are assigned per area, so the list may have gaps while an area's migration is not
// merged yet; Init applies every missing one (see OneBelowTheNewestAppliedStillRuns).
TEST(MigrationsTest, VersionsAreStrictlyIncreasingFromOne) {
  int previous = 0;
  ASSERT_FALSE(Migrations().empty());
  EXPECT_EQ(Migrations().front().version, 1);
  for (const Migration& m : Migrations()) {
    EXPECT_GT(m.version, previous);
    previous = m.version;
    EXPECT_FALSE(m.name.empty());
    EXPECT_FALSE(m.sql.empty());
    // Portable SQL only: a PostgreSQL backend runs the same text.
    EXPECT_EQ(m.sql.find("AUTOINCREMENT"), std::string_view::npos);
    EXPECT_EQ(m.sql.find("DATETIME"), std::string_view::npos);
  }
}

// ---- Portal: per-device summaries ----

TEST(PortalStoreTest, DeviceUptimeAndEarningsPerDevice) {
  auto opened = OpenSqliteStore(":memory:");
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  const Timestamp t0 = FromUnixMillis(1'700'000'000'000);
  ASSERT_TRUE(s.CreateAccount({AccountId("acc_o"), "o@example.com", "h", Role::kOwner, t0}).ok());
  for (const char* id : {"dev_a", "dev_b"}) {
    const std::string key = std::string("kh-") + id;
    ASSERT_TRUE(s.CreateInstallKey({InstallKeyId(std::string("ik_") + id),
                                    AccountId("acc_o"),
                                    key,
                                    "w",
                                    t0,
                                    t0 + std::chrono::hours(1),
                                    {},
                                    {},
                                    {}})
                    .ok());
    Device d;
    d.id = DeviceId(id);
    d.name = id;
    d.credential_hash = std::string("c-") + id;
    d.inventory_json = "{}";
    d.enrolled_at = d.last_seen = t0;
    ASSERT_TRUE(s.EnrollDevice(key, t0, d).ok());
  }
  const auto gap = std::chrono::minutes(5);
  for (int m : {0, 1, 2, 30, 31}) {  // dev_a: [0, 2 min] and [30, 31 min]
    ASSERT_TRUE(
        s.RecordHeartbeat(DeviceId("dev_a"), {t0 + std::chrono::minutes(m), "1", "{}", gap}).ok());
  }
  ASSERT_TRUE(s.RecordHeartbeat(DeviceId("dev_b"), {t0, "1", "{}", gap}).ok());
  auto a = s.ListDeviceUptime(DeviceId("dev_a"), t0, t0 + std::chrono::hours(1));
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 2U);
  EXPECT_EQ((*a)[0].device_id.str(), "dev_a");
  EXPECT_EQ((*a)[0].end, t0 + std::chrono::minutes(2));
  EXPECT_EQ((*a)[1].start, t0 + std::chrono::minutes(30));
  auto later = s.ListDeviceUptime(DeviceId("dev_a"), t0 + std::chrono::minutes(10),
                                  t0 + std::chrono::hours(1));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->size(), 1U);

  // Two epochs: usage + participation per device; other kinds and accounts are not counted.
  auto book = [&](Timestamp start, int64_t a_amount, int64_t b_amount) {
    const std::string txn = "epoch:" + std::to_string(ToUnixMillis(start));
    std::vector<LedgerEntry> e = {
        {0,
         txn,
         "provider_revenue",
         "revenue",
         Amount::Micro(-(a_amount + b_amount + 7)),
         {},
         start,
         t0},
        {0, txn, "operator", "operator", Amount::Micro(7), {}, start, t0},
        {0, txn, "owner:acc_o", "usage", Amount::Micro(a_amount), DeviceId("dev_a"), start, t0},
        {0, txn, "owner:acc_o", "participation", Amount::Micro(b_amount), DeviceId("dev_b"), start,
         t0}};
    auto r = s.SettleEpoch({start, start + std::chrono::hours(1), "v", "{}", "{}", t0}, e);
    ASSERT_TRUE(r.ok() && *r);
  };
  book(t0, 100, 10);
  book(t0 + std::chrono::hours(1), 200, 20);
  auto all = s.DeviceEarnings("owner:acc_o", FromUnixMillis(0));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->at(DeviceId("dev_a")).micro(), 300);
  EXPECT_EQ(all->at(DeviceId("dev_b")).micro(), 30);
  auto recent = s.DeviceEarnings("owner:acc_o", t0 + std::chrono::hours(1));
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->at(DeviceId("dev_a")).micro(), 200);
  auto none = s.DeviceEarnings("owner:acc_x", FromUnixMillis(0));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace hearth::store
