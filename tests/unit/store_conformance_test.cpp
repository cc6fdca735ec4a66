// The Store contract (server/store/store.h), run against every backend: memory and SQLite.
// Creates, updates, removes, lists and watches; volatile updates are in
// store_volatile_conformance_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "tests/unit/support/store_conformance.h"

namespace skiff::store {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

TEST_P(StoreConformance, CreateStampsTheNextRevision) {
  const int64_t start = store_->current_revision();
  auto a = store_->create(pod_key("a"), pod("a"));
  auto b = store_->create(pod_key("b"), pod("b"));
  EXPECT_EQ(revision_of(a), start + 1);
  EXPECT_EQ(revision_of(b), start + 2);
  EXPECT_EQ(store_->current_revision(), start + 2);
  auto read = store_->get(pod_key("a"));
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(*read, *a);
  EXPECT_EQ(read->at("metadata").at("name"), "a");
  EXPECT_EQ(store_->get(pod_key("missing")), nullptr);
}

TEST_P(StoreConformance, CreateOfExistingKeyFailsWithoutConsumingARevision) {
  store_->create(pod_key("a"), pod("a"));
  const int64_t before = store_->current_revision();
  EXPECT_EQ(error_code([&] { store_->create(pod_key("a"), pod("a")); }),
            StoreError::Code::AlreadyExists);
  EXPECT_EQ(store_->current_revision(), before);
}

// create_async is create() without the wait: same revision, same event, same errors; the
// result is published (get sees it) by the time `done` runs.
TEST_P(StoreConformance, CreateAsyncReportsWhatCreateWould) {
  const int64_t start = store_->current_revision();
  const auto create_async = [&](const std::string& name) {
    std::promise<WriteResult> done;
    auto result = done.get_future();
    store_->create_async(pod_key(name), pod(name), [&done, this, name](WriteResult outcome) {
      if (outcome.object) {
        EXPECT_NE(store_->get(pod_key(name)), nullptr);
      }
      done.set_value(std::move(outcome));
    });
    return result.get();
  };
  auto created = create_async("a");
  ASSERT_NE(created.object, nullptr);
  EXPECT_EQ(created.error, nullptr);
  EXPECT_EQ(revision_of(created.object), start + 1);
  // The text a store may hand along is exactly the object's (SQLite has it from storing it).
  if (!created.object_json.empty()) {
    EXPECT_EQ(created.object_json, created.object->dump());
  }
  if (GetParam().name == "Sqlite") {
    EXPECT_FALSE(created.object_json.empty());
  }
  auto duplicate = create_async("a");
  EXPECT_EQ(duplicate.object, nullptr);
  EXPECT_EQ(error_code([&] { std::rethrow_exception(duplicate.error); }),
            StoreError::Code::AlreadyExists);
  EXPECT_EQ(store_->current_revision(), start + 1);
}

// mutate_async applies the change to the object as it stands when written: a write made after
// the caller last looked is kept, not lost and not a Conflict.
TEST_P(StoreConformance, MutateAsyncChangesTheCurrentObject) {
  const auto mutate = [&](const std::string& name, Mutation change) {
    std::promise<WriteResult> done;
    auto result = done.get_future();
    store_->mutate_async(pod_key(name), std::move(change),
                         [&done, this, name](WriteResult outcome) {
                           if (outcome.object) {
                             EXPECT_EQ(*store_->get(pod_key(name)), *outcome.object);
                           }
                           done.set_value(std::move(outcome));
                         });
    return result.get();
  };
  auto created = store_->create(pod_key("a"), pod("a"));
  Json relabeled = *created;
  relabeled["metadata"]["labels"]["tier"] = "front";
  store_->update(pod_key("a"), relabeled, revision_of(created));
  EventSink sink;
  auto watch = store_->watch("/registry/core/pods/", store_->current_revision(), sink.callback());

  auto bound = mutate("a", [](const Json& current) {
    Json desired = current;
    desired["spec"]["nodeName"] = "n1";
    return desired;
  });
  ASSERT_EQ(bound.error, nullptr);
  ASSERT_NE(bound.object, nullptr);
  EXPECT_EQ(bound.object->at("spec").at("nodeName"), "n1");
  EXPECT_EQ(bound.object->at("metadata").at("labels").at("tier"), "front");
  EXPECT_EQ(revision_of(bound.object), store_->current_revision());
  if (!bound.object_json.empty()) {
    EXPECT_EQ(bound.object_json, bound.object->dump());
  }
  ASSERT_TRUE(sink.wait_for_count(1));
  const auto event = sink.events().front();
  EXPECT_EQ(event->type, EventType::Modified);
  ASSERT_NE(event->previous, nullptr);
  EXPECT_FALSE(event->previous->contains("spec"));

  // A refusal is the mutation's own exception, and nothing is written.
  const int64_t before = store_->current_revision();
  auto refused = mutate("a", [](const Json&) -> Json { throw std::logic_error("already bound"); });
  EXPECT_EQ(refused.object, nullptr);
  try {
    std::rethrow_exception(refused.error);
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "already bound");
  } catch (...) {
    ADD_FAILURE() << "expected the mutation's exception";
  }
  EXPECT_EQ(store_->current_revision(), before);
  EXPECT_EQ(*store_->get(pod_key("a")), *bound.object);

