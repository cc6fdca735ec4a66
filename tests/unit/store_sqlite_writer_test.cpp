// The SQLite writer's group commit: a write that finds the writer idle is committed on its
// caller's thread; writes that arrive while a batch is being committed share the next
// transaction; every caller gets its own outcome; closing waits for the writes in flight.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "server/store/sqlite/schema.h"
#include "server/store/sqlite/writer.h"
#include "tests/unit/support/temp_dir.h"

namespace skiff::store::sqlite {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Records which threads committed, and can hold the first commit back until the test has
// lined up the other callers behind it (what a slow fsync does under load). The test decides
// when the queue is full by looking at it, never by sleeping: a loaded CI machine may take any
// time to start a thread.
struct CommitLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::thread::id> committers;
  bool hold_first_commit = false;
  bool first_commit_held = false;
  bool released = false;

  static int on_commit(void* self_arg) {
    auto& self = *static_cast<CommitLog*>(self_arg);
    std::unique_lock lock(self.mutex);
    const bool first = self.committers.empty();
    self.committers.push_back(std::this_thread::get_id());
    if (first && self.hold_first_commit) {
      self.first_commit_held = true;
      self.changed.notify_all();
      self.changed.wait(lock, [&] { return self.released; });
    }
    return 0;  // 0 lets the commit go ahead
  }
  void hold_next_commit() {
    std::lock_guard lock(mutex);
    committers.clear();
    hold_first_commit = true;
    first_commit_held = released = false;
  }
  // Waits until the held commit has started; false after a (generous) deadline.
  bool wait_for_held_commit() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return first_commit_held; });
  }
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    changed.notify_all();
  }
  std::vector<std::thread::id> commits() {
    std::lock_guard lock(mutex);
    return committers;
  }
};

