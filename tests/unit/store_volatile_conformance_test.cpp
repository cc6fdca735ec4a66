// Volatile updates (Store::update_volatile), run against every backend: kept in memory by the
// SQLite store, yet like update() for every reader (get, list, watch) and for compare-and-swap.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/unit/support/store_conformance.h"

namespace skiff::store {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

class StoreVolatileConformance : public StoreConformance {};

Json node_lease(const std::string& renew_time) {
  return Json{{"apiVersion", "coordination.k8s.io/v1"},
              {"kind", "Lease"},
              {"metadata", {{"name", "n1"}, {"namespace", "kube-node-lease"}}},
              {"spec", {{"holderIdentity", "n1"}, {"renewTime", renew_time}}}};
}
const std::string kLeaseKey = "/registry/coordination.k8s.io/leases/kube-node-lease/n1";

TEST_P(StoreVolatileConformance, VolatileUpdateIsVisibleToGetListAndWatch) {
  auto created = store_->create(kLeaseKey, node_lease("t0"));
  EventSink sink;
  auto watch =
      store_->watch("/registry/coordination.k8s.io/", revision_of(created), sink.callback());
  auto renewed = store_->update_volatile(kLeaseKey, node_lease("t1"), revision_of(created));
  EXPECT_EQ(revision_of(renewed), revision_of(created) + 1);
  EXPECT_EQ(renew_time_of(renewed), "t1");
  EXPECT_EQ(store_->current_revision(), revision_of(renewed));

  auto read = store_->get(kLeaseKey);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(*read, *renewed);
  auto listed = store_->list(in("/registry/coordination.k8s.io/leases/"));
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(*listed.items[0], *renewed);
  EXPECT_EQ(listed.revision, revision_of(renewed));

  ASSERT_TRUE(sink.wait_for_count(1));
  auto events = sink.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]->type, EventType::Modified);
  EXPECT_EQ(events[0]->key, kLeaseKey);
  EXPECT_EQ(events[0]->revision, revision_of(renewed));
  EXPECT_EQ(renew_time_of(events[0]->object), "t1");
  ASSERT_NE(events[0]->previous, nullptr);
  EXPECT_EQ(renew_time_of(events[0]->previous), "t0");

  // Volatile after volatile: CAS against the volatile revision, previous is the volatile value.
  auto again = store_->update_volatile(kLeaseKey, node_lease("t2"), revision_of(renewed));
  EXPECT_EQ(revision_of(again), revision_of(renewed) + 1);
  ASSERT_TRUE(sink.wait_for_count(2));
  EXPECT_EQ(renew_time_of(sink.events()[1]->previous), "t1");
  EXPECT_EQ(renew_time_of(store_->get(kLeaseKey)), "t2");
}

TEST_P(StoreVolatileConformance, VolatileUpdateIsCompareAndSwapOnTheRevision) {
  auto created = store_->create(kLeaseKey, node_lease("t0"));
  auto renewed = store_->update_volatile(kLeaseKey, node_lease("t1"), 0);  // 0: unconditional
  const int64_t before = store_->current_revision();
  EXPECT_EQ(error_code(
                [&] { store_->update_volatile(kLeaseKey, node_lease("x"), revision_of(created)); }),
            StoreError::Code::Conflict);
  EXPECT_EQ(error_code([&] { store_->update(kLeaseKey, node_lease("x"), revision_of(created)); }),
            StoreError::Code::Conflict);
  EXPECT_EQ(error_code([&] { store_->remove(kLeaseKey, revision_of(created)); }),
            StoreError::Code::Conflict);
  EXPECT_EQ(error_code([&] { store_->update_volatile(pod_key("missing"), pod("missing"), 0); }),
            StoreError::Code::NotFound);
  EXPECT_EQ(store_->current_revision(), before);  // failures consume no revision
  EXPECT_EQ(renew_time_of(store_->get(kLeaseKey)), "t1");
  EXPECT_THROW(store_->update_volatile(kLeaseKey, Json::array(), 0), std::invalid_argument);
  EXPECT_EQ(*store_->get(kLeaseKey), *renewed);
}

