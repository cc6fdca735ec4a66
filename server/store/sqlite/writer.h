#pragma once
// The single writer: group commit over one read-write connection.
//
// Callers submit a request and block until it is done. The writer thread takes every queued
// request (up to max_batch), applies them in ONE transaction (each checked on its own:
// AlreadyExists / NotFound / Conflict fail only that request), commits, publishes the events
// to the WatchHub, and only then completes the callers. So throughput costs one commit (one
// fsync with synchronous=FULL) per batch, not per object; a returned write is durable and
// already in the event window. A failed commit fails the whole batch with Unavailable.
//
// The idle fast path: a caller that finds the writer idle (nothing queued, no batch in
// progress) applies its own request as a batch of one on its own thread instead of waking the
// writer thread and waiting to be woken in turn. Those two wake-ups were most of a lone
// write's cost on a small VM (store_bench, one writer: 5,200 -> 7,300 creates/s). Requests
// arriving meanwhile queue up; the caller wakes the writer thread for them when it is done.
// Under load the writer thread keeps running from batch to batch as before: passing the lead
// from caller to caller instead left a wake-up between consecutive batches and cost 14% of
// the API's creates/s with 16 clients. One batch at a time (`applying_`) serializes every use
// of the connection and the statements.
//
// Volatile updates (Op::UpdateVolatile) go through the same queue, so they take their revision
// and reach watchers in order with every other write, but they change only the
// VolatileOverlay: a batch of nothing else opens no transaction and writes no byte. Their
// revisions are covered by a reservation persisted in the meta row: when a volatile write
// needs a revision beyond it, the batch writes a new one `reservation_block` ahead (one small
// write per that many revisions), so a revision handed out is never reused after a crash.
// Every read of an object's current state (CAS, the event's previous object) sees the overlay
// first. On destruction the overlay is flushed into the database and the reservation is
// released, so a clean restart continues with the same objects and revision.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/store/revision.h"
#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/live_objects.h"
#include "server/store/sqlite/schema.h"
#include "server/store/sqlite/volatile_overlay.h"
#include "server/store/store.h"
#include "server/store/watch_hub.h"

namespace skiff::store::sqlite {

// What the writer hands back to the waiting caller. Errors travel as plain data and are thrown
// afresh on the caller's thread: no exception object is shared between threads.
struct WriteOutcome {
  // Thrown: what a Mutate request's mutation threw, handed on as it is (one caller gets it).
  enum class Failure { None, Store, InvalidArgument, Thrown };
  ObjectPtr result;
  Failure failure = Failure::None;
  StoreError::Code code = StoreError::Code::Unavailable;
  std::string message;
  std::exception_ptr thrown{};
};

struct WriteRequest {
  // Mutate: an update whose new object is `mutate` applied to the current one
  // (Store::mutate_async).
  enum class Op { Create, Update, UpdateVolatile, Remove, Mutate };
  Op op;
  std::string key;
  Json object;                // Create/Update: the new object (stamped by the writer)
  int64_t expected_revision;  // Update/Remove: 0 = unconditional
  // A waiting caller's answer (submit); made only for it: a promise allocates its shared
  // state, once per create for the asynchronous requests that never use it.
  std::optional<std::promise<WriteOutcome>> done;
  WriteDone on_done;  // set: an asynchronous request, completed through this instead of `done`
  std::string stored_json{};  // Create/Update/Mutate: the text stored (on_done gets it)
  Mutation mutate{};
  // Create/Update/UpdateVolatile: the object's text, written on the caller's thread (the
  // writer's is the one all writes wait for) and given its revision by the writer.
  std::optional<PreparedText> prepared{};
};

class Writer {
 public:
  // `db` is the read-write connection with the schema in place; `persisted` its meta row;
  // `overlay` starts empty at max(persisted.revision, persisted.reserved). `transaction_gate`
  // is held for each batch (the Checkpointer pauses the writer with it).
  Writer(Database db, WatchHub& hub, VolatileOverlay& overlay, LiveObjects& live,
         PersistedRevisions persisted, size_t max_batch, int64_t reservation_block,
         std::mutex& transaction_gate);
  // Finishes every queued request, joins the thread, then flushes the overlay (a failure to do
  // so is logged: the volatile values are lost as after a crash, the revisions stay reserved).
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Blocks until committed (applying it on the calling thread when the writer is idle);
  // rethrows the request's StoreError.
  ObjectPtr submit(WriteRequest::Op op, const std::string& key, Json object,
                   int64_t expected_revision);
  // Queues the request and returns at once; `done` gets the outcome on the writer thread once
  // the batch is committed and published (on this thread, at once, when the store is closed).
  // Never applied on the calling thread: an asynchronous caller (an HTTP I/O thread) must not
  // wait for a commit.
  void submit_async(WriteRequest::Op op, const std::string& key, Json object,
                    int64_t expected_revision, WriteDone done);
  // An Op::Mutate request, queued as submit_async queues: `mutate` runs on the thread that
  // applies the batch.
  void submit_mutation_async(const std::string& key, Mutation mutate, WriteDone done);
  // The revision of the last completed write (durable or volatile).
  int64_t committed_revision() const { return committed_.load(); }
  // Requests waiting for the next batch (not the one being applied): lets tests line writes
  // up behind a commit without guessing with sleeps.
  size_t queued_requests() const;

 private:
  struct Batch;
  // An object's latest state as the batch sees it: its own changes, the overlay, the database.
  struct Current {
    ObjectPtr object;
    int64_t revision;
    bool is_volatile;  // a durable write of the key must drop it from the overlay
  };

  void run();
  // Queues an asynchronous request (or fails it at once when the store is closed).
  void enqueue_async(WriteRequest request);
  // Hands the outcome to the request's waiting caller or its callback.
  static void complete(WriteRequest& request, WriteOutcome outcome);
  // A failed outcome as the exception its caller gets (made afresh for each caller).
  static std::exception_ptr error_of(const WriteOutcome& outcome);
  StoreError closed_error() const;
  // Applies the requests; returns their outcomes in order (the caller completes them).
  std::vector<WriteOutcome> apply_batch(std::vector<WriteRequest>& batch);
  // Applies one request; advances the batch's revision on success. Opens the transaction
  // when the request writes to the database.
  ObjectPtr apply(WriteRequest& request, Batch& batch);
  // On the caller's thread: the text of a Create's or Update's object (prepare_text).
  static std::optional<PreparedText> prepare(WriteRequest::Op op, Json& object);
  std::optional<Current> current_state(const std::string& key, const Batch& batch);
  void begin_transaction(Batch& batch);
  void flush_overlay();

  Database db_;
  WatchHub& hub_;
  VolatileOverlay& overlay_;
  LiveObjects& live_;
  const size_t max_batch_;
  const int64_t reservation_block_;
  std::mutex& transaction_gate_;
  std::atomic<int64_t> committed_;
  int64_t reserved_;  // the persisted reservation (whoever applies a batch, then the destructor)
  Statement begin_, commit_, rollback_, select_, insert_, update_, delete_, set_meta_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WriteRequest> queue_;
  bool applying_ = false;  // a batch is in progress (on the writer thread or a caller's)
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace skiff::store::sqlite