// Waits until `count` requests are queued behind the batch in progress.
bool wait_for_queued(const Writer& writer, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (writer.queued_requests() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class SqliteWriterTest : public testing::Test {
 protected:
  std::unique_ptr<Writer> open_writer(CommitLog& log) {
    Database db((dir_ / "state.db").string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    ensure_schema(db);
    const PersistedRevisions persisted = read_revisions(db);
    sqlite3_commit_hook(db.get(), &CommitLog::on_commit, &log);
    return std::make_unique<Writer>(std::move(db), hub_, overlay_, live_, persisted, 256, 1000,
                                    gate_);
  }

  skiff::test_support::TempDir temp_{"skiff-writer-test"};
  const fs::path dir_ = temp_.path();
  WatchHub hub_;
  VolatileOverlay overlay_{0, 0};  // a new file: nothing durable yet
  LiveObjects live_;
  std::mutex gate_;
};

Json object_named(const std::string& name) {
  return Json{{"metadata", {{"name", name}}}};
}

std::string configmap_key(const std::string& name) {
  return "/registry/configmaps/default/" + name;
}

TEST_F(SqliteWriterTest, AnIdleWriterCommitsOnTheCallersThreadAndQueuedWritesShareOneCommit) {
  CommitLog log;
  log.hold_next_commit();
  auto writer = open_writer(log);

  constexpr int kCallers = 8;
  std::mutex callers_mutex;
  std::set<std::thread::id> callers;
  std::vector<int64_t> revisions(kCallers, 0);
  std::vector<std::thread> threads;
  const auto start_caller = [&](int i) {
    threads.emplace_back([&, i] {
      {
        std::lock_guard lock(callers_mutex);
        callers.insert(std::this_thread::get_id());
      }
      const std::string key = configmap_key("c" + std::to_string(i));
      auto stored = writer->submit(WriteRequest::Op::Create, key, object_named(key), 0);
      revisions[i] = std::stoll(stored->at("metadata").at("resourceVersion").get<std::string>());
    });
  };
  // The first caller finds the writer idle; the others arrive while its commit is held back.
  start_caller(0);
  ASSERT_TRUE(log.wait_for_held_commit());
  for (int i = 1; i < kCallers; ++i) start_caller(i);
  const bool lined_up = wait_for_queued(*writer, kCallers - 1);
  log.release();
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(lined_up);

  // Every write got its own revision, 1..kCallers.
  std::set<int64_t> distinct(revisions.begin(), revisions.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kCallers));
  EXPECT_EQ(*distinct.begin(), 1);
  EXPECT_EQ(*distinct.rbegin(), kCallers);
  EXPECT_EQ(writer->committed_revision(), kCallers);
  // One commit for the first write, one for the seven queued behind it: not one per write.
  const auto commits = log.commits();
  ASSERT_EQ(commits.size(), 2u);
  // The first was committed by its caller (no hand-off to the writer thread and back), the
  // batch by the writer thread.
  EXPECT_EQ(callers.count(commits[0]), 1u);
  EXPECT_EQ(callers.count(commits[1]), 0u);
}

TEST_F(SqliteWriterTest, EachCallerOfABatchGetsItsOwnOutcome) {
  CommitLog log;
  auto writer = open_writer(log);
  writer->submit(WriteRequest::Op::Create, configmap_key("taken"), object_named("taken"), 0);
  log.hold_next_commit();  // the two failures below queue behind it and share a batch

  std::exception_ptr duplicate_error, missing_error;
  ObjectPtr created;
  const auto failure_of = [&](WriteRequest::Op op, const std::string& name) {
    try {
      writer->submit(op, configmap_key(name), object_named(name), 0);
    } catch (...) {
      return std::current_exception();
    }
    return std::exception_ptr();
  };
  std::thread leader([&] {
    created =
        writer->submit(WriteRequest::Op::Create, configmap_key("fresh"), object_named("fresh"), 0);
  });
  ASSERT_TRUE(log.wait_for_held_commit());
  std::thread duplicate([&] { duplicate_error = failure_of(WriteRequest::Op::Create, "taken"); });
  std::thread missing([&] { missing_error = failure_of(WriteRequest::Op::Update, "absent"); });
  const bool lined_up = wait_for_queued(*writer, 2);
  log.release();
  leader.join();
  duplicate.join();
  missing.join();
  ASSERT_TRUE(lined_up);

  ASSERT_NE(created, nullptr);
  const auto code_of = [](const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const StoreError& store_error) {
      return store_error.code();
    } catch (...) {
      ADD_FAILURE() << "not a StoreError";
    }
    return StoreError::Code::Unavailable;
  };
  ASSERT_NE(duplicate_error, nullptr);
  EXPECT_EQ(code_of(duplicate_error), StoreError::Code::AlreadyExists);
  ASSERT_NE(missing_error, nullptr);
  EXPECT_EQ(code_of(missing_error), StoreError::Code::NotFound);
  EXPECT_EQ(writer->committed_revision(), 2);
}

TEST_F(SqliteWriterTest, ClosingWaitsForTheWritesInFlight) {
  CommitLog log;
  log.hold_next_commit();
  auto writer = open_writer(log);
  Writer* const shared_writer = writer.get();
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  const auto start_write = [&](int i) {
    threads.emplace_back([&, i] {
      const std::string key = configmap_key("c" + std::to_string(i));
      shared_writer->submit(WriteRequest::Op::Create, key, object_named(key), 0);
      ++done;
    });
  };
  start_write(0);
  ASSERT_TRUE(log.wait_for_held_commit());
  for (int i = 1; i < 4; ++i) start_write(i);
  const bool lined_up = wait_for_queued(*writer, 3);
  // The destructor must not return (and free the connection) under a caller's batch still at
  // work, nor drop the queued writes. Released only once the closer is waiting.
  std::thread closer([&] { writer.reset(); });
  std::this_thread::sleep_for(20ms);  // lets the closer reach the destructor (not required)
  log.release();
  for (auto& thread : threads) thread.join();
  closer.join();
  ASSERT_TRUE(lined_up);
  EXPECT_EQ(done.load(), 4);
  // Every acknowledged write is in the file.
  Database db((dir_ / "state.db").string(), SQLITE_OPEN_READONLY);
  EXPECT_EQ(db.query_text("SELECT count(*) FROM objects"), "4");
}

// An asynchronous write never runs on its caller's thread, even when the writer is idle: the
// caller (an HTTP I/O thread) must not wait for a commit. Its outcome arrives on the writer
// thread, errors as the exceptions the synchronous call would throw.
TEST_F(SqliteWriterTest, AsyncWritesCompleteOnTheWriterThreadWithTheirOutcome) {
  CommitLog log;
  auto writer = open_writer(log);
  std::promise<std::pair<std::thread::id, WriteResult>> created, duplicate;
  const auto record = [](std::promise<std::pair<std::thread::id, WriteResult>>& into) {
    return [&into](WriteResult result) {
      into.set_value({std::this_thread::get_id(), std::move(result)});
    };
  };
  writer->submit_async(WriteRequest::Op::Create, configmap_key("a"), object_named("a"), 0,
                       record(created));
  auto [created_on, created_result] = created.get_future().get();
  EXPECT_NE(created_on, std::this_thread::get_id());
  ASSERT_NE(created_result.object, nullptr);
  EXPECT_EQ(created_result.object->at("metadata").at("resourceVersion"), "1");
  EXPECT_EQ(created_result.error, nullptr);

  writer->submit_async(WriteRequest::Op::Create, configmap_key("a"), object_named("a"), 0,
                       record(duplicate));
  auto [duplicate_on, duplicate_result] = duplicate.get_future().get();
  EXPECT_EQ(duplicate_result.object, nullptr);
  ASSERT_NE(duplicate_result.error, nullptr);
  try {
    std::rethrow_exception(duplicate_result.error);
  } catch (const StoreError& error) {
    EXPECT_EQ(error.code(), StoreError::Code::AlreadyExists);
  }
  // The synchronous and asynchronous callers share the queue and the revisions.
  auto stored = writer->submit(WriteRequest::Op::Create, configmap_key("b"), object_named("b"), 0);
  EXPECT_EQ(stored->at("metadata").at("resourceVersion"), "2");
}

TEST_F(SqliteWriterTest, ClosingCompletesTheQueuedAsyncWrites) {
  CommitLog log;
  log.hold_next_commit();
  auto writer = open_writer(log);
  std::thread leader([&] {
    writer->submit(WriteRequest::Op::Create, configmap_key("first"), object_named("first"), 0);
  });
  ASSERT_TRUE(log.wait_for_held_commit());
  std::promise<WriteResult> queued;
  writer->submit_async(WriteRequest::Op::Create, configmap_key("queued"), object_named("queued"), 0,
                       [&](WriteResult result) { queued.set_value(std::move(result)); });
  std::thread closer([&] { writer.reset(); });
  std::this_thread::sleep_for(20ms);  // lets the closer reach the destructor (not required)
  log.release();
  leader.join();
  closer.join();
  EXPECT_NE(queued.get_future().get().object, nullptr);

  Database db((dir_ / "state.db").string(), SQLITE_OPEN_READONLY);
  EXPECT_EQ(db.query_text("SELECT count(*) FROM objects"), "2");
}

}  // namespace
}  // namespace skiff::store::sqlite
