#pragma once
// The single writer: group commit over one read-write connection.
//
// Callers submit a request and block until it is done. The writer thread takes every queued
// request (up to max_batch), applies them in ONE transaction (each checked on its own:
// AlreadyExists / NotFound / Conflict fail only that request), commits, publishes the events
// to the WatchHub, and only then completes the callers. So throughput costs one commit (one
// fsync with synchronous=FULL) per batch, not per object; a returned write is durable and
// already in the event window. A failed commit fails the whole batch with Unavailable.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/store/sqlite/connection.h"
#include "server/store/store.h"
#include "server/store/watch_hub.h"

namespace skiff::store::sqlite {

// What the writer hands back to the waiting caller. Errors travel as plain data and are thrown
// afresh on the caller's thread: no exception object is shared between threads.
struct WriteOutcome {
  enum class Failure { None, Store, InvalidArgument };
  ObjectPtr result;
  Failure failure = Failure::None;
  StoreError::Code code = StoreError::Code::Unavailable;
  std::string message;
};

struct WriteRequest {
  enum class Op { Create, Update, Remove };
  Op op;
  std::string key;
  Json object;                // Create/Update: the new object (stamped by the writer)
  int64_t expected_revision;  // Update/Remove: 0 = unconditional
  std::promise<WriteOutcome> done;
};

class Writer {
 public:
  // `db` is the read-write connection with the schema in place; `revision` its persisted one.
  // `transaction_gate` is held for each transaction (the Checkpointer pauses the writer with
  // it).
  Writer(Database db, WatchHub& hub, int64_t revision, size_t max_batch,
         std::mutex& transaction_gate);
  // Finishes every queued request, then joins the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Blocks until committed; rethrows the request's StoreError.
  ObjectPtr submit(WriteRequest::Op op, const std::string& key, Json object,
                   int64_t expected_revision);
  // The revision of the last committed write.
  int64_t committed_revision() const { return committed_.load(); }

 private:
  void run();
  void apply_batch(std::vector<WriteRequest>& batch);
  // Applies one request inside the open transaction; advances `revision` on success.
  ObjectPtr apply(WriteRequest& request, int64_t& revision, std::vector<EventPtr>& events);

  Database db_;
  WatchHub& hub_;
  const size_t max_batch_;
  std::mutex& transaction_gate_;
  std::atomic<int64_t> committed_;
  Statement begin_, commit_, rollback_, select_, insert_, update_, delete_, set_revision_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WriteRequest> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace skiff::store::sqlite
