#include "server/store/sqlite/schema.h"

namespace skiff::store::sqlite {

void ensure_schema(Database& db) {
  const int version = std::stoi(db.query_text("PRAGMA user_version"));
  if (version > kSchemaVersion) {
    throw StoreError(StoreError::Code::Unavailable,
                     "sqlite database " + db.path() + " has schema version " +
                         std::to_string(version) + ", newer than this skiff understands (" +
                         std::to_string(kSchemaVersion) + ")");
  }
  // Version 1 files have a meta table without `reserved`; new files get it at creation.
  const std::string upgrade =
      version == 1 ? "ALTER TABLE meta ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;" : "";
  db.exec(
      "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS objects ("
      "  key TEXT PRIMARY KEY,"
      "  revision INTEGER NOT NULL,"
      "  create_revision INTEGER NOT NULL,"
      "  value BLOB NOT NULL"
      ") WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS meta ("
      "  id INTEGER PRIMARY KEY CHECK (id = 0),"
      "  revision INTEGER NOT NULL,"
      "  reserved INTEGER NOT NULL DEFAULT 0"
      ");" +
      upgrade +
      "INSERT OR IGNORE INTO meta (id, revision) VALUES (0, 0);"
      "PRAGMA user_version = " +
      std::to_string(kSchemaVersion) +
      ";"
      "COMMIT;");
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
  return Json::parse(stored.begin(), stored.end());
}

}  // namespace skiff::store::sqlite
