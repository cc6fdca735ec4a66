// The SQLite writer's group commit: a write that finds the writer idle is committed on its
// caller's thread; writes that arrive while a batch is being committed share the next
// transaction; every caller gets its own outcome; closing waits for the writes in flight.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <exception>
#include <filesystem>
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

// Records which threads committed, and holds the first commit back so that the other callers
// queue up behind it (what a slow fsync does under load).
struct CommitLog {
  std::mutex mutex;
  std::vector<std::thread::id> committers;
  std::chrono::milliseconds first_commit_delay{0};

  static int on_commit(void* self_arg) {
    auto& self = *static_cast<CommitLog*>(self_arg);
    bool first = false;
    {
      std::lock_guard lock(self.mutex);
      first = self.committers.empty();
      self.committers.push_back(std::this_thread::get_id());
    }
    if (first) std::this_thread::sleep_for(self.first_commit_delay);
    return 0;  // 0 lets the commit go ahead
  }
};

class SqliteWriterTest : public testing::Test {
 protected:
  std::unique_ptr<Writer> open_writer(CommitLog& log) {
    Database db((dir_ / "state.db").string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    ensure_schema(db);
    const PersistedRevisions persisted = read_revisions(db);
    sqlite3_commit_hook(db.get(), &CommitLog::on_commit, &log);
    return std::make_unique<Writer>(std::move(db), hub_, overlay_, persisted, 256, 1000, gate_);
  }

  skiff::test_support::TempDir temp_{"skiff-writer-test"};
  const fs::path dir_ = temp_.path();
  WatchHub hub_;
  VolatileOverlay overlay_{0, 0};  // a new file: nothing durable yet
  std::mutex gate_;
};

Json object_named(const std::string& name) {
  return Json{{"metadata", {{"name", name}}}};
}

TEST_F(SqliteWriterTest, AnIdleWriterCommitsOnTheCallersThreadAndQueuedWritesShareOneCommit) {
  CommitLog log;
  log.first_commit_delay = 300ms;
  auto writer = open_writer(log);

  constexpr int kCallers = 8;
  std::barrier ready(kCallers);
  std::mutex callers_mutex;
  std::set<std::thread::id> callers;
  std::vector<int64_t> revisions(kCallers, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      {
        std::lock_guard lock(callers_mutex);
        callers.insert(std::this_thread::get_id());
      }
      ready.arrive_and_wait();
      // The first caller leads at once; the others arrive while its commit is held back.
      if (i != 0) std::this_thread::sleep_for(50ms);
      const std::string key = "/registry/configmaps/default/c" + std::to_string(i);
      auto stored = writer->submit(WriteRequest::Op::Create, key, object_named(key), 0);
      revisions[i] = std::stoll(stored->at("metadata").at("resourceVersion").get<std::string>());
    });
  }
  for (auto& thread : threads) thread.join();

  // Every write got its own revision, 1..kCallers.
  std::set<int64_t> distinct(revisions.begin(), revisions.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kCallers));
  EXPECT_EQ(*distinct.begin(), 1);
  EXPECT_EQ(*distinct.rbegin(), kCallers);
  EXPECT_EQ(writer->committed_revision(), kCallers);
  // One commit for the first write, one for the seven queued behind it: not one per write.
  ASSERT_EQ(log.committers.size(), 2u);
  // The first was committed by its caller (no hand-off to the writer thread and back), the
  // batch by the writer thread.
  EXPECT_EQ(callers.count(log.committers[0]), 1u);
  EXPECT_EQ(callers.count(log.committers[1]), 0u);
}

TEST_F(SqliteWriterTest, EachCallerOfABatchGetsItsOwnOutcome) {
  CommitLog log;
  auto writer = open_writer(log);
  writer->submit(WriteRequest::Op::Create, "/registry/configmaps/default/taken",
                 object_named("taken"), 0);
  log.committers.clear();  // hold back the next commit, so the two failures below share a batch
  log.first_commit_delay = 200ms;

  std::barrier ready(3);
  std::exception_ptr duplicate_error, missing_error;
  ObjectPtr created;
  const auto failure_of = [&](WriteRequest::Op op, const std::string& name) {
    std::this_thread::sleep_for(50ms);  // behind the leader's commit
    try {
      writer->submit(op, "/registry/configmaps/default/" + name, object_named(name), 0);
    } catch (...) {
      return std::current_exception();
    }
    return std::exception_ptr();
  };
  std::thread leader([&] {
    ready.arrive_and_wait();
    created = writer->submit(WriteRequest::Op::Create, "/registry/configmaps/default/fresh",
                             object_named("fresh"), 0);
  });
  std::thread duplicate([&] {
    ready.arrive_and_wait();
    duplicate_error = failure_of(WriteRequest::Op::Create, "taken");
  });
  std::thread missing([&] {
    ready.arrive_and_wait();
    missing_error = failure_of(WriteRequest::Op::Update, "absent");
  });
  leader.join();
  duplicate.join();
  missing.join();

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
  log.first_commit_delay = 200ms;
  auto writer = open_writer(log);
  Writer* const shared_writer = writer.get();
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      const std::string key = "/registry/configmaps/default/c" + std::to_string(i);
      shared_writer->submit(WriteRequest::Op::Create, key, object_named(key), 0);
      ++done;
    });
  }
  std::this_thread::sleep_for(50ms);  // all four are queued or leading by now
  // The destructor must not return (and free the connection) under a leader still at work.
  std::thread closer([&] { writer.reset(); });
  for (auto& thread : threads) thread.join();
  closer.join();
  EXPECT_EQ(done.load(), 4);
  // Every acknowledged write is in the file.
  Database db((dir_ / "state.db").string(), SQLITE_OPEN_READONLY);
  EXPECT_EQ(db.query_text("SELECT count(*) FROM objects"), "4");
}

}  // namespace
}  // namespace skiff::store::sqlite
