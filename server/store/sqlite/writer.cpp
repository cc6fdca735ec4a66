#include "server/store/sqlite/writer.h"

#include <string_view>
#include <unordered_map>

#include "pkg/api/json_text.h"
#include "pkg/log/log.h"
#include "pkg/util/handoff_batch.h"
#include "pkg/util/thread_name.h"
#include "server/store/revision.h"
#include "server/store/sqlite/schema.h"

namespace skiff::store::sqlite {

namespace {
// What a Mutate request's mutation threw, carried past the store's own error handling to
// that request's outcome.
struct MutationRefused {
  std::exception_ptr error;
};
}  // namespace

// The state of one batch while it is applied; nothing of it is visible until it completes.
struct Writer::Batch {
  int64_t revision;             // of the last write applied so far
  int64_t reserved;             // the reservation as it will be persisted by this batch
  bool in_transaction = false;  // a durable write (or a reservation) opened one
  std::vector<EventPtr> events{};
  // Each key's newest event of this batch (the views point into `events`, which keeps them).
  std::unordered_map<std::string_view, EventPtr> newest{};
  OverlayChanges overlay{};

  void add(Event event) {
    auto stored = std::make_shared<const Event>(std::move(event));
    newest.insert_or_assign(stored->key, stored);
    events.push_back(std::move(stored));
  }
};

Writer::Writer(Database db, WatchHub& hub, VolatileOverlay& overlay, LiveObjects& live,
               PersistedRevisions persisted, size_t max_batch, int64_t reservation_block,
               std::mutex& transaction_gate)
    : db_(std::move(db)),
      hub_(hub),
      overlay_(overlay),
      live_(live),
      max_batch_(std::max<size_t>(max_batch, 1)),
      reservation_block_(std::max<int64_t>(reservation_block, 1)),
      transaction_gate_(transaction_gate),
      committed_(std::max(persisted.revision, persisted.reserved)),
      reserved_(persisted.reserved),
      begin_(db_.prepare("BEGIN IMMEDIATE")),
      commit_(db_.prepare("COMMIT")),
      rollback_(db_.prepare("ROLLBACK")),
      select_(db_.prepare("SELECT revision, value FROM objects WHERE key = ?1")),
      insert_(db_.prepare("INSERT INTO objects (key, revision, create_revision, value) "
                          "VALUES (?1, ?2, ?2, ?3) ON CONFLICT (key) DO NOTHING")),
      update_(db_.prepare("UPDATE objects SET revision = ?2, value = ?3 WHERE key = ?1")),
      delete_(db_.prepare("DELETE FROM objects WHERE key = ?1")),
      set_meta_(db_.prepare("UPDATE meta SET revision = ?1, reserved = ?2 WHERE id = 0")),
      thread_([this] {
        util::name_this_thread("store-writer");
        run();
      }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();  // it drains the queue and waits for a caller's batch in progress
  flush_overlay();
}

void Writer::flush_overlay() {
  const int64_t revision = committed_.load();
  const auto entries = overlay_.entries();
  // Nothing to do when the database already holds everything (the usual case without volatile
  // writes): a clean close then writes nothing either.
  if (entries.empty() && overlay_.durable_revision() == revision && reserved_ <= revision) return;
  try {
    begin_.run();
    begin_.reset();
    for (const auto& [key, entry] : entries) {
      const std::string value = api::json_text(*entry.object);
      ResetOnExit reset(update_);
      update_.bind_text(1, key);
      update_.bind(2, entry.revision);
      update_.bind_blob(3, value);
      update_.run();
    }
    // Every revision handed out is now in the database: the reservation is released, and the
    // next open continues right after `revision`.
    {
      ResetOnExit reset(set_meta_);
      set_meta_.bind(1, revision);
      set_meta_.bind(2, revision);
      set_meta_.run();
    }
    commit_.run();
    commit_.reset();
  } catch (const std::exception& error) {
    commit_.reset();
    if (!sqlite3_get_autocommit(db_.get())) {
      try {
        rollback_.run();
      } catch (...) {
      }
      rollback_.reset();
    }
    log::warn(
        "sqlite store: volatile values not saved on close; they revert to their last "
        "durable state",
        {{"path", db_.path()}, {"objects", entries.size()}, {"error", error.what()}});
  }
}

std::exception_ptr Writer::error_of(const WriteOutcome& outcome) {
  if (outcome.failure == WriteOutcome::Failure::Thrown) return outcome.thrown;
  if (outcome.failure == WriteOutcome::Failure::InvalidArgument)
    return std::make_exception_ptr(std::invalid_argument(outcome.message));
  return std::make_exception_ptr(StoreError(outcome.code, outcome.message));
}

StoreError Writer::closed_error() const {
  return StoreError(StoreError::Code::Unavailable, "sqlite store " + db_.path() + " is closed");
}

ObjectPtr Writer::submit(WriteRequest::Op op, const std::string& key, Json object,
                         int64_t expected_revision) {
  std::future<WriteOutcome> done;
  std::vector<WriteRequest> own_batch;
  std::optional<PreparedText> prepared = prepare(op, object);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      throw closed_error();
    }
    if (!applying_ && queue_.empty()) {
      applying_ = true;  // the idle fast path: this thread applies its own request
      own_batch.push_back(WriteRequest{op, key, std::move(object), expected_revision, {}, {}});
      own_batch.back().prepared = std::move(prepared);
    } else {
      queue_.push_back(WriteRequest{op, key, std::move(object), expected_revision, {}, {}});
      queue_.back().prepared = std::move(prepared);
      done = queue_.back().done.emplace().get_future();
      // A batch in progress is followed by a look at the queue (the writer thread's loop, or
      // the caller's end of its batch), so only an idle writer thread needs waking. Under the
      // lock: the writer cannot finish the request (and a closing store go away) before this
      // call returns.
      if (!applying_) wake_.notify_one();
    }
  }
  WriteOutcome outcome;
  if (!own_batch.empty()) {
    // Ends the batch however it ends (a batch left "in progress" would stall every later
    // write), and hands what queued up meanwhile to the writer thread.
    struct EndBatchOnExit {
      Writer& writer;
      ~EndBatchOnExit() {
        // Notified under the lock: once it is released a closing store may be destroyed.
        std::lock_guard lock(writer.mutex_);
        writer.applying_ = false;
        if (!writer.queue_.empty() || writer.stopping_) writer.wake_.notify_one();
      }
    } end_batch_on_exit{*this};
    outcome = std::move(apply_batch(own_batch).front());
  } else {
    outcome = done.get();
  }
  if (outcome.failure != WriteOutcome::Failure::None) std::rethrow_exception(error_of(outcome));
  return std::move(outcome.result);
}