  auto missing = mutate("nope", [](const Json& current) { return current; });
  EXPECT_EQ(error_code([&] { std::rethrow_exception(missing.error); }), StoreError::Code::NotFound);
}

TEST_P(StoreConformance, UpdateIsCompareAndSwapOnTheRevision) {
  auto created = store_->create(pod_key("a"), pod("a"));
  Json changed = *created;
  changed["spec"] = {{"nodeName", "n1"}};
  auto updated = store_->update(pod_key("a"), changed, revision_of(created));
  EXPECT_GT(revision_of(updated), revision_of(created));
  EXPECT_EQ(updated->at("spec").at("nodeName"), "n1");

  // A writer that read the old revision loses.
  EXPECT_EQ(error_code([&] { store_->update(pod_key("a"), changed, revision_of(created)); }),
            StoreError::Code::Conflict);
  // 0 means unconditional.
  auto forced = store_->update(pod_key("a"), pod("a"), 0);
  EXPECT_EQ(revision_of(forced), revision_of(updated) + 1);
  EXPECT_FALSE(store_->get(pod_key("a"))->contains("spec"));
}

TEST_P(StoreConformance, UpdateAndRemoveOfMissingKeyAreNotFound) {
  EXPECT_EQ(error_code([&] { store_->update(pod_key("nope"), pod("nope"), 0); }),
            StoreError::Code::NotFound);
  EXPECT_EQ(error_code([&] { store_->remove(pod_key("nope"), 0); }), StoreError::Code::NotFound);
}

TEST_P(StoreConformance, RemoveReturnsTheLastStateStampedWithTheDeleteRevision) {
  auto created = store_->create(pod_key("a"), pod("a"));
  EXPECT_EQ(error_code([&] { store_->remove(pod_key("a"), revision_of(created) + 100); }),
            StoreError::Code::Conflict);
  auto removed = store_->remove(pod_key("a"), revision_of(created));
  EXPECT_EQ(revision_of(removed), revision_of(created) + 1);
  EXPECT_EQ(removed->at("metadata").at("name"), "a");
  EXPECT_EQ(store_->current_revision(), revision_of(removed));
  EXPECT_EQ(store_->get(pod_key("a")), nullptr);
  // The key can be created again.
  EXPECT_EQ(revision_of(store_->create(pod_key("a"), pod("a"))), revision_of(removed) + 1);
}

TEST_P(StoreConformance, RejectsValuesThatAreNotObjects) {
  EXPECT_THROW(store_->create(pod_key("a"), Json::array()), std::invalid_argument);
  EXPECT_EQ(store_->get(pod_key("a")), nullptr);
  // Strings that are not UTF-8 cannot be stored as JSON text.
  Json bad = pod("bad");
  bad["data"] = std::string("\xff\xfe");
  const int64_t before = store_->current_revision();
  try {
    store_->create(pod_key("bad"), bad);
    // The memory store keeps the object as is; serializing backends must refuse it.
  } catch (const std::invalid_argument&) {
    EXPECT_EQ(store_->get(pod_key("bad")), nullptr);
    EXPECT_EQ(store_->current_revision(), before);
  }
  // Either way, the store keeps working.
  EXPECT_NE(store_->create(pod_key("good"), pod("good")), nullptr);
}

TEST_P(StoreConformance, ListByPrefixKeepsNamespacesApart) {
  store_->create(pod_key("b", "default"), pod("b", "default"));
  store_->create(pod_key("a", "default"), pod("a", "default"));
  store_->create(pod_key("a", "default2"), pod("a", "default2"));
  store_->create("/registry/core/services/default/a", pod("svc"));

  auto result = store_->list(in("/registry/core/pods/default/"));
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0]->at("metadata").at("name"), "a");
  EXPECT_EQ(result.items[1]->at("metadata").at("name"), "b");
  EXPECT_FALSE(result.more);
  EXPECT_EQ(result.last_key, pod_key("b"));
  EXPECT_EQ(result.revision, store_->current_revision());

  EXPECT_EQ(store_->list(in("/registry/core/pods/")).items.size(), 3u);
  EXPECT_EQ(store_->list(in("")).items.size(), 4u);
  EXPECT_TRUE(store_->list(in("/registry/apps/")).items.empty());
}

