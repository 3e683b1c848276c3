// Versioned schema migrations, shared by every backend.
//
// Each migration is portable SQL (types TEXT, BIGINT; no AUTOINCREMENT, no backend-only
// functions) applied once, in order, inside a transaction, and recorded in schema_migrations.
// Append new migrations; never edit one that has shipped.
#pragma once

#include <string_view>
#include <vector>

namespace hearth::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // one or more statements separated by ';'
};

const std::vector<Migration>& Migrations();

}  // namespace hearth::store