void Writer::submit_async(WriteRequest::Op op, const std::string& key, Json object,
                          int64_t expected_revision, WriteDone done) {
  std::optional<PreparedText> prepared = prepare(op, object);
  WriteRequest request{op, key, std::move(object), expected_revision, {}, std::move(done)};
  request.prepared = std::move(prepared);
  enqueue_async(std::move(request));
}

void Writer::submit_mutation_async(const std::string& key, Mutation mutate, WriteDone done) {
  WriteRequest request{WriteRequest::Op::Mutate, key, Json(), 0, {}, std::move(done)};
  request.mutate = std::move(mutate);
  enqueue_async(std::move(request));
}

void Writer::enqueue_async(WriteRequest request) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(request));
      if (!applying_) wake_.notify_one();  // as in submit(): a busy writer looks again
      return;
    }
  }
  request.on_done(WriteResult{nullptr, std::make_exception_ptr(closed_error())});
}

void Writer::complete(WriteRequest& request, WriteOutcome outcome) {
  if (!request.on_done) {
    if (request.done) request.done->set_value(std::move(outcome));
    return;
  }
  WriteResult result;
  if (outcome.failure == WriteOutcome::Failure::None) {
    result.object = std::move(outcome.result);
    result.object_json = std::move(request.stored_json);
  } else {
    result.error = error_of(outcome);
  }
  try {
    request.on_done(std::move(result));
  } catch (const std::exception& error) {
    // The callback's own failure: nothing to hand it to, and the writer must go on.
    log::error("write completion failed", {{"key", request.key}, {"error", error.what()}});
  }
}

