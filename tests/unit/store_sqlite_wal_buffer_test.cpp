// The writer connection's WAL write buffer (server/store/sqlite/wal_write_buffer.h): a commit
// reaches the WAL file in one write, yet every other connection sees each commit as soon as
// it returns, and the file is a valid database afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <string>

#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/wal_write_buffer.h"
#include "server/store/store.h"
#include "tests/unit/support/temp_dir.h"

namespace skiff::store::sqlite {
namespace {

constexpr int kFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

Database open_in_wal_mode(const std::string& path, const char* vfs) {
  Database db(path, kFlags, vfs);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  return db;
}

void insert_rows(Database& db, int first, int count, size_t bytes) {
  Statement insert = db.prepare("INSERT INTO t (id, value) VALUES (?1, ?2)");
  const std::string value(bytes, 'v');
  for (int id = first; id < first + count; ++id) {
    insert.bind(1, id);
    insert.bind_text(2, value);
    insert.run();
    insert.reset();
  }
}

int64_t count_rows(Database& db) {
  return std::stoll(db.query_text("SELECT count(*) FROM t"));
}

TEST(WalWriteBuffer, ACommitOfManyPagesIsOneWriteToTheWalPer124KiB) {
  skiff::test_support::TempDir dir("wal-buffer");
  WalWriteBuffer buffer;
  {
    Database db = open_in_wal_mode((dir.path() / "db").string(), buffer.vfs_name());
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)");
    const auto before = buffer.counters();
    db.exec("BEGIN");
    insert_rows(db, 0, 100, 1000);  // about 26 pages: SQLite asks for two writes per page
    db.exec("COMMIT");
    auto after = buffer.counters();
    EXPECT_GE(after.requested_writes - before.requested_writes, 50);
    EXPECT_EQ(after.file_writes - before.file_writes, 1);
    // 500 KB of rows: pieces of 124 KiB (the most the unix VFS writes in one call).
    db.exec("BEGIN");
    insert_rows(db, 100, 500, 1000);
    db.exec("COMMIT");
    const auto big = buffer.counters();
    EXPECT_GE(big.requested_writes - after.requested_writes, 250);
    EXPECT_GE(big.file_writes - after.file_writes, 4);
    EXPECT_LE(big.file_writes - after.file_writes, 5);
  }
  Database check((dir.path() / "db").string(), kFlags);
  EXPECT_EQ(count_rows(check), 600);
  EXPECT_EQ(check.query_text("PRAGMA integrity_check"), "ok");
}

TEST(WalWriteBuffer, OtherConnectionsSeeEachCommitAsSoonAsItReturns) {
  skiff::test_support::TempDir dir("wal-buffer");
  const std::string path = (dir.path() / "db").string();
  WalWriteBuffer buffer;
  Database writer = open_in_wal_mode(path, buffer.vfs_name());
  writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)");
  Database reader(path, kFlags);
  Database checkpointer(path, kFlags);
  int rows = 0;
  for (int round = 0; round < 300; ++round) {
    // Transactions of 1 to 7 rows of 100 B to 3 KB: commits that end mid-page and on new
    // pages, and a checkpoint now and then, so the WAL restarts from its beginning too.
    const int count = 1 + round % 7;
    writer.exec("BEGIN");
    insert_rows(writer, rows, count, 100 + (round * 397) % 3000);
    writer.exec("COMMIT");
    rows += count;
    ASSERT_EQ(count_rows(reader), rows) << "after commit " << round;
    if (round % 50 == 49) checkpointer.exec("PRAGMA wal_checkpoint(RESTART)");
  }
  EXPECT_EQ(reader.query_text("PRAGMA integrity_check"), "ok");
  EXPECT_LT(buffer.counters().file_writes, buffer.counters().requested_writes / 2);
}

TEST(WalWriteBuffer, ABigTransactionSpillsAndReadsBackItsOwnPages) {
  skiff::test_support::TempDir dir("wal-buffer");
  const std::string path = (dir.path() / "db").string();
  WalWriteBuffer buffer;
  {
    Database db = open_in_wal_mode(path, buffer.vfs_name());
    // A tiny cache makes SQLite spill uncommitted pages to the WAL mid-transaction and read
    // them back from there: the reads must see the buffered writes.
    db.exec("PRAGMA cache_size = 10");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)");
    db.exec("BEGIN");
    insert_rows(db, 0, 3000, 2000);
    EXPECT_EQ(count_rows(db), 3000);
    db.exec("UPDATE t SET value = 'short' WHERE id % 3 = 0");
    db.exec("COMMIT");
  }
  Database check(path, kFlags);
  EXPECT_EQ(count_rows(check), 3000);
  EXPECT_EQ(check.query_text("SELECT count(*) FROM t WHERE value = 'short'"), "1000");
  EXPECT_EQ(check.query_text("PRAGMA integrity_check"), "ok");
}

// While set, this process may not grow a file past `bytes` (writes beyond fail with EFBIG,
// as on a full disk, instead of raising SIGXFSZ).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t previous_handler_ = SIG_DFL;
};

TEST(WalWriteBuffer, AFailedWriteFailsTheCommitAndKeepsEveryCommittedRow) {
  skiff::test_support::TempDir dir("wal-buffer");
  const std::string path = (dir.path() / "db").string();
  WalWriteBuffer buffer;
  int committed = 0;
  {
    Database db = open_in_wal_mode(path, buffer.vfs_name());
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)");
    FileSizeLimit limit(256 * 1024);
    bool failed = false;
    for (int round = 0; round < 1000 && !failed; ++round) {
      try {
        db.exec("BEGIN");
        insert_rows(db, committed, 10, 1000);
        db.exec("COMMIT");
        committed += 10;
      } catch (const StoreError& error) {
        failed = true;
        EXPECT_EQ(error.code(), StoreError::Code::Unavailable);
        if (sqlite3_get_autocommit(db.get()) == 0) db.exec("ROLLBACK");
      }
    }
    EXPECT_TRUE(failed) << "the WAL never hit the size limit";
    EXPECT_GT(committed, 0);
  }
  Database check(path, kFlags);
  EXPECT_EQ(count_rows(check), committed);
  EXPECT_EQ(check.query_text("PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace skiff::store::sqlite
