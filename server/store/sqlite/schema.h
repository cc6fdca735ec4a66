#pragma once
// The on-disk layout of the SQLite store, in one place (see sqlite_store.h for the design).
#include <string_view>

#include "pkg/api/json.h"
#include "server/store/sqlite/connection.h"

namespace skiff::store::sqlite {

// Bumped on incompatible layout changes; a newer file is refused rather than misread.
// 2: meta.reserved (the revision reservation for volatile writes; a version 1 file gains it
// when opened, and an older skiff refuses the file rather than reuse reserved revisions).
// 3: objects in a rowid table with a unique index on the key (was a WITHOUT ROWID table keyed
// by it), in 4 KiB pages (were 16 KiB). A rowid table keeps a row of up to ~4 KiB in its leaf
// page even with 4 KiB pages (a WITHOUT ROWID b-tree keeps only about a quarter of a page in
// place and spills the rest to an overflow page), so a write dirties two small pages (the row's
// and the key's) where it dirtied one 16 KiB page: a quarter of the WAL bytes per commit.
// store_bench, 1 KiB objects: creates/s 7,000 / 8,000 (1 / 16 threads) -> 13,300-13,800 /
// 17,800-18,100; gets/s 229,000 -> 145,000-149,000 (a read now goes through the key index).
// Older files are converted when opened (the copy is one transaction, the page size one
// VACUUM).
inline constexpr int kSchemaVersion = 3;
inline constexpr int kBusyTimeoutMs = 5000;
inline constexpr int kPageSize = 4096;

// Creates the tables when missing or converts an older layout (idempotent), and checks the
// schema version. Runs on the writer connection before any reader opens the file.
void ensure_schema(Database& db);
// Rebuilds a file made with another page size (the writer connection, before it switches to
// WAL mode). A failure is logged and the file keeps its page size: it is only slower.
void ensure_page_size(Database& db);

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
