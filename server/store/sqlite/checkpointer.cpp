#include "server/store/sqlite/checkpointer.h"

#include <algorithm>

#include "pkg/util/thread_name.h"
#include "server/store/sqlite/schema.h"

namespace skiff::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, int threshold_pages, int limit_pages,
                           bool full_sync, std::mutex& transaction_gate)
    : db_(path, SQLITE_OPEN_READWRITE),
      threshold_pages_(threshold_pages),
      limit_pages_(std::max(limit_pages, threshold_pages)),
      transaction_gate_(transaction_gate),
      pass_due_at_(threshold_pages) {
  db_.set_busy_timeout(kBusyTimeoutMs);  // TRUNCATE waits for readers to move on
  // A checkpoint syncs according to the synchronous setting of the connection running it.
  db_.exec(full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  thread_ = std::thread([this] {
    util::name_this_thread("store-checkpoint");
    run();
  });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::watch(sqlite3* db) {
  sqlite3_wal_hook(db, &Checkpointer::on_commit, this);
}

int Checkpointer::on_commit(void* self_arg, sqlite3* writer, const char* schema, int wal_pages) {
  auto* self = static_cast<Checkpointer*>(self_arg);
  if (wal_pages >= self->limit_pages_) {
    // Called after the commit released SQLite's locks (the writer still holds the in-process
    // gate, so the background thread cannot start a TRUNCATE of its own meanwhile).
    std::lock_guard checkpointing(self->checkpoint_mutex_);
    // Failure (SQLITE_BUSY: a reader outlasted the busy timeout) is retried after a later commit.
    sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (self->restart_wanted_.exchange(false)) {
    // A pass copied every frame up to a moment ago. Copying the few committed since (and
    // waiting out readers of old frames) lets the next write start the WAL over.
    std::lock_guard checkpointing(self->checkpoint_mutex_);
    sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  }
  bool due = false;
  {
    std::lock_guard lock(self->mutex_);
    if (wal_pages < self->last_pass_at_) {  // started over since the last pass
      self->last_pass_at_ = 0;
      self->pass_due_at_ = self->threshold_pages_;
    }
    self->wal_pages_ = wal_pages;
    self->last_commit_ = std::chrono::steady_clock::now();
    due = wal_pages >= self->pass_due_at_;
  }
  if (due) self->wake_.notify_one();
  return SQLITE_OK;
}

int Checkpointer::checkpoint() {
  int log_frames = 0;
  int copied_frames = 0;
  {
    std::lock_guard checkpointing(checkpoint_mutex_);
    const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &log_frames, &copied_frames);
    if (rc != SQLITE_OK) return -1;
  }
  if (copied_frames == log_frames) restart_wanted_ = true;
  return log_frames;
}

bool Checkpointer::truncate_if_writer_paused() {
  std::lock_guard checkpointing(checkpoint_mutex_);
  std::unique_lock writer_paused(transaction_gate_, std::try_to_lock);
  if (!writer_paused.owns_lock()) return false;
  // Failure (SQLITE_BUSY: a reader outlasted the busy timeout) is retried after the next pass.
  sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  return true;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  bool shrink_when_idle = false;  // a pass ran; the file keeps its size until the load pauses
  const auto pass_due = [&] { return stopping_ || wal_pages_ >= pass_due_at_; };
  for (;;) {
    if (shrink_when_idle) {
      wake_.wait_until(lock, last_commit_ + kIdleBeforeShrink, pass_due);
    } else {
      wake_.wait(lock, pass_due);
    }
    if (stopping_) return;
    if (wal_pages_ >= pass_due_at_) {
      const int reported = wal_pages_;
      lock.unlock();
      const int frames = std::max(checkpoint(), reported);
      lock.lock();
      // A pass that could not start the WAL over (or failed) is not repeated on every commit:
      // the next one is due when as much again has been written (and at `limit_pages` the
      // writer truncates).
      last_pass_at_ = frames;
      pass_due_at_ = frames + threshold_pages_;
      wal_pages_ = 0;  // handled; the next commit reports the size again
      shrink_when_idle = true;
    } else if (std::chrono::steady_clock::now() - last_commit_ >= kIdleBeforeShrink) {
      lock.unlock();
      shrink_when_idle = !truncate_if_writer_paused();
      lock.lock();
    }
  }
}

}  // namespace skiff::store::sqlite
