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

TEST_F(SqliteFileTest, AnUnrecordedMigrationBelowTheNewestIsStillApplied) {
  // Numbers are assigned per area ahead of time, so a database may have a later migration
  // before an earlier one lands (here: migration 3 undone while later ones stay applied).
  ASSERT_TRUE(OpenSqliteStore(path_).ok());
  sqlite3* db = nullptr;
  sqlite3_open(path_.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE uptime_intervals; DROP TABLE epoch_revenue; DROP TABLE epochs;"
                         "DROP TABLE ledger_entries; DROP TABLE payout_addresses;"
                         "DROP TABLE withdrawals; DROP TABLE payout_batches;"
                         "DELETE FROM schema_migrations WHERE version = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(Pragma("SELECT COUNT(*) FROM sqlite_master WHERE name = 'epochs'"), "0");
  auto s = OpenSqliteStore(path_);  // later migrations are not re-run (they would fail)
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Pragma("SELECT COUNT(*) FROM sqlite_master WHERE name = 'epochs'"), "1");
  EXPECT_EQ(Pragma("SELECT COUNT(*) FROM schema_migrations"), std::to_string(Migrations().size()));
  EXPECT_EQ(*(*s)->SchemaVersion(), Migrations().back().version);
  auto balances = (*s)->Balances();
  ASSERT_TRUE(balances.ok()) << balances.status().ToString();
}

TEST_F(SqliteFileTest, UnwritableLocationIsAClearError) {
  auto s = OpenSqliteStore(dir_ + "/no/such/dir/hearth.db");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--data"), std::string::npos) << s.status().ToString();
}

// ---- Rewards carry ----
TEST_F(SqliteFileTest, CarriesAreBookedWithTheirEpochAndRefusedWhenStale) {
  auto s = OpenSqliteStore(path_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Store& st = **s;
  auto state = st.ListCarries();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->generation, 0);
  EXPECT_TRUE(state->carries.empty());

  auto epoch = [](int64_t k) {
    const Timestamp t = FromUnixMillis(k * 3'600'000);
    return EpochRecord{t, t + std::chrono::hours(1), "pol_x", "{}", "{}", t};
  };
  auto entries = [](int64_t k, int64_t amount) {
    const Timestamp t = FromUnixMillis(k * 3'600'000);
    const std::string txn = "epoch:" + std::to_string(k);
    return std::vector<LedgerEntry>{
        {0, txn, "provider_revenue", "revenue", Amount::Micro(-amount), {}, t, t},
        {0, txn, "carry", "carry", Amount::Micro(amount), {}, t, t}};
  };
  CarryUpdate first{
      0, {{DeviceId("dev_b"), 7, epoch(1).start}, {DeviceId("dev_a"), 5, epoch(1).start}}};
  auto booked = st.SettleEpoch(epoch(1), entries(1, 1), &first);
  ASSERT_TRUE(booked.ok()) << booked.status().ToString();
  EXPECT_TRUE(*booked);
  state = st.ListCarries();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->generation, 1);
  ASSERT_EQ(state->carries.size(), 2U);
  EXPECT_EQ(state->carries[0].device_id.str(), "dev_a");  // ordered by id
  EXPECT_EQ(state->carries[0].carry, 5);
  EXPECT_EQ(state->carries[1].carry, 7);

  // Built on the generation before epoch 1 was booked: refused, nothing written.
  CarryUpdate stale{0, {{DeviceId("dev_a"), 9, epoch(2).start}}};
  booked = st.SettleEpoch(epoch(2), entries(2, 3), &stale);
  ASSERT_FALSE(booked.ok());
  EXPECT_EQ(booked.status().code(), Code::kUnavailable);
  EXPECT_EQ(booked.status().reason(), "carry_changed");
  EXPECT_FALSE(st.GetEpoch(epoch(2).start)->has_value());
  EXPECT_EQ(st.Balance("carry")->micro(), 1);
  EXPECT_EQ(st.ListCarries()->carries[0].carry, 5);

  // Rebuilt on the current generation: booked, and the carry is replaced (upsert).
  CarryUpdate fresh{1, {{DeviceId("dev_a"), 9, epoch(2).start}}};
  booked = st.SettleEpoch(epoch(2), entries(2, 3), &fresh);
  ASSERT_TRUE(booked.ok()) << booked.status().ToString();
  EXPECT_TRUE(*booked);
  state = st.ListCarries();
  EXPECT_EQ(state->generation, 2);
  EXPECT_EQ(state->carries[0].carry, 9);
  EXPECT_EQ(state->carries[0].epoch_start, epoch(2).start);
  EXPECT_EQ(state->carries[1].carry, 7);  // untouched rows keep their epoch
  EXPECT_EQ(state->carries[1].epoch_start, epoch(1).start);
  EXPECT_EQ(st.Balance("carry")->micro(), 4);

  // Settling a booked epoch again writes nothing, whatever carries it brings.
  CarryUpdate again{2, {{DeviceId("dev_a"), 1, epoch(2).start}}};
  booked = st.SettleEpoch(epoch(2), entries(2, 3), &again);
  ASSERT_TRUE(booked.ok());
  EXPECT_FALSE(*booked);
  EXPECT_EQ(st.ListCarries()->carries[0].carry, 9);
  EXPECT_EQ(st.Balance("carry")->micro(), 4);
}

TEST(MigrationsTest, VersionsAreStrictlyIncreasingFromOne) {
  // Numbers are assigned per area ahead of time (docs/architecture.md), so gaps are allowed.
  int previous = 0;
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
    auto r = s.SettleEpoch({start, start + std::chrono::hours(1), "v", "{}", "{}", t0}, e,
                           /*carry=*/nullptr);
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
