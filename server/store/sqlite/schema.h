#pragma once
// The on-disk layout of the SQLite store, in one place (see sqlite_store.h for the design).
#include <string_view>

#include "pkg/api/json.h"
#include "server/store/sqlite/connection.h"

namespace skiff::store::sqlite {

// Bumped on incompatible layout changes; a newer file is refused rather than misread.
// 2: meta.reserved (the revision reservation for volatile writes; a version 1 file gains it
// when opened, and an older skiff refuses the file rather than reuse reserved revisions).
inline constexpr int kSchemaVersion = 2;
inline constexpr int kBusyTimeoutMs = 5000;
// Rows live in the leaves of a WITHOUT ROWID b-tree, where SQLite keeps at most about a quarter
// of a page of each row in place and spills the rest to an overflow page. With the default
// 4 KiB pages every object over ~1 KiB (most Kubernetes objects) would take two pages: measured
// 4.6 KiB of file per 1 KiB object. 16 KiB pages keep objects up to ~4 KiB in their leaf
// (1.1 KiB of file per 1 KiB object) and halve the WAL frames each write touches.
inline constexpr int kPageSize = 16384;

// Creates the tables when missing (idempotent) and checks the schema version. Runs on the
// writer connection before any reader opens the file.
void ensure_schema(Database& db);

// The meta row.
struct PersistedRevisions {
  int64_t revision = 0;  // of the last durable write (the database's state)
  // Volatile writes may use revisions up to this one without writing anything (see
  // sqlite_store.h); the store continues after max(revision, reserved) when it opens.
  int64_t reserved = 0;
};
PersistedRevisions read_revisions(Database& db);

// Values are stored as compact JSON text.
Json parse_value(std::string_view stored);

}  // namespace skiff::store::sqlite
