// WatchHub and MemoryStore specifics; the shared Store contract is in store_conformance_test.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server/store/memory_store.h"
#include "server/store/watch_hub.h"

namespace skiff::store {
namespace {

EventPtr event(int64_t revision, const std::string& key = "/registry/core/pods/default/a") {
  auto object = std::make_shared<const Json>(
      Json{{"metadata", {{"resourceVersion", std::to_string(revision)}}}});
  return std::make_shared<const Event>(Event{EventType::Modified, key, revision, object, object});
}

std::vector<int64_t> revisions(const std::vector<EventPtr>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e->revision);
  return out;
}

TEST(WatchHub, StartsEmptyAtTheStartRevision) {
  WatchHub hub(10, 42);
  EXPECT_EQ(hub.compacted_revision(), 42);
  EXPECT_EQ(hub.latest_revision(), 42);
  // A watch exactly at the start revision is fine (nothing to replay); older is compacted.
  EXPECT_NO_THROW(hub.watch("/", 42, [](auto&) { return true; }));
  try {
    hub.watch("/", 41, [](auto&) { return true; });
    FAIL() << "expected Compacted";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.code(), StoreError::Code::Compacted);
    EXPECT_NE(std::string(error.what()).find("41"), std::string::npos);
  }
}

TEST(WatchHub, WindowEvictsTheOldestEvents) {
  WatchHub hub(3, 0);
  for (int64_t r = 1; r <= 5; ++r) hub.publish({event(r)});
  EXPECT_EQ(hub.compacted_revision(), 2);
  std::vector<EventPtr> got;
  auto watch = hub.watch("/", 2, [&](const std::vector<EventPtr>& events) {
    got.insert(got.end(), events.begin(), events.end());
    return true;
  });
  EXPECT_EQ(revisions(got), (std::vector<int64_t>{3, 4, 5}));
}

EventPtr event_of(EventType type, int64_t revision, const std::string& key) {
  auto object = std::make_shared<const Json>(
      Json{{"metadata", {{"resourceVersion", std::to_string(revision)}}}});
  return std::make_shared<const Event>(Event{type, key, revision, object, nullptr});
}

// The events a publish pushes out of the window are reported only when they were still their
// key's newest change: for those keys the window stops answering.
TEST(WatchHub, ReportsTheNewestChangesThatLeaveTheWindow) {
  WatchHub hub(2, 0);
  std::vector<EventPtr> left;
  hub.publish({event_of(EventType::Added, 1, "/a"), event_of(EventType::Added, 2, "/b")}, &left);
  EXPECT_TRUE(left.empty());
  hub.publish({event_of(EventType::Modified, 3, "/a")}, &left);  // pushes out /a@1: not newest
  EXPECT_TRUE(left.empty());
  hub.publish({event_of(EventType::Added, 4, "/c")}, &left);  // pushes out /b@2: newest
  EXPECT_EQ(revisions(left), (std::vector<int64_t>{2}));
  left.clear();
  hub.publish({event_of(EventType::Deleted, 5, "/c"), event_of(EventType::Added, 6, "/d")}, &left);
  // /a@3 left as /a's newest; /c@4 did not (its delete, /c@5, is still in the window).
  EXPECT_EQ(revisions(left), (std::vector<int64_t>{3}));
}

TEST(WatchHub, NewestInWindowIsEachKeysLatestChange) {
  WatchHub hub(100, 0);
  EXPECT_EQ(hub.newest_in_window("/a", 0), nullptr);
  const auto a1 = event_of(EventType::Added, 1, "/a");
  const auto b2 = event_of(EventType::Added, 2, "/b");
  const auto a3 = event_of(EventType::Modified, 3, "/a");
  hub.publish({a1, b2});
  hub.publish({a3});
  EXPECT_EQ(hub.newest_in_window("/a", 3), a3);
  EXPECT_EQ(hub.newest_in_window("/b", 3), b2);
  EXPECT_EQ(hub.newest_in_window("/c", 3), nullptr);
  const auto b4 = event_of(EventType::Deleted, 4, "/b");
  hub.publish({b4});
  EXPECT_EQ(hub.newest_in_window("/b", 4), b4);  // the caller reads "gone" from its type
}

TEST(WatchHub, NewestInWindowForgetsOnlyKeysWhoseNewestChangeLeft) {
  WatchHub hub(2, 0);
  const auto a1 = event_of(EventType::Added, 1, "/a");
  const auto a2 = event_of(EventType::Modified, 2, "/a");
  const auto b3 = event_of(EventType::Added, 3, "/b");
  hub.publish({a1});
  hub.publish({a2});
  hub.publish({b3});  // a1 leaves the window; a's newest change (a2) is still in it
  EXPECT_EQ(hub.newest_in_window("/a", 3), a2);
  hub.publish({event_of(EventType::Added, 4, "/c")});  // a2 leaves
  EXPECT_EQ(hub.newest_in_window("/a", 4), nullptr);
  EXPECT_EQ(hub.newest_in_window("/b", 4), b3);
}

