#include "server/store/sqlite/connection.h"

#include <chrono>
#include <thread>
#include <utility>

namespace skiff::store::sqlite {

void throw_sqlite_error(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  std::string message = "sqlite database " + path + ": " + std::string(what) + ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw StoreError(StoreError::Code::Unavailable, std::move(message));
}

Statement::Statement(sqlite3* db, const std::string& path, std::string_view sql)
    : db_(db), path_(&path) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db, rc, path, "prepare \"" + std::string(sql) + "\"");
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      path_(std::exchange(other.path_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    path_ = std::exchange(other.path_, nullptr);
  }
  return *this;
}

void Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, *path_, "bind");
}

void Statement::bind_text(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, *path_, "bind");
}

void Statement::bind_blob(int index, std::string_view value) {
  int rc = sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, *path_, "bind");
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, rc, *path_, std::string("step \"") + sqlite3_sql(stmt_) + "\"");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() noexcept {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string_view Statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text == nullptr ? std::string_view{}
                         : std::string_view(text, sqlite3_column_bytes(stmt_, index));
}

std::string_view Statement::column_blob(int index) const {
  const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  return blob == nullptr ? std::string_view{}
                         : std::string_view(blob, sqlite3_column_bytes(stmt_, index));
}

Database::Database(std::string path, int flags, const char* vfs)
    : path_(std::make_unique<std::string>(std::move(path))) {
  int rc = sqlite3_open_v2(path_->c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(StoreError::Code::Unavailable,
                     "cannot open sqlite database " + *path_ + ": " + reason);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void Database::set_busy_timeout(int timeout_ms) {
  // The timeout travels in the context pointer itself: nothing to keep alive across moves.
  sqlite3_busy_handler(
      db_,
      [](void* context, int attempts) -> int {
        constexpr auto kPoll = std::chrono::microseconds(200);
        const auto limit_ms = reinterpret_cast<intptr_t>(context);
        if (int64_t{attempts} * kPoll.count() >= int64_t{limit_ms} * 1000) return 0;
        std::this_thread::sleep_for(kPoll);
        return 1;
      },
      reinterpret_cast<void*>(static_cast<intptr_t>(timeout_ms)));
}

void Database::exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string reason = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw StoreError(StoreError::Code::Unavailable,
                     "sqlite database " + *path_ + ": \"" + sql + "\": " + reason);
  }
}

std::string Database::query_text(const std::string& sql) {
  Statement statement = prepare(sql);
  ResetOnExit reset(statement);
  if (!statement.step()) return {};
  return std::string(statement.column_text(0));
}

}  // namespace skiff::store::sqlite
