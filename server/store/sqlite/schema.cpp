#include "server/store/sqlite/schema.h"

#include "pkg/api/json_read.h"
#include "pkg/log/log.h"

namespace skiff::store::sqlite {

namespace {

constexpr const char* kObjectsTable =
    "CREATE TABLE objects ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL,"
    "  revision INTEGER NOT NULL,"
    "  create_revision INTEGER NOT NULL,"
    "  value BLOB NOT NULL"
    ");"
    "CREATE UNIQUE INDEX objects_by_key ON objects (key);";

bool has_table(Database& db, const std::string& name) {
  return db.query_text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                       name + "'") != "0";
}

}  // namespace

void ensure_schema(Database& db) {
  const int version = std::stoi(db.query_text("PRAGMA user_version"));
  if (version > kSchemaVersion) {
    throw StoreError(StoreError::Code::Unavailable,
                     "sqlite database " + db.path() + " has schema version " +
                         std::to_string(version) + ", newer than this skiff understands (" +
                         std::to_string(kSchemaVersion) + ")");
  }
  if (version == kSchemaVersion) return;
  // One transaction: a crash leaves the file as it was, and the next open tries again.
  std::string steps = "BEGIN IMMEDIATE;";
  if (has_table(db, "objects")) {
    // Versions 1 and 2 kept the objects in a WITHOUT ROWID table: copied over in key order.
    steps += "ALTER TABLE objects RENAME TO objects_v2;" + std::string(kObjectsTable) +
             "INSERT INTO objects (key, revision, create_revision, value)"
             "  SELECT key, revision, create_revision, value FROM objects_v2 ORDER BY key;"
             "DROP TABLE objects_v2;";
  } else {
    steps += kObjectsTable;
  }
  // Version 1 files have a meta table without `reserved`.
  if (version == 1) steps += "ALTER TABLE meta ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;";
  steps +=
      "CREATE TABLE IF NOT EXISTS meta ("
      "  id INTEGER PRIMARY KEY CHECK (id = 0),"
      "  revision INTEGER NOT NULL,"
      "  reserved INTEGER NOT NULL DEFAULT 0"
      ");"
      "INSERT OR IGNORE INTO meta (id, revision) VALUES (0, 0);"
      "PRAGMA user_version = " +
      std::to_string(kSchemaVersion) + ";COMMIT;";
  db.exec(steps);
}

void ensure_page_size(Database& db) {
  if (std::stoi(db.query_text("PRAGMA page_size")) == kPageSize) return;
  // The page size of a WAL file cannot change; VACUUM rebuilds the file with the new size in
  // rollback-journal mode (atomic: a failure or a crash leaves the old file). It needs room for
  // a second copy of the file and the file to itself. The page size is only a matter of speed,
  // so when that fails (a full SD card, another process reading the file) the server starts
  // with the old one and tries again at the next start.
  std::string failure;
  try {
    // Leaving WAL mode needs the file to itself; SQLite answers the old mode when it cannot.
    const std::string mode = db.query_text("PRAGMA journal_mode = DELETE");
    if (mode == "delete") {
      db.exec("PRAGMA page_size = " + std::to_string(kPageSize));
      db.exec("VACUUM");
      return;
    }
    failure = "another connection has the file open (journal mode stays " + mode + ")";
  } catch (const StoreError& error) {
    failure = error.what();
  }
  log::warn("kept the database's old page size: rebuilding the file failed",
            {{"path", db.path()}, {"error", failure}});
}

PersistedRevisions read_revisions(Database& db) {
  Statement statement = db.prepare("SELECT revision, reserved FROM meta WHERE id = 0");
  ResetOnExit reset(statement);
  PersistedRevisions revisions;
  if (statement.step()) {
    revisions.revision = statement.column_int(0);
    revisions.reserved = statement.column_int(1);
  }
  return revisions;
}

Json parse_value(std::string_view stored) {
  return api::read_json_text(stored);
}

}  // namespace skiff::store::sqlite
