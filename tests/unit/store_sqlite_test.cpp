// SQLite specifics: persistence across reopen, file modes, clear open errors, bounded files
// under churn, durability of acknowledged writes when the process is killed, and volatile
// updates (no disk write; kept on a clean close; reverted, with monotonic revisions, by a crash).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "server/store/sqlite/sqlite_store.h"
#include "tests/unit/support/sqlite_store_fixture.h"
#include "tests/unit/support/store_helpers.h"

namespace skiff::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test_support::object_named;
using test_support::revision_of;
using test_support::SqliteStoreTest;

TEST_F(SqliteStoreTest, ReopenKeepsObjectsAndTheRevisionKeepsIncreasing) {
  int64_t last = 0;
  ObjectPtr kept;
  {
    auto store = open_sqlite_store(options());
    store->create("/registry/a", object_named("a"));
    store->create("/registry/b", object_named("b"));
    kept = store->update("/registry/a", object_named("a2"), 0);
    last = revision_of(store->remove("/registry/b", 0));
    EXPECT_EQ(last, 4);
  }
  auto store = open_sqlite_store(options());
  EXPECT_EQ(store->current_revision(), last);  // the delete's revision persisted too
  ASSERT_NE(store->get("/registry/a"), nullptr);
  EXPECT_EQ(*store->get("/registry/a"), *kept);
  EXPECT_EQ(store->get("/registry/b"), nullptr);
  EXPECT_EQ(store->list(ListOptions{}).revision, last);

  // The window starts empty: only "from now" (or later) can be watched.
  EXPECT_EQ(store->compacted_revision(), last);
  try {
    store->watch("/registry/", last - 1, [](auto&) { return true; });
    FAIL() << "expected Compacted";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.code(), StoreError::Code::Compacted);
  }
  std::vector<int64_t> seen;
  auto watch = store->watch("/registry/", last, [&](const std::vector<EventPtr>& events) {
    for (const auto& e : events) seen.push_back(e->revision);
    return true;
  });
  EXPECT_EQ(revision_of(store->create("/registry/c", object_named("c"))), last + 1);
  EXPECT_EQ(seen, std::vector<int64_t>{last + 1});
}

TEST_F(SqliteStoreTest, FullSynchronousModeStoresAndReopens) {
  {
    auto store = open_sqlite_store(options(SqliteStoreOptions::Synchronous::Full));
    store->create("/registry/a", object_named("a"));
  }
  auto store = open_sqlite_store(options(SqliteStoreOptions::Synchronous::Full));
  ASSERT_NE(store->get("/registry/a"), nullptr);
  EXPECT_EQ(store->current_revision(), 1);
}

TEST_F(SqliteStoreTest, CreatesPrivateDirectoriesAndFiles) {
  auto store = open_sqlite_store(options());
  store->create("/registry/secret", object_named("s"));
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "server").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir_ / "server" / "db").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    ASSERT_EQ(::stat((path() + suffix).c_str(), &info), 0) << suffix;
    EXPECT_EQ(info.st_mode & 0077, 0u) << path() + suffix << " is readable by others";
  }
}

TEST_F(SqliteStoreTest, OpenErrorsNameTheFile) {
  std::ofstream(dir_ / "not-a-dir") << "plain file";
  SqliteStoreOptions under_file;
  under_file.path = (dir_ / "not-a-dir" / "state.db").string();
  try {
    open_sqlite_store(under_file);
    FAIL() << "expected an error";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.code(), StoreError::Code::Unavailable);
    EXPECT_NE(std::string(error.what()).find(dir_.string() + "/not-a-dir"), std::string::npos)
        << error.what();
  }

  SqliteStoreOptions garbage;
  garbage.path = (dir_ / "garbage.db").string();
  std::ofstream(garbage.path) << std::string(8192, 'g');
  try {
    open_sqlite_store(garbage);
    FAIL() << "expected an error";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find(garbage.path), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("not a database"), std::string::npos) << error.what();
  }
}

