// The SQLite store opens files written by earlier skiff versions (schema versions 1 and 2,
// other page sizes) keeping every object and revision, and refuses a newer one.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "server/store/sqlite/sqlite_store.h"
#include "tests/unit/support/sqlite_store_fixture.h"
#include "tests/unit/support/store_helpers.h"

namespace skiff::store {
namespace {

namespace fs = std::filesystem;
using test_support::object_named;
using test_support::revision_of;
using test_support::SqliteStoreTest;

TEST_F(SqliteStoreTest, OpensAVersion1FileAndKeepsItsRevision) {
  fs::create_directories(fs::path(path()).parent_path());
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    const char* v1 =
        "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;"
        "CREATE TABLE objects (key TEXT PRIMARY KEY, revision INTEGER NOT NULL,"
        "  create_revision INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 0), revision INTEGER NOT NULL);"
        "INSERT INTO meta (id, revision) VALUES (0, 7);"
        "INSERT INTO objects VALUES ('/registry/old', 7, 7,"
        "  '{\"metadata\":{\"name\":\"old\",\"resourceVersion\":\"7\"}}');"
        "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  {
    auto store = open_sqlite_store(options());
    EXPECT_EQ(store->current_revision(), 7);
    ASSERT_NE(store->get("/registry/old"), nullptr);
    EXPECT_EQ(revision_of(store->update_volatile("/registry/old", object_named("new"), 7)), 8);
  }
  auto store = open_sqlite_store(options());
  EXPECT_EQ(store->current_revision(), 8);
  EXPECT_EQ(store->get("/registry/old")->at("metadata").at("name"), "new");
}

std::string pragma_of(const std::string& path, const std::string& pragma) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_exec(
        db, ("PRAGMA " + pragma).c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) = values[0] ? values[0] : "";
          return 0;
        },
        &value, nullptr);
  }
  sqlite3_close(db);
  return value;
}

// A version 2 file (objects in a WITHOUT ROWID table, 16 KiB pages, WAL mode) is converted
// when opened: every object, its revision and the meta row survive,
// lists still come back in key order, and the file ends up with the current layout.
TEST_F(SqliteStoreTest, ConvertsAVersion2FileKeepingEveryObjectAndRevision) {
  fs::create_directories(fs::path(path()).parent_path());
  sqlite3* old = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &old), SQLITE_OK);
  std::string v2 =
      "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;"
      "CREATE TABLE objects (key TEXT PRIMARY KEY, revision INTEGER NOT NULL,"
      "  create_revision INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 0), revision INTEGER NOT NULL,"
      "  reserved INTEGER NOT NULL DEFAULT 0);"
      "INSERT INTO meta (id, revision, reserved) VALUES (0, 30, 0);";
  for (int i = 30; i >= 1; --i) {  // inserted out of key order
    const std::string n = std::to_string(i);
    v2 += "INSERT INTO objects VALUES ('/registry/c/" + std::string(i < 10 ? "0" : "") + n + "', " +
          n + ", 1, '{\"metadata\":{\"name\":\"c" + n + "\",\"resourceVersion\":\"" + n + "\"}}');";
  }
  v2 += "PRAGMA user_version = 2;";
  ASSERT_EQ(sqlite3_exec(old, v2.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(old);
  sqlite3_close(old);
  {
    auto store = open_sqlite_store(options());
    EXPECT_EQ(store->current_revision(), 30);
    auto listed = store->list({"/registry/c/", "", 0, nullptr});
    ASSERT_EQ(listed.items.size(), 30u);
    EXPECT_EQ(listed.items.front()->at("metadata").at("name"), "c1");
    EXPECT_EQ(listed.items.back()->at("metadata").at("name"), "c30");
    EXPECT_EQ(revision_of(store->get("/registry/c/17")), 17);
    EXPECT_THROW(store->create("/registry/c/17", object_named("again")), StoreError)
        << "a duplicate key must be refused";
  }
  EXPECT_EQ(pragma_of(path(), "user_version"), "3");
  EXPECT_EQ(pragma_of(path(), "page_size"), "4096");
  EXPECT_EQ(pragma_of(path(), "journal_mode"), "wal");
  auto store = open_sqlite_store(options());
  EXPECT_EQ(revision_of(store->update("/registry/c/05", object_named("five"), 5)), 31);
  EXPECT_EQ(store->list({"/registry/c/", "", 0, nullptr}).items.size(), 30u);
}

// The page size is only speed: when the file cannot be rebuilt (here another connection
// is reading it; on a Pi, a full SD card), the server opens it with its old page size, and the
// next open converts it.
TEST_F(SqliteStoreTest, OpensAFileItCannotRebuildWithItsOldPageSize) {
  fs::create_directories(fs::path(path()).parent_path());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other,
                         "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;"
                         "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
                         "BEGIN; SELECT * FROM t;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(other);
  {
    auto store = open_sqlite_store(options());
    EXPECT_NE(store->create("/registry/c/kept", object_named("kept")), nullptr);
  }
  EXPECT_EQ(pragma_of(path(), "page_size"), "16384");
  sqlite3_exec(other, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  auto store = open_sqlite_store(options());
  EXPECT_NE(store->get("/registry/c/kept"), nullptr);
  EXPECT_EQ(pragma_of(path(), "page_size"), "4096");
}

// A file written by a newer skiff is refused with a message saying so, and left as it was.
TEST_F(SqliteStoreTest, RefusesAFileFromANewerSkiff) {
  fs::create_directories(fs::path(path()).parent_path());
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99;", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    open_sqlite_store(options());
    ADD_FAILURE() << "a version 99 file was opened";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("schema version 99, newer than this skiff"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(pragma_of(path(), "user_version"), "99");
}

}  // namespace
}  // namespace skiff::store