TEST_P(StoreVolatileConformance, DurableWritesAfterAVolatileUpdateReplaceIt) {
  store_->create(kLeaseKey, node_lease("t0"));
  auto renewed = store_->update_volatile(kLeaseKey, node_lease("t1"), 0);
  Json moved = node_lease("t2");
  moved["spec"]["holderIdentity"] = "n2";
  auto updated = store_->update(kLeaseKey, moved, revision_of(renewed));
  EXPECT_EQ(revision_of(updated), revision_of(renewed) + 1);
  EXPECT_EQ(*store_->get(kLeaseKey), *updated);
  EXPECT_EQ(*store_->list(in("/registry/coordination.k8s.io/")).items.at(0), *updated);

  auto renewed_again = store_->update_volatile(kLeaseKey, node_lease("t3"), revision_of(updated));
  EXPECT_EQ(renew_time_of(store_->get(kLeaseKey)), "t3");
  auto removed = store_->remove(kLeaseKey, revision_of(renewed_again));
  EXPECT_EQ(renew_time_of(removed), "t3");  // the last state is the volatile one
  EXPECT_EQ(revision_of(removed), revision_of(renewed_again) + 1);
  EXPECT_EQ(store_->get(kLeaseKey), nullptr);
  EXPECT_TRUE(store_->list(in("/registry/coordination.k8s.io/")).items.empty());
  EXPECT_EQ(error_code([&] { store_->update_volatile(kLeaseKey, node_lease("t4"), 0); }),
            StoreError::Code::NotFound);
  // Created again, it starts from its new durable value.
  auto recreated = store_->create(kLeaseKey, node_lease("t5"));
  EXPECT_EQ(*store_->get(kLeaseKey), *recreated);
}

TEST_P(StoreVolatileConformance, ListPagesAndFiltersSeeVolatileValues) {
  for (int i = 0; i < 6; ++i) {
    std::string name = "p" + std::to_string(i);
    store_->create(pod_key(name), pod(name, "default", "web"));
  }
  // p1 and p4 move to app=db, volatile.
  for (const char* name : {"p1", "p4"})
    store_->update_volatile(pod_key(name), pod(name, "default", "db"), 0);
  auto is_db = [](const Json& o) { return o["metadata"]["labels"]["app"] == "db"; };
  auto page = store_->list(in("/registry/core/pods/", 1, "", is_db));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]->at("metadata").at("name"), "p1");
  EXPECT_TRUE(page.more);
  auto rest = store_->list(in("/registry/core/pods/", 1, page.last_key, is_db));
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0]->at("metadata").at("name"), "p4");
  EXPECT_FALSE(rest.more);
  EXPECT_EQ(rest.revision, store_->current_revision());
  // Outside the listed prefix nothing leaks in.
  EXPECT_TRUE(store_->list(in("/registry/core/pods/other/")).items.empty());
}

TEST_P(StoreVolatileConformance, ListRevisionIsConsistentUnderMixedVolatileAndDurableWrites) {
  for (int i = 0; i < 20; ++i) {
    const std::string name = "p" + std::to_string(i);
    store_->create(pod_key(name), pod(name));
  }
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&, t] {
      for (int round = 0; !done.load() && round < 2000; ++round) {
        const std::string name = "p" + std::to_string((round * 2 + t) % 20);
        if (round % 3 == t)
          store_->update(pod_key(name), pod(name), 0);
        else
          store_->update_volatile(pod_key(name), pod(name), 0);
      }
    });
  }
  expect_lists_are_snapshots(*store_, 100);
  done = true;
  for (auto& w : writers) w.join();
  // And at rest, every object reads back as listed.
  auto result = store_->list(in("/registry/core/pods/default/"));
  for (const auto& item : result.items) {
    EXPECT_EQ(*store_->get(pod_key(item->at("metadata").at("name"))), *item);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreVolatileConformance, all_backends(), backend_name);

}  // namespace
}  // namespace skiff::store
