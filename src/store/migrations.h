// Versioned schema migrations, shared by every backend.
//
// Each migration is portable SQL (types TEXT, BIGINT; no AUTOINCREMENT, no backend-only
// functions) applied once, in order, inside a transaction, and recorded in schema_migrations.
// Append new migrations; never edit one that has shipped.
#pragma once

#include <set>
#include <string_view>
#include <vector>

namespace hearth::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // one or more statements separated by ';'
};

const std::vector<Migration>& Migrations();

// The migrations of `all` not in `applied`, in order. Numbers are assigned per area, so one may
// land after a higher-numbered one was applied; it still runs.
std::vector<Migration> PendingMigrations(const std::vector<Migration>& all,
                                         const std::set<int>& applied);

}  // namespace hearth::store
