#pragma once
// Move-only RAII handles for sqlite3* and sqlite3_stmt*. Every failure throws
// StoreError{Unavailable} naming the database file and the SQLite message.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/store/store.h"

namespace skiff::store::sqlite {

[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, const std::string& path,
                                     std::string_view what);

class Statement {
 public:
  Statement() = default;
  // Prepares `sql` once for repeated use (SQLITE_PREPARE_PERSISTENT).
  Statement(sqlite3* db, const std::string& path, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL. Text and blobs are NOT copied (SQLITE_STATIC): the
  // caller keeps the data alive until the statement is reset.
  void bind(int index, int64_t value);
  void bind_text(int index, std::string_view value);
  void bind_blob(int index, std::string_view value);

  // true: a row is ready; false: done. Throws on error.
  bool step();
  // Runs to completion, ignoring rows.
  void run();
  // Ends the current execution (releasing its read snapshot) and clears bindings.
  void reset() noexcept;

  int64_t column_int(int index) const;
  std::string_view column_text(int index) const;
  std::string_view column_blob(int index) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  const std::string* path_ = nullptr;
};

// Resets a statement when the scope ends, also on exceptions, so no statement keeps a read
// transaction (and with it an old WAL snapshot) open.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

class Database {
 public:
  // Opens `path` with sqlite3_open_v2 `flags` (SQLITE_OPEN_NOMUTEX is added: each connection
  // is used by one thread at a time), through the VFS named `vfs` (SQLite's default when null).
  // Throws StoreError{Unavailable} with the path on failure.
  Database(std::string path, int flags, const char* vfs = nullptr);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* get() const { return db_; }
  // When a lock is held elsewhere, retry every ~200us for up to `timeout_ms` instead of
  // SQLite's default back-off, whose sleeps grow to 100 ms (a stall for the writer when a
  // checkpoint waits for one short read to finish).
  void set_busy_timeout(int timeout_ms);
  const std::string& path() const { return *path_; }

  // Executes one or more statements that return no rows of interest.
  void exec(const std::string& sql);
  // A PRAGMA (or any query) returning one text value.
  std::string query_text(const std::string& sql);
  Statement prepare(std::string_view sql) const { return Statement(db_, *path_, sql); }
  int64_t changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3* db_ = nullptr;
  // Heap-held so its address stays valid for statements across moves of the Database.
  std::unique_ptr<std::string> path_;
};

}  // namespace skiff::store::sqlite