TEST_P(StoreConformance, ListPagesWithLimitAndStartAfterKey) {
  for (int i = 0; i < 10; ++i) {
    std::string name = "p" + std::to_string(i);
    store_->create(pod_key(name), pod(name));
  }
  std::vector<std::string> seen;
  ListOptions options = in("/registry/core/pods/default/", 3);
  int pages = 0;
  for (;;) {
    auto page = store_->list(options);
    ++pages;
    ASSERT_LE(page.items.size(), 3u);
    for (const auto& item : page.items) seen.push_back(item->at("metadata").at("name"));
    if (!page.more) break;
    ASSERT_EQ(page.items.size(), 3u);
    options.start_after_key = page.last_key;
  }
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10u);

  // An exact fit reports no further page.
  auto all = store_->list(in("/registry/core/pods/default/", 10));
  EXPECT_EQ(all.items.size(), 10u);
  EXPECT_FALSE(all.more);
}

TEST_P(StoreConformance, ListFilterAppliesBeforeTheLimitCounts) {
  for (int i = 0; i < 10; ++i) {
    std::string name = "p" + std::to_string(i);
    store_->create(pod_key(name), pod(name, "default", i % 3 == 0 ? "db" : "web"));
  }
  auto is_db = [](const Json& o) { return o["metadata"]["labels"]["app"] == "db"; };
  auto page = store_->list(in("/registry/core/pods/", 2, "", is_db));
  ASSERT_EQ(page.items.size(), 2u);  // p0, p3 (not p0 + a web pod)
  EXPECT_EQ(page.items[1]->at("metadata").at("name"), "p3");
  EXPECT_TRUE(page.more);
  auto rest = store_->list(in("/registry/core/pods/", 2, page.last_key, is_db));
  ASSERT_EQ(rest.items.size(), 2u);  // p6, p9
  EXPECT_EQ(rest.items[1]->at("metadata").at("name"), "p9");
  EXPECT_FALSE(rest.more);
}

TEST_P(StoreConformance, ListRevisionIsConsistentWithItsItemsUnderConcurrentWrites) {
  for (int i = 0; i < 20; ++i) store_->create(pod_key("p" + std::to_string(i)), pod("p"));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int round = 0; !done.load() && round < 2000; ++round) {
      store_->update(pod_key("p" + std::to_string(round % 20)), pod("p"), 0);
    }
  });
  expect_lists_are_snapshots(*store_, 50);
  done = true;
  writer.join();
}

TEST_P(StoreConformance, WatchReplaysTheWindowThenDeliversLiveEvents) {
  auto a = store_->create(pod_key("a"), pod("a"));
  auto b = store_->create(pod_key("b"), pod("b"));
  store_->create(pod_key("x", "other"), pod("x", "other"));
  EventSink sink;
  auto watch = store_->watch("/registry/core/pods/default/", revision_of(a), sink.callback());
  ASSERT_TRUE(sink.wait_for_count(1));
  auto updated = store_->update(pod_key("a"), pod("a"), 0);
  auto removed = store_->remove(pod_key("b"), 0);
  ASSERT_TRUE(sink.wait_for_count(3));
  auto events = sink.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]->type, EventType::Added);
  EXPECT_EQ(events[0]->key, pod_key("b"));
  EXPECT_EQ(events[0]->revision, revision_of(b));
  EXPECT_EQ(events[0]->previous, nullptr);
  EXPECT_EQ(events[1]->type, EventType::Modified);
  EXPECT_EQ(events[1]->revision, revision_of(updated));
  ASSERT_NE(events[1]->previous, nullptr);
  EXPECT_EQ(revision_of(events[1]->previous), revision_of(a));
  EXPECT_EQ(events[2]->type, EventType::Deleted);
  EXPECT_EQ(revision_of(events[2]->object), revision_of(removed));
  EXPECT_EQ(revision_of(events[2]->previous), revision_of(b));
}

TEST_P(StoreConformance, WatchFromZeroStartsNow) {
  store_->create(pod_key("a"), pod("a"));
  EventSink sink;
  auto watch = store_->watch("/registry/", 0, sink.callback());
  auto b = store_->create(pod_key("b"), pod("b"));
  ASSERT_TRUE(sink.wait_for_count(1));
  EXPECT_EQ(sink.revisions(), std::vector<int64_t>{revision_of(b)});
}