size_t Writer::queued_requests() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void Writer::run() {
  std::vector<WriteRequest> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !applying_ && (stopping_ || !queue_.empty()); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      applying_ = true;
    }
    std::vector<WriteOutcome> outcomes = apply_batch(batch);
    {
      std::lock_guard lock(mutex_);
      applying_ = false;
    }
    {
      // The answers reach their I/O threads once per thread, not once per request.
      util::HandoffBatch handoffs;
      for (size_t i = 0; i < batch.size(); ++i) complete(batch[i], std::move(outcomes[i]));
    }
    batch.clear();
  }
}

void Writer::begin_transaction(Batch& batch) {
  if (batch.in_transaction) return;
  begin_.run();
  begin_.reset();
  batch.in_transaction = true;
}

std::vector<WriteOutcome> Writer::apply_batch(std::vector<WriteRequest>& batch_requests) {
  std::vector<WriteOutcome> outcomes(batch_requests.size());
  const int64_t start_revision = committed_.load();
  Batch batch{.revision = start_revision, .reserved = reserved_};
  int64_t durable_revision = overlay_.durable_revision();
  std::unique_lock gate(transaction_gate_);
  try {
    for (size_t i = 0; i < batch_requests.size(); ++i) {
      try {
        outcomes[i].result = apply(batch_requests[i], batch);
      } catch (const MutationRefused& refused) {
        outcomes[i].failure = WriteOutcome::Failure::Thrown;
        outcomes[i].thrown = refused.error;
      } catch (const StoreError& error) {
        if (error.code() == StoreError::Code::Unavailable) throw;
        // This request only; nothing of it was written.
        outcomes[i] = {nullptr, WriteOutcome::Failure::Store, error.code(), error.what()};
      } catch (const std::invalid_argument& error) {
        outcomes[i] = {nullptr, WriteOutcome::Failure::InvalidArgument,
                       StoreError::Code::Unavailable, error.what()};
      } catch (const Json::exception& error) {  // e.g. invalid UTF-8 refused by dump()
        outcomes[i] = {
            nullptr, WriteOutcome::Failure::InvalidArgument, StoreError::Code::Unavailable,
            "key " + batch_requests[i].key + ": cannot serialize object: " + error.what()};
      }
    }
    if (batch.in_transaction) {
      if (batch.revision != start_revision || batch.reserved != reserved_) {
        ResetOnExit reset(set_meta_);
        set_meta_.bind(1, batch.revision);
        set_meta_.bind(2, batch.reserved);
        set_meta_.run();
        durable_revision = batch.revision;
      }
      commit_.run();
      commit_.reset();
    }
  } catch (const std::exception& error) {
    // The batch is lost as a whole: undo it and fail every request of the batch.
    const std::string message = error.what();
    commit_.reset();
    if (!sqlite3_get_autocommit(db_.get())) {
      try {
        rollback_.run();
      } catch (...) {
      }
      rollback_.reset();
    }
    gate.unlock();
    for (auto& outcome : outcomes)
      outcome = {nullptr, WriteOutcome::Failure::Store, StoreError::Code::Unavailable, message};
    return outcomes;
  }
  gate.unlock();
  reserved_ = batch.reserved;
  overlay_.publish(std::move(batch.overlay), durable_revision, batch.revision);
  committed_.store(batch.revision);
  std::vector<EventPtr> left_window;
  hub_.publish(batch.events, &left_window);
  live_.record(left_window);  // the keys the window stopped answering for
  return outcomes;
}

std::optional<Writer::Current> Writer::current_state(const std::string& key, const Batch& batch) {
  if (auto staged = batch.overlay.find(key); staged != batch.overlay.end()) {
    if (staged->second) return Current{staged->second->object, staged->second->revision, true};
    // else: a durable write of this batch replaced the volatile value; the database has it.
  } else if (auto entry = overlay_.find(key)) {
    return Current{entry->object, entry->revision, true};
  }
  // A key written lately is known without reading the database: this batch's own changes
  // first, then the watch window (this thread publishes every commit before the next batch).
  EventPtr newest;
  if (auto staged = batch.newest.find(key); staged != batch.newest.end()) {
    newest = staged->second;
  } else {
    newest = hub_.newest_in_window(key, committed_.load());
  }
  if (newest) {
    if (newest->type == EventType::Deleted) return std::nullopt;
    return Current{newest->object, newest->revision, false};
  }
  // Older, but still held by someone (an informer): no database read either.
  if (auto live = live_.find(key)) return Current{std::move(live->object), live->revision, false};
  ResetOnExit reset(select_);
  select_.bind_text(1, key);
  if (!select_.step()) return std::nullopt;
  return Current{std::make_shared<const Json>(parse_value(select_.column_blob(1))),
                 select_.column_int(0), false};
}