TEST(WatchHub, NewestInWindowAnswersNothingWhileBehindTheStore) {
  WatchHub hub(100, 0);
  const auto a1 = event_of(EventType::Added, 1, "/a");
  hub.publish({a1});
  EXPECT_EQ(hub.newest_in_window("/a", 1), a1);
  // The store committed revision 2 and has not published it yet: its copy may be newer.
  EXPECT_EQ(hub.newest_in_window("/a", 2), nullptr);
}

TEST(WatchHub, ReplayIsOneBatchFilteredByPrefix) {
  WatchHub hub(100, 0);
  hub.publish({event(1, "/registry/core/pods/default/a"), event(2, "/registry/core/pods/x/b")});
  hub.publish({event(3, "/registry/core/pods/default/c")});

  int now_calls = 0;
  auto from_now = hub.watch("/registry/core/pods/default/", 0, [&](auto&) {
    ++now_calls;
    return true;
  });
  EXPECT_EQ(now_calls, 0);  // from 0 = from now: nothing replayed

  int replay_calls = 0;
  std::vector<EventPtr> replayed;
  auto from_one = hub.watch("/registry/core/pods/default/", 1, [&](auto& events) {
    ++replay_calls;
    replayed.insert(replayed.end(), events.begin(), events.end());
    return true;
  });
  EXPECT_EQ(replay_calls, 1);
  EXPECT_EQ(revisions(replayed), (std::vector<int64_t>{3}));
}

TEST(WatchHub, LiveDeliverySkipsEventsAtOrBeforeTheStartRevision) {
  // A list can see a commit before the hub publishes it; a watch from that list's revision
  // must not receive the in-flight event a second time.
  WatchHub hub(100, 0);
  std::vector<EventPtr> got;
  auto watch = hub.watch("/", 5, [&](auto& events) {
    got.insert(got.end(), events.begin(), events.end());
    return true;
  });
  hub.publish({event(4), event(5), event(6)});
  EXPECT_EQ(revisions(got), (std::vector<int64_t>{6}));
}

TEST(WatchHub, ThrowingCallbackEndsItsWatchOnly) {
  WatchHub hub(100, 0);
  int good_calls = 0;
  auto bad = hub.watch("/", 0, [](auto&) -> bool { throw std::runtime_error("consumer bug"); });
  auto good = hub.watch("/", 0, [&](auto&) {
    ++good_calls;
    return true;
  });
  hub.publish({event(1)});
  hub.publish({event(2)});
  EXPECT_EQ(good_calls, 2);
  EXPECT_EQ(hub.watcher_count(), 1u);
}

TEST(WatchHub, StoppingAnotherWatchFromACallbackIsSafe) {
  WatchHub hub(100, 0);
  WatchPtr second;
  int second_calls = 0;
  auto first = hub.watch("/", 0, [&](auto&) {
    second->stop();
    return true;
  });
  second = hub.watch("/", 0, [&](auto&) {
    ++second_calls;
    return true;
  });
  hub.publish({event(1)});
  EXPECT_EQ(second_calls, 0);
  EXPECT_EQ(hub.watcher_count(), 1u);
}

TEST(WatchHub, DestroyingTheWatchHandleUnregisters) {
  WatchHub hub(100, 0);
  {
    auto watch = hub.watch("/", 0, [](auto&) { return true; });
    EXPECT_EQ(hub.watcher_count(), 1u);
  }
  EXPECT_EQ(hub.watcher_count(), 0u);
}

TEST(WatchHub, HandlesOutliveTheHub) {
  WatchPtr watch;
  {
    WatchHub hub(100, 0);
    watch = hub.watch("/", 0, [](auto&) { return true; });
  }
  watch->stop();  // must not touch the destroyed hub
  watch.reset();
}

TEST(WatchHub, StopFromAnotherThreadWaitsForTheRunningCallback) {
  WatchHub hub(100, 0);
  std::atomic<bool> in_callback{false};
  std::atomic<bool> release{false};
  std::atomic<bool> callback_finished{false};
  auto watch = hub.watch("/", 0, [&](auto&) {
    in_callback = true;
    while (!release.load()) std::this_thread::yield();
    callback_finished = true;
    return true;
  });
  std::thread publisher([&] { hub.publish({event(1)}); });
  while (!in_callback.load()) std::this_thread::yield();
  std::atomic<bool> stop_returned{false};
  std::thread stopper([&] {
    watch->stop();
    stop_returned = true;
    EXPECT_TRUE(callback_finished.load());  // stop() returned only after the callback did
  });
  release = true;
  stopper.join();
  publisher.join();
  EXPECT_TRUE(stop_returned.load());
}

TEST(MemoryStore, ListRevisionAndEventsMatchWrites) {
  auto store = make_memory_store();
  auto a = store->create("/registry/core/pods/default/a", Json{{"metadata", Json::object()}});
  EXPECT_EQ(a->at("metadata").at("resourceVersion"), "1");
  ListOptions all;
  all.prefix = "/registry/";
  EXPECT_EQ(store->list(all).revision, 1);
  EXPECT_EQ(store->compacted_revision(), 0);
}

}  // namespace
}  // namespace skiff::store
