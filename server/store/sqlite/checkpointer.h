#pragma once
// Keeps the WAL small without making the writer pay for it on every few hundred writes.
//
// SQLite's built-in auto-checkpoint runs inside the committing write: the writer would stop
// for a checkpoint's two fsyncs every few hundred writes. Instead the writer's WAL hook reports
// the WAL size here, and:
//  - at `threshold_pages` (more than at the last pass) this thread runs a PASSIVE checkpoint
//    on its own connection, concurrent with the writer and readers;
//  - SQLite starts the WAL over from its beginning (overwriting the file, no new blocks) only
//    when a write transaction begins with every frame copied, which a writer that keeps
//    committing never does. So after a pass that copied everything, the writer's next commit
//    runs a RESTART checkpoint: it copies the few frames committed since the pass (a short
//    stall: two small syncs) and waits out readers of old frames, and the next write starts
//    the WAL over. Not a TRUNCATE: freeing the file's blocks under the writer, then
//    allocating them again, was the p99 of a lone client's creates (about 10 ms every 8 MiB
//    of WAL);
//  - once nothing has been committed for `kIdleBeforeShrink` after a pass, this thread
//    TRUNCATEs the WAL, so the file shrinks when the load pauses;
//  - continuous writes (and readers pinning old snapshots) can keep a passive pass from ever
//    catching up, and SQLite recycles the WAL only after a complete checkpoint. So at
//    `limit_pages` the writer itself, right after its commit, waits for a running pass and
//    runs a TRUNCATE checkpoint: one stall per `limit_pages` of WAL at most.
// So the -wal file is bounded by about `limit_pages` plus one batch under any churn (kine's
// unbounded WAL growth is the failure this avoids).
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "server/store/sqlite/connection.h"

namespace skiff::store::sqlite {

class Checkpointer {
 public:
  // Opens its own read-write connection to `path` (which must exist, in WAL mode). The writer
  // holds `transaction_gate` from BEGIN to COMMIT of each transaction (an in-process lock, so
  // the writer never sleeps in SQLite's busy handler behind a checkpoint).
  Checkpointer(const std::string& path, int threshold_pages, int limit_pages, bool full_sync,
               std::mutex& transaction_gate);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Installs the WAL hook on the writer connection `db`, which must be closed before this
  // object is destroyed.
  void watch(sqlite3* db);

 private:
  static constexpr std::chrono::seconds kIdleBeforeShrink{1};

  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();
  // A PASSIVE pass (copies what no reader still needs, concurrent with the writer); asks for
  // a RESTART when it copied everything. Returns the WAL's size in frames (-1 on failure).
  int checkpoint();
  // A TRUNCATE checkpoint, if the writer is between transactions; true when it ran.
  bool truncate_if_writer_paused();

  Database db_;
  const int threshold_pages_;
  const int limit_pages_;
  std::mutex& transaction_gate_;
  // Held while any checkpoint runs: SQLite fails (rather than waits for) a checkpoint that
  // finds another one running.
  std::mutex checkpoint_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int wal_pages_ = 0;     // the WAL size the writer last reported
  int pass_due_at_;       // the WAL size at which the next pass is due
  int last_pass_at_ = 0;  // the WAL size the last pass found (a smaller one: the WAL restarted)
  std::chrono::steady_clock::time_point last_commit_;
  bool stopping_ = false;
  std::atomic<bool> restart_wanted_{false};  // set by a complete pass, done by the writer
  std::thread thread_;
};

}  // namespace skiff::store::sqlite
