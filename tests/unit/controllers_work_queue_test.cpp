// The controllers' work queue: de-duplication, no concurrent processing of one key, backoff,
// delayed keys and shutdown, all driven by a fake clock (no sleeps).
#include <gtest/gtest.h>

#include <thread>

#include "server/controllers/work_queue.h"

namespace skiff::controllers {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WorkQueue, AKeyQueuedTwiceIsProcessedOnce) {
  FakeClock clock;
  WorkQueue q(clock);
  q.add("default/a");
  q.add("default/b");
  q.add("default/a");
  EXPECT_EQ(q.len(), 2u);
  EXPECT_EQ(q.try_get(), "default/a");
  EXPECT_EQ(q.try_get(), "default/b");
  EXPECT_EQ(q.try_get(), std::nullopt);
}

TEST(WorkQueue, AKeyReAddedWhileProcessingComesBackAfterDone) {
  FakeClock clock;
  WorkQueue q(clock);
  q.add("k");
  ASSERT_EQ(q.try_get(), "k");
  q.add("k");
  q.add("k");
  EXPECT_EQ(q.try_get(), std::nullopt) << "never handed to a second worker while processing";
  q.done("k");
  EXPECT_EQ(q.try_get(), "k");
  q.done("k");
  EXPECT_EQ(q.try_get(), std::nullopt) << "processed again exactly once";
}

TEST(WorkQueue, BackoffDoublesFrom5msTo1000sAndForgetResets) {
  FakeClock clock;
  WorkQueue q(clock);
  EXPECT_EQ(q.next_backoff("k"), milliseconds(5));
  std::vector<milliseconds> seen;
  for (int i = 0; i < 22; ++i) {
    seen.push_back(std::chrono::duration_cast<milliseconds>(q.next_backoff("k")));
    q.add_rate_limited("k");
  }
  EXPECT_EQ(seen[0], milliseconds(5));
  EXPECT_EQ(seen[1], milliseconds(10));
  EXPECT_EQ(seen[2], milliseconds(20));
  EXPECT_EQ(seen[10], milliseconds(5 * 1024));
  EXPECT_EQ(seen[21], seconds(1000)) << "capped";
  EXPECT_EQ(q.num_requeues("k"), 22);
  EXPECT_EQ(q.next_backoff("other"), milliseconds(5)) << "per key";
  q.forget("k");
  EXPECT_EQ(q.num_requeues("k"), 0);
  EXPECT_EQ(q.next_backoff("k"), milliseconds(5));
}

TEST(WorkQueue, RateLimitedKeysWaitForTheirBackoff) {
  FakeClock clock;
  WorkQueue q(clock);
  q.add_rate_limited("k");  // 5ms
  q.add_rate_limited("k");  // 10ms, but the earlier deadline is kept
  EXPECT_EQ(q.delayed_len(), 1u);
  EXPECT_EQ(q.try_get(), std::nullopt);
  clock.advance(milliseconds(4));
  EXPECT_EQ(q.try_get(), std::nullopt);
  clock.advance(milliseconds(1));
  EXPECT_EQ(q.try_get(), "k");
  EXPECT_EQ(q.delayed_len(), 0u);
}

TEST(WorkQueue, AddAfterOrdersByDeadlineAndKeepsTheEarliest) {
  FakeClock clock;
  WorkQueue q(clock);
  q.add_after("late", seconds(30));
  q.add_after("soon", seconds(10));
  q.add_after("late", seconds(20));  // earlier deadline wins
  q.add_after("soon", seconds(60));  // later deadline ignored
  q.add_after("now", seconds(0));
  EXPECT_EQ(q.try_get(), "now");
  clock.advance(seconds(10));
  EXPECT_EQ(q.try_get(), "soon");
  EXPECT_EQ(q.try_get(), std::nullopt);
  clock.advance(seconds(10));
  EXPECT_EQ(q.try_get(), "late");
  clock.advance(seconds(100));
  EXPECT_EQ(q.try_get(), std::nullopt);
}

TEST(WorkQueue, DelayedKeyAlreadyQueuedIsNotDuplicated) {
  FakeClock clock;
  WorkQueue q(clock);
  q.add("k");
  q.add_after("k", seconds(1));
  clock.advance(seconds(1));
  EXPECT_EQ(q.try_get(), "k");
  EXPECT_EQ(q.try_get(), std::nullopt);
}

TEST(WorkQueue, BlockedWorkerWakesWhenADelayedKeyFallsDue) {
  FakeClock clock;
  WorkQueue q(clock);
  q.add_after("k", seconds(5));
  std::optional<std::string> got;
  std::thread worker([&] { got = q.get(); });
  clock.advance(seconds(5));
  worker.join();
  EXPECT_EQ(got, "k");
}

TEST(WorkQueue, ShutdownWakesBlockedWorkersAndRefusesNewKeys) {
  WorkQueue q;  // real clock: nothing here depends on time passing
  std::vector<std::optional<std::string>> results(3, std::string("unset"));
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) workers.emplace_back([&, i] { results[i] = q.get(); });
  q.shutdown();
  for (auto& w : workers) w.join();
  for (const auto& r : results) EXPECT_EQ(r, std::nullopt);
  q.add("k");
  q.add_after("k", milliseconds(1));
  EXPECT_EQ(q.len(), 0u);
  EXPECT_EQ(q.get(), std::nullopt);
  EXPECT_TRUE(q.shutting_down());
}

TEST(WorkQueue, WorkersNeverProcessOneKeyConcurrently) {
  WorkQueue q;
  std::mutex mutex;
  std::set<std::string> in_flight;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.get()) {
        {
          std::lock_guard lock(mutex);
          if (!in_flight.insert(*key).second) overlap = true;
        }
        q.add(*key);  // re-added while processing
        {
          std::lock_guard lock(mutex);
          in_flight.erase(*key);
        }
        ++processed;
        q.done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) q.add("key-" + std::to_string(i % 3));
  while (processed < 2000) std::this_thread::yield();
  q.shutdown();
  for (auto& w : workers) w.join();
  EXPECT_FALSE(overlap);
}

}  // namespace
}  // namespace skiff::controllers
