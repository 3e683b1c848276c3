// SqliteStore: the embedded Store backend (one file, WAL mode, synchronous=FULL).
//
// One connection guarded by a mutex: SQLite serializes writers anyway and the coordinator's
// statements are short. Durable against process crashes and power loss once a call returns.
#pragma once

#include <string>

#include "store/store.h"

namespace hearth::store {

// Opens (creating if needed) the database at `path` and applies pending migrations.
// ":memory:" gives a private in-memory database (tests).
StatusOr<StorePtr> OpenSqliteStore(const std::string& path);

}  // namespace hearth::store