TEST_P(StoreConformance, WatchFromBeforeTheWindowIsCompacted) {
  store_.reset();
  store_ = open(/*window=*/4);
  const int64_t start = store_->current_revision();
  for (int i = 0; i < 10; ++i) store_->create(pod_key("p" + std::to_string(i)), pod("p"));
  EXPECT_EQ(store_->compacted_revision(), start + 6);
  EXPECT_EQ(error_code([&] { store_->watch("/registry/", start + 5, [](auto&) { return true; }); }),
            StoreError::Code::Compacted);
  EventSink sink;
  auto watch = store_->watch("/registry/", start + 6, sink.callback());
  ASSERT_TRUE(sink.wait_for_count(4));
  EXPECT_EQ(sink.revisions(), (std::vector<int64_t>{start + 7, start + 8, start + 9, start + 10}));
}

TEST_P(StoreConformance, CallbackReturningFalseEndsTheWatch) {
  std::atomic<int> calls{0};
  auto watch = store_->watch("/registry/", 0, [&](const std::vector<EventPtr>&) {
    ++calls;
    return false;
  });
  EventSink sink;
  auto witness = store_->watch("/registry/", 0, sink.callback());
  store_->create(pod_key("a"), pod("a"));
  store_->create(pod_key("b"), pod("b"));
  ASSERT_TRUE(sink.wait_for_count(2));
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(StoreConformance, NoCallbackAfterStopReturns) {
  std::atomic<bool> stopped{false};
  std::atomic<bool> late_call{false};
  auto watch = store_->watch("/registry/", 0, [&](const std::vector<EventPtr>&) {
    std::this_thread::sleep_for(1ms);  // widen the window in which stop() races a delivery
    if (stopped.load()) late_call = true;
    return true;
  });
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) store_->create(pod_key("p" + std::to_string(i)), pod("p"));
  });
  std::this_thread::sleep_for(20ms);
  watch->stop();
  stopped = true;
  writer.join();
  EXPECT_FALSE(late_call.load());
}

TEST_P(StoreConformance, StopFromInsideTheCallbackDoesNotDeadlock) {
  WatchPtr watch;
  std::atomic<int> calls{0};
  watch = store_->watch("/registry/", 0, [&](const std::vector<EventPtr>&) {
    ++calls;
    watch->stop();
    return true;
  });
  store_->create(pod_key("a"), pod("a"));
  store_->create(pod_key("b"), pod("b"));
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(StoreConformance, ConcurrentWritersGetUniqueRevisionsAndWatchersSeeNoGapsOrDuplicates) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 100;
  const int64_t start = store_->current_revision();
  EventSink from_start;
  auto watch_all = store_->watch("/registry/", start, from_start.callback());

  std::mutex revisions_mutex;
  std::vector<int64_t> revisions;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  std::unique_ptr<EventSink> late = std::make_unique<EventSink>();
  WatchPtr late_watch;
  int64_t late_from = 0;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        try {
          auto created = store_->create(pod_key(name), pod(name));
          // Every other object is updated once more, through CAS.
          if (i % 2 == 0) {
            auto updated = store_->update(pod_key(name), pod(name), revision_of(created));
            std::lock_guard lock(revisions_mutex);
            revisions.push_back(revision_of(updated));
          }
          std::lock_guard lock(revisions_mutex);
          revisions.push_back(revision_of(created));
        } catch (const StoreError&) {
          ++failures;
        }
        // One watcher joins mid-stream, from whatever revision is current then.
        if (t == 0 && i == kPerThread / 2) {
          late_from = store_->current_revision();
          late_watch = store_->watch("/registry/", late_from, late->callback());
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);

  const size_t total = kThreads * kPerThread * 3 / 2;
  ASSERT_EQ(revisions.size(), total);
  std::sort(revisions.begin(), revisions.end());
  EXPECT_EQ(std::adjacent_find(revisions.begin(), revisions.end()), revisions.end());
  EXPECT_EQ(revisions.front(), start + 1);
  EXPECT_EQ(revisions.back(), start + static_cast<int64_t>(total));

  ASSERT_TRUE(from_start.wait_for_count(total));
  EXPECT_EQ(from_start.revisions(), revisions);  // every revision once, in order

  const int64_t end = start + static_cast<int64_t>(total);
  ASSERT_TRUE(late->wait_for_count(static_cast<size_t>(end - late_from)));
  auto late_revisions = late->revisions();
  ASSERT_EQ(late_revisions.size(), static_cast<size_t>(end - late_from));
  for (size_t i = 0; i < late_revisions.size(); ++i) {
    EXPECT_EQ(late_revisions[i], late_from + 1 + static_cast<int64_t>(i));
  }
}

TEST_P(StoreConformance, ConcurrentCreatesOfOneKeyHaveExactlyOneWinner) {
  std::atomic<int> won{0}, exists{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      try {
        store_->create(pod_key("contended"), pod("contended"));
        ++won;
      } catch (const StoreError& error) {
        if (error.code() == StoreError::Code::AlreadyExists) ++exists;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(exists.load(), 15);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, all_backends(), backend_name);

}  // namespace
}  // namespace skiff::store
