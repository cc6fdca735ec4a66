#include "server/store/sqlite/writer.h"

#include "server/store/revision.h"
#include "server/store/sqlite/schema.h"

namespace skiff::store::sqlite {

Writer::Writer(Database db, WatchHub& hub, int64_t revision, size_t max_batch,
               std::mutex& transaction_gate)
    : db_(std::move(db)),
      hub_(hub),
      max_batch_(std::max<size_t>(max_batch, 1)),
      transaction_gate_(transaction_gate),
      committed_(revision),
      begin_(db_.prepare("BEGIN IMMEDIATE")),
      commit_(db_.prepare("COMMIT")),
      rollback_(db_.prepare("ROLLBACK")),
      select_(db_.prepare("SELECT revision, value FROM objects WHERE key = ?1")),
      insert_(db_.prepare("INSERT INTO objects (key, revision, create_revision, value) "
                          "VALUES (?1, ?2, ?2, ?3) ON CONFLICT (key) DO NOTHING")),
      update_(db_.prepare("UPDATE objects SET revision = ?2, value = ?3 WHERE key = ?1")),
      delete_(db_.prepare("DELETE FROM objects WHERE key = ?1")),
      set_revision_(db_.prepare("UPDATE meta SET revision = ?1 WHERE id = 0")),
      thread_([this] { run(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

ObjectPtr Writer::submit(WriteRequest::Op op, const std::string& key, Json object,
                         int64_t expected_revision) {
  std::future<WriteOutcome> done;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      throw StoreError(StoreError::Code::Unavailable, "sqlite store " + db_.path() + " is closed");
    }
    queue_.push_back(WriteRequest{op, key, std::move(object), expected_revision, {}});
    done = queue_.back().done.get_future();
  }
  wake_.notify_one();
  WriteOutcome outcome = done.get();
  switch (outcome.failure) {
    case WriteOutcome::Failure::None:
      return std::move(outcome.result);
    case WriteOutcome::Failure::Store:
      throw StoreError(outcome.code, std::move(outcome.message));
    case WriteOutcome::Failure::InvalidArgument:
      throw std::invalid_argument(outcome.message);
  }
  throw StoreError(StoreError::Code::Unavailable, "unreachable write outcome");
}

void Writer::run() {
  std::vector<WriteRequest> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    apply_batch(batch);
    batch.clear();
  }
}

void Writer::apply_batch(std::vector<WriteRequest>& batch) {
  std::vector<WriteOutcome> outcomes(batch.size());
  std::vector<EventPtr> events;
  int64_t revision = committed_.load();
  std::unique_lock gate(transaction_gate_);
  try {
    begin_.run();
    begin_.reset();
    for (size_t i = 0; i < batch.size(); ++i) {
      try {
        outcomes[i].result = apply(batch[i], revision, events);
      } catch (const StoreError& error) {
        if (error.code() == StoreError::Code::Unavailable) throw;
        // This request only; nothing of it was written.
        outcomes[i] = {nullptr, WriteOutcome::Failure::Store, error.code(), error.what()};
      } catch (const std::invalid_argument& error) {
        outcomes[i] = {nullptr, WriteOutcome::Failure::InvalidArgument,
                       StoreError::Code::Unavailable, error.what()};
      } catch (const Json::exception& error) {  // e.g. invalid UTF-8 refused by dump()
        outcomes[i] = {nullptr, WriteOutcome::Failure::InvalidArgument,
                       StoreError::Code::Unavailable,
                       "key " + batch[i].key + ": cannot serialize object: " + error.what()};
      }
    }
    if (revision != committed_.load()) {
      ResetOnExit reset(set_revision_);
      set_revision_.bind(1, revision);
      set_revision_.run();
    }
    commit_.run();
    commit_.reset();
  } catch (const std::exception& error) {
    // The transaction is lost as a whole: undo it and fail every request of the batch.
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
    for (auto& request : batch) {
      request.done.set_value(
          {nullptr, WriteOutcome::Failure::Store, StoreError::Code::Unavailable, message});
    }
    return;
  }
  gate.unlock();
  committed_.store(revision);
  hub_.publish(events);
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(outcomes[i]));
}

ObjectPtr Writer::apply(WriteRequest& request, int64_t& revision, std::vector<EventPtr>& events) {
  const std::string& key = request.key;
  const int64_t next = revision + 1;
  if (request.op == WriteRequest::Op::Create) {
    stamp_revision(request.object, next);
    const std::string value = request.object.dump();
    ResetOnExit reset(insert_);
    insert_.bind_text(1, key);
    insert_.bind(2, next);
    insert_.bind_blob(3, value);
    insert_.run();
    if (db_.changes() == 0) throw already_exists_error(key);
    auto stored = std::make_shared<const Json>(std::move(request.object));
    events.push_back(
        std::make_shared<const Event>(Event{EventType::Added, key, next, stored, nullptr}));
    revision = next;
    return stored;
  }

  ObjectPtr previous;
  {
    ResetOnExit reset(select_);
    select_.bind_text(1, key);
    if (!select_.step()) throw not_found_error(key);
    const int64_t stored_revision = select_.column_int(0);
    if (request.expected_revision != 0 && request.expected_revision != stored_revision) {
      throw conflict_error(key, request.expected_revision, stored_revision);
    }
    previous = std::make_shared<const Json>(parse_value(select_.column_blob(1)));
  }

  if (request.op == WriteRequest::Op::Update) {
    stamp_revision(request.object, next);
    const std::string value = request.object.dump();
    ResetOnExit reset(update_);
    update_.bind_text(1, key);
    update_.bind(2, next);
    update_.bind_blob(3, value);
    update_.run();
    auto stored = std::make_shared<const Json>(std::move(request.object));
    events.push_back(
        std::make_shared<const Event>(Event{EventType::Modified, key, next, stored, previous}));
    revision = next;
    return stored;
  }

  Json last = *previous;
  stamp_revision(last, next);
  ResetOnExit reset(delete_);
  delete_.bind_text(1, key);
  delete_.run();
  auto stored = std::make_shared<const Json>(std::move(last));
  events.push_back(
      std::make_shared<const Event>(Event{EventType::Deleted, key, next, stored, previous}));
  revision = next;
  return stored;
}

}  // namespace skiff::store::sqlite