std::optional<PreparedText> Writer::prepare(WriteRequest::Op op, Json& object) {
  if (op != WriteRequest::Op::Create && op != WriteRequest::Op::Update &&
      op != WriteRequest::Op::UpdateVolatile) {
    return std::nullopt;
  }
  return prepare_text(object);
}

namespace {

// The text stored for `request`'s object, stamped with `revision`: the caller's prepared text,
// or written here. A prepared text is used once (a batch that fails is applied again).
std::string stored_text(WriteRequest& request, int64_t revision) {
  if (!request.prepared) return api::json_text(request.object);
  PreparedText prepared = std::move(*request.prepared);
  request.prepared.reset();
  return stamped_text(std::move(prepared), revision);
}

}  // namespace

ObjectPtr Writer::apply(WriteRequest& request, Batch& batch) {
  const std::string& key = request.key;
  const int64_t next = batch.revision + 1;
  if (request.op == WriteRequest::Op::Create) {
    stamp_revision(request.object, next);
    // Kept in the request: an asynchronous caller gets the text along with the object.
    std::string& value = request.stored_json;
    value = stored_text(request, next);
    begin_transaction(batch);
    ResetOnExit reset(insert_);
    insert_.bind_text(1, key);
    insert_.bind(2, next);
    insert_.bind_blob(3, value);
    insert_.run();
    if (db_.changes() == 0) throw already_exists_error(key);
    auto stored = std::make_shared<const Json>(std::move(request.object));
    batch.add(Event{EventType::Added, key, next, stored, nullptr});
    batch.revision = next;
    return stored;
  }

  const auto current = current_state(key, batch);
  if (!current) throw not_found_error(key);
  if (request.expected_revision != 0 && request.expected_revision != current->revision) {
    throw conflict_error(key, request.expected_revision, current->revision);
  }
  const ObjectPtr& previous = current->object;
  if (request.op == WriteRequest::Op::Mutate) {
    try {
      request.object = request.mutate(*previous);
    } catch (...) {
      throw MutationRefused{std::current_exception()};  // before anything of it was written
    }
  }

  if (request.op == WriteRequest::Op::UpdateVolatile) {
    stamp_revision(request.object, next);
    // Refuse what the flush on close could not write (bad UTF-8); a prepared text was written.
    if (!request.prepared) api::json_text(request.object);
    request.prepared.reset();
    if (next > batch.reserved) {
      // The only database write a volatile update can cause: once per reservation_block_.
      begin_transaction(batch);
      batch.reserved = next + reservation_block_;
    }
    auto stored = std::make_shared<const Json>(std::move(request.object));
    batch.overlay[key] = VolatileEntry{stored, next};
    batch.add(Event{EventType::Modified, key, next, stored, previous});
    batch.revision = next;
    return stored;
  }

  begin_transaction(batch);
  if (request.op == WriteRequest::Op::Update || request.op == WriteRequest::Op::Mutate) {
    stamp_revision(request.object, next);
    std::string& value = request.stored_json;
    value = stored_text(request, next);
    ResetOnExit reset(update_);
    update_.bind_text(1, key);
    update_.bind(2, next);
    update_.bind_blob(3, value);
    update_.run();
    auto stored = std::make_shared<const Json>(std::move(request.object));
    if (current->is_volatile) batch.overlay[key] = std::nullopt;
    batch.add(Event{EventType::Modified, key, next, stored, previous});
    batch.revision = next;
    return stored;
  }

  Json last = *previous;
  stamp_revision(last, next);
  ResetOnExit reset(delete_);
  delete_.bind_text(1, key);
  delete_.run();
  auto stored = std::make_shared<const Json>(std::move(last));
  if (current->is_volatile) batch.overlay[key] = std::nullopt;
  batch.add(Event{EventType::Deleted, key, next, stored, previous});
  batch.revision = next;
  return stored;
}

}  // namespace skiff::store::sqlite