TEST_F(SqliteStoreTest, FilesStaySmallUnderChurn) {
  SqliteStoreOptions opts = options();
  opts.wal_checkpoint_bytes = 256 * 1024;  // the WAL is bounded at ~4x this
  auto store = open_sqlite_store(opts);
  store->create("/registry/hot", object_named("hot", 1024));
  std::atomic<bool> done{false};
  std::atomic<int64_t> writes{0};
  std::atomic<uintmax_t> largest{0};
  // A reader that never pauses must not keep the WAL from being recycled; the monitor records
  // the largest size the files ever reach, not just the size at the end.
  std::thread reader([&] {
    while (!done.load()) store->list(ListOptions{});
  });
  std::thread monitor([&] {
    while (!done.load()) {
      largest = std::max(largest.load(), files_size());
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> writers;
  const auto deadline = std::chrono::steady_clock::now() + 4s;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      int i = 0;
      while (writes.load() < 100000 && std::chrono::steady_clock::now() < deadline) {
        store->update("/registry/hot", object_named("hot", 1024), 0);
        // Create/delete churn on other keys too: freed pages must be reused.
        std::string key = "/registry/tmp/" + std::to_string(t) + "-" + std::to_string(i++);
        store->create(key, object_named("tmp", 1024));
        store->remove(key, 0);
        writes += 3;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  monitor.join();
  // Even 1000 writes push well over 10 MiB through the WAL (every commit rewrites whole
  // 16 KiB pages): without recycling, the files would be far past the bound.
  EXPECT_GT(writes.load(), 1000);
  EXPECT_LT(largest.load(), 2u * 1024 * 1024) << "after " << writes.load() << " writes";
  std::cout << "churn: " << writes.load() << " writes, db+wal at most " << largest.load()
            << " bytes\n";
}

TEST_F(SqliteStoreTest, TheWalIsEmptiedOnceWritesPause) {
  SqliteStoreOptions opts = options();
  opts.wal_checkpoint_bytes = 256 * 1024;
  auto store = open_sqlite_store(opts);
  // A lone writer, as one client: the WAL goes through the checkpoint threshold many times
  // and starts over after the passes; the file keeps its size while writes go on.
  for (int i = 0; i < 3000; ++i) {
    store->create("/registry/k/" + std::to_string(i), object_named("k", 1024));
  }
  // The commit that reaches the WAL's bound truncates it itself (when the passes fall behind,
  // on a busy machine), so the last of the 3000 may leave it empty; the one after cannot.
  store->create("/registry/k/one-more", object_named("k", 1024));
  std::error_code ec;
  EXPECT_GT(fs::file_size(path() + "-wal", ec), 0u);
  // Once writes pause, the file is emptied, and everything is in the database file.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (fs::file_size(path() + "-wal", ec) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(fs::file_size(path() + "-wal", ec), 0u);
  EXPECT_EQ(store->get("/registry/k/2999")->at("metadata").at("name"), "k");
}

// Forks a writer, kills it with SIGKILL while it is writing, and checks every write it had
// acknowledged (reported on a pipe right after create() returned) is in the reopened file.
TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveKill9) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const SqliteStoreOptions opts = options(SqliteStoreOptions::Synchronous::Normal);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto store = open_sqlite_store(opts);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          std::string key = "/registry/k/" + std::to_string(t) + "-" + std::to_string(i);
          store->create(key, object_named(key, 256));
          std::string line = key + "\n";  // < PIPE_BUF: written atomically
          if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(1);
        }
      });
    }
    for (auto& w : writers) w.join();
    ::_exit(0);
  }
  ::close(fds[1]);
  std::set<std::string> acknowledged;
  std::string pending;
  char buffer[4096];
  bool killed = false;
  for (;;) {
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, n);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      acknowledged.insert(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
    if (!killed && acknowledged.size() >= 2000) {
      ::kill(child, SIGKILL);  // mid-stream: the writers are still going
      killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child did not die by the signal; status " << status;
  ASSERT_TRUE(killed);

  auto store = open_sqlite_store(opts);
  size_t missing = 0;
  for (const auto& key : acknowledged) {
    if (store->get(key) == nullptr) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged writes";
  ListOptions all;
  all.prefix = "/registry/k/";
  auto listed = store->list(all);
  EXPECT_GE(listed.items.size(), acknowledged.size());
  EXPECT_EQ(store->current_revision(), static_cast<int64_t>(listed.items.size()));
}

// --- volatile updates ---

Json bare_lease(const std::string& renew_time) {
  return Json{{"kind", "Lease"},
              {"metadata", {{"name", "n1"}}},
              {"spec", {{"holderIdentity", "n1"}, {"renewTime", renew_time}}}};
}
const std::string kLease = "/registry/coordination.k8s.io/leases/kube-node-lease/n1";

using test_support::renew_time_of;

// What a disk write would change: the size and mtime (ns) of the database and its WAL, and
// SQLite's data_version as seen from another connection (it moves with every commit made by
// any other connection).
class DiskWitness {
 public:
  explicit DiskWitness(const std::string& path) : path_(path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~DiskWitness() { sqlite3_close(db_); }

  struct State {
    int64_t data_version = 0;
    std::vector<std::pair<off_t, int64_t>> files;  // size, mtime in ns: db, -wal
    bool operator==(const State&) const = default;
  };
  State now() const {
    State state;
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &statement, nullptr);
    if (sqlite3_step(statement) == SQLITE_ROW)
      state.data_version = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    for (const char* suffix : {"", "-wal"}) {
      struct stat info {};
      if (::stat((path_ + suffix).c_str(), &info) != 0) {
        state.files.emplace_back(-1, -1);
        continue;
      }
      state.files.emplace_back(info.st_size,
                               int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec);
    }
    return state;
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

std::string describe(const DiskWitness::State& state) {
  std::string out = "data_version " + std::to_string(state.data_version);
  for (const auto& [size, mtime] : state.files)
    out += ", size " + std::to_string(size) + " mtime " + std::to_string(mtime);
  return out;
}

TEST_F(SqliteStoreTest, VolatileUpdatesWriteNothingToTheDatabaseOrWal) {
  auto store = open_sqlite_store(options());
  auto created = store->create(kLease, bare_lease("t0"));
  store->update_volatile(kLease, bare_lease("t1"),
                         0);  // takes the revision reservation (one write)
  DiskWitness witness(path());
  const auto before = witness.now();
  std::this_thread::sleep_for(20ms);  // so that a write would move the mtime visibly
  ObjectPtr last;
  for (int i = 2; i < 200; ++i) {
    last = store->update_volatile(kLease, bare_lease("t" + std::to_string(i)), 0);
    ListOptions all;
    all.prefix = "/registry/";
    store->list(all);  // reads write nothing either
  }
  EXPECT_EQ(renew_time_of(store->get(kLease)), "t199");
  const auto after = witness.now();
  EXPECT_EQ(after, before) << "before: " << describe(before) << "\nafter:  " << describe(after);

  // The witness can see a write: a durable one moves it.
  std::this_thread::sleep_for(20ms);
  store->update(kLease, bare_lease("durable"), revision_of(last));
  const auto written = witness.now();
  EXPECT_NE(written.data_version, before.data_version);
  EXPECT_NE(written.files, before.files);
}

// A key that left the watch window is read from the object the process still holds (an
// informer's cache, here the test's own pointer) instead of the database, and a deleted one is
// not brought back by an old pointer.
TEST_F(SqliteStoreTest, KeysOutOfTheWindowAreReadFromTheObjectsStillHeld) {
  auto small_window = options();
  small_window.event_window = 2;
  auto store = open_sqlite_store(small_window);
  ObjectPtr a = store->create("/registry/a", object_named("a"));
  ObjectPtr gone = store->create("/registry/gone", object_named("gone"));
  store->remove("/registry/gone", 0);
  store->create("/registry/b", object_named("b"));
  store->create("/registry/c", object_named("c"));
  EXPECT_EQ(store->get("/registry/a").get(), a.get());  // the very object: no database read
  EXPECT_EQ(store->get("/registry/gone"), nullptr);

  // The writer's revision check uses it too.
  EXPECT_THROW(store->update("/registry/a", object_named("a", 1), revision_of(a) + 1), StoreError);
  ObjectPtr a2 = store->update("/registry/a", object_named("a", 2), revision_of(a));
  store->create("/registry/d", object_named("d"));
  store->create("/registry/e", object_named("e"));
  EXPECT_EQ(store->get("/registry/a").get(), a2.get());

  // Once nobody holds it, the database answers, with the same object.
  const Json expected = *a2;
  a.reset();
  a2.reset();
  ObjectPtr read = store->get("/registry/a");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(*read, expected);
  ObjectPtr a3 = store->update("/registry/a", object_named("a", 3), revision_of(read));
  EXPECT_EQ(revision_of(a3), store->current_revision());
}

// Keys written lately are read from the watch window, older ones from the database: both give
// the same answers, to reads and to the revision checks of writes.
TEST_F(SqliteStoreTest, ReadsAndChecksKeysInAndOutOfTheWatchWindowAlike) {
  auto small_window = options();
  small_window.event_window = 2;
  auto store = open_sqlite_store(small_window);
  const auto a1 = store->create("/registry/a", object_named("a"));
  const auto a2 = store->update("/registry/a", object_named("a", 10), revision_of(a1));
  EXPECT_EQ(*store->get("/registry/a"), *a2);  // in the window
  store->create("/registry/b", object_named("b"));
  store->create("/registry/c", object_named("c"));
  EXPECT_EQ(*store->get("/registry/a"), *a2);  // from the database

  // A stale revision conflicts and the right one is accepted, both ways.
  EXPECT_THROW(store->update("/registry/a", object_named("a"), revision_of(a1)), StoreError);
  const auto a3 = store->update("/registry/a", object_named("a", 20), revision_of(a2));
  EXPECT_THROW(store->update("/registry/a", object_named("a"), revision_of(a2)), StoreError);
  const auto a4 = store->update("/registry/a", object_named("a", 30), revision_of(a3));
  EXPECT_EQ(*store->get("/registry/a"), *a4);

  // Deleted in the window: gone for reads and writes; then the same once it left the window.
  store->remove("/registry/b", 0);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(store->get("/registry/b"), nullptr);
    EXPECT_THROW(store->update("/registry/b", object_named("b"), 0), StoreError);
    store->create("/registry/d" + std::to_string(round), object_named("d"));
    store->create("/registry/e" + std::to_string(round), object_named("e"));
  }
  const auto b = store->create("/registry/b", object_named("b", 5));
  EXPECT_EQ(*store->get("/registry/b"), *b);

  // Concurrent read-modify-writes of one key (several land in one batch, where each checks
  // against the batch's own earlier write): no accepted increment is lost.
  store->create("/registry/counter", Json{{"metadata", {{"name", "counter"}}}, {"n", 0}});
  std::atomic<int> accepted{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto current = store->get("/registry/counter");
        Json next = *current;
        next["n"] = current->at("n").get<int>() + 1;
        try {
          store->update("/registry/counter", std::move(next), revision_of(current));
          ++accepted;
        } catch (const StoreError& error) {
          EXPECT_EQ(error.code(), StoreError::Code::Conflict);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_GT(accepted.load(), 0);
  EXPECT_EQ(store->get("/registry/counter")->at("n").get<int>(), accepted.load());
}

TEST_F(SqliteStoreTest, CleanCloseKeepsVolatileValuesAndTheRevision) {
  ObjectPtr renewed;
  {
    auto store = open_sqlite_store(options());
    store->create(kLease, bare_lease("t0"));
    store->create("/registry/other", object_named("other"));
    renewed = store->update_volatile(kLease, bare_lease("t1"), 0);
  }
  auto store = open_sqlite_store(options());
  ASSERT_NE(store->get(kLease), nullptr);
  EXPECT_EQ(*store->get(kLease), *renewed);
  ListOptions all;
  all.prefix = "/registry/";
  EXPECT_EQ(store->list(all).items.size(), 2u);
  // The reservation was released: no jump in the revision after a clean restart.
  EXPECT_EQ(store->current_revision(), revision_of(renewed));
  EXPECT_EQ(revision_of(store->update_volatile(kLease, bare_lease("t2"), revision_of(renewed))),
            revision_of(renewed) + 1);
}

// A child process makes durable and volatile writes and reports each acknowledged revision on
// a pipe; it is killed with SIGKILL mid-stream. The reopened store has the durable values only,
// and continues after every revision the child ever handed out.
TEST_F(SqliteStoreTest, CrashRevertsVolatileValuesAndNeverReusesARevision) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  SqliteStoreOptions opts = options();
  opts.revision_reservation_block = 7;  // many reservations within the run
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto store = open_sqlite_store(opts);
    auto report = [&](const ObjectPtr& object) {
      std::string line = std::to_string(revision_of(object)) + "\n";
      if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(1);
    };
    report(store->create(kLease, bare_lease("durable-0")));
    report(store->update(kLease, bare_lease("durable-1"), 0));
    for (int i = 0;; ++i) {
      report(store->update_volatile(kLease, bare_lease("volatile-" + std::to_string(i)), 0));
      if (i % 10 == 0) report(store->create("/registry/k/" + std::to_string(i), object_named("k")));
    }
  }
  ::close(fds[1]);
  std::vector<int64_t> acknowledged;
  std::string pending;
  char buffer[4096];
  bool killed = false;
  for (;;) {
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, n);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      acknowledged.push_back(std::stoll(pending.substr(0, nl)));
      pending.erase(0, nl + 1);
    }
    if (!killed && acknowledged.size() >= 300) {
      ::kill(child, SIGKILL);
      killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child did not die by the signal; status " << status;
  ASSERT_TRUE(killed);
  ASSERT_FALSE(acknowledged.empty());
  const int64_t highest = *std::max_element(acknowledged.begin(), acknowledged.end());

  auto store = open_sqlite_store(opts);
  ASSERT_NE(store->get(kLease), nullptr);
  EXPECT_EQ(renew_time_of(store->get(kLease)), "durable-1");
  EXPECT_GE(store->current_revision(), highest);
  EXPECT_GT(revision_of(store->update_volatile(kLease, bare_lease("after"), 0)), highest);
  EXPECT_GT(revision_of(store->create("/registry/after", object_named("after"))), highest);
  // A watch from the new start sees the writes after it.
  EXPECT_EQ(store->compacted_revision(), store->current_revision() - 2);
}

}  // namespace
}  // namespace skiff::store
