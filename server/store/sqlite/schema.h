#pragma once
// The on-disk layout of the SQLite store, in one place (see sqlite_store.h for the design).
#include <string_view>

#include "pkg/api/json.h"
#include "server/store/sqlite/connection.h"

namespace skiff::store::sqlite {

// Bumped on incompatible layout changes; a newer file is refused rather than misread.
inline constexpr int kSchemaVersion = 1;
inline constexpr int kBusyTimeoutMs = 5000;

// Creates the tables when missing (idempotent) and checks the schema version. Runs on the
// writer connection before any reader opens the file.
void ensure_schema(Database& db);

// Reads the persisted store revision.
int64_t read_revision(Database& db);

// Values are stored as compact JSON text.
Json parse_value(std::string_view stored);

}  // namespace skiff::store::sqlite
