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

}  // namespace
}  // namespace hearth::store
