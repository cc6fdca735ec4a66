// The agent's bookkeeping for the node protocol: the object cache that makes resends and
// relists invisible, and the queue that coalesces pod reports.
#include <gtest/gtest.h>

#include "agent/nodeclient/node_object_cache.h"
#include "agent/nodeclient/report_queue.h"

namespace skiff::agent::nodeclient {
namespace {

using Type = CacheEvent::Type;

Json pod(const std::string& name, int revision, const std::string& uid = "") {
  return {{"metadata",
           {{"namespace", "default"},
            {"name", name},
            {"uid", uid.empty() ? "uid-" + name : uid},
            {"resourceVersion", std::to_string(revision)}}}};
}

CacheEvent event(Type type, const Json& object = nullptr, int64_t resume = 0,
                 ObjectKind kind = ObjectKind::Pod) {
  return {type, kind, object, resume};
}

std::vector<std::string> describe(const std::vector<ObjectChange>& changes) {
  std::vector<std::string> out;
  for (const auto& change : changes) {
    out.push_back(
        std::string(change.type == ObjectChange::Type::Changed ? "changed " : "removed ") +
        change.object["metadata"].value("name", "") + "@" +
        change.object["metadata"].value("resourceVersion", ""));
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(NodeObjectCache, NewerCopiesChangeOlderOrEqualOnesDoNot) {
  NodeObjectCache cache;
  EXPECT_EQ(describe(cache.apply(event(Type::Added, pod("web", 5), 5))), Strings{"changed web@5"});
  EXPECT_TRUE(cache.apply(event(Type::Modified, pod("web", 5), 6)).empty());
  EXPECT_TRUE(cache.apply(event(Type::Modified, pod("web", 4), 7)).empty());
  EXPECT_EQ(describe(cache.apply(event(Type::Modified, pod("web", 8), 8))),
            Strings{"changed web@8"});
  EXPECT_EQ(cache.resume_version(), 8);
  EXPECT_EQ(cache.get(ObjectKind::Pod, "default", "web")->at("metadata")["resourceVersion"], "8");
  EXPECT_FALSE(cache.get(ObjectKind::ConfigMap, "default", "web"));
}

TEST(NodeObjectCache, DeletesApplyUnlessANewerCopyIsHeld) {
  NodeObjectCache cache;
  cache.apply(event(Type::Added, pod("web", 9), 9));
  EXPECT_TRUE(cache.apply(event(Type::Deleted, pod("web", 7), 10)).empty());
  EXPECT_TRUE(cache.apply(event(Type::Deleted, pod("other", 7), 10)).empty());
  EXPECT_EQ(describe(cache.apply(event(Type::Deleted, pod("web", 9), 11))),
            Strings{"removed web@9"});
  EXPECT_EQ(cache.size(), 0u);
}

TEST(NodeObjectCache, AReplacedObjectIsRemovedThenChanged) {
  NodeObjectCache cache;
  cache.apply(event(Type::Added, pod("web", 3, "a"), 3));
  EXPECT_EQ(describe(cache.apply(event(Type::Modified, pod("web", 6, "b"), 6))),
            (Strings{"removed web@3", "changed web@6"}));
}

TEST(NodeObjectCache, AFullSetRemovesWhatItDidNotNameAndRepeatsNothing) {
  NodeObjectCache cache;
  cache.apply(event(Type::Added, pod("web", 3), 3));
  cache.apply(event(Type::Added, pod("gone", 4), 4));
  cache.apply(event(Type::Added, pod("site", 4), 4, ObjectKind::ConfigMap));
  std::vector<ObjectChange> changes;
  for (const auto& e : {event(Type::Reset), event(Type::Added, pod("web", 3)),
                        event(Type::Added, pod("new", 9)), event(Type::Synced, nullptr, 12)}) {
    for (auto& change : cache.apply(e)) changes.push_back(std::move(change));
  }
  EXPECT_EQ(describe(changes), (Strings{"changed new@9", "removed gone@4", "removed site@4"}));
  EXPECT_EQ(cache.resume_version(), 12);
  EXPECT_EQ(cache.list(ObjectKind::Pod).size(), 2u);
}

TEST(NodeObjectCache, AFullSetCutShortRemovesNothing) {
  NodeObjectCache cache;
  cache.apply(event(Type::Added, pod("web", 3), 3));
  cache.apply(event(Type::Reset));
  cache.connection_lost();
  EXPECT_TRUE(cache.apply(event(Type::Synced, nullptr, 5)).empty());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.resume_version(), 5);
}

TEST(NodeObjectCache, OnlyEventsWithAResumePointMoveIt) {
  NodeObjectCache cache;
  cache.apply(event(Type::Bookmark, nullptr, 20));
  cache.apply(event(Type::Reset));
  cache.apply(event(Type::Added, pod("web", 30)));
  EXPECT_EQ(cache.resume_version(), 20);
}

TEST(ReportQueue, LatestStatusWinsAndDeletionSupersedes) {
  ReportQueue queue;
  const PodRef web{"default", "web", "u1"}, api{"default", "api", "u2"};
  queue.add_status(web, {{"phase", "Pending"}});
  queue.add_status(api, {{"phase", "Running"}});
  queue.add_status(web, {{"phase", "Running"}});
  auto reports = queue.take();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].pod, api);
  EXPECT_EQ(reports[1].pod, web);
  EXPECT_EQ(reports[1].status["phase"], "Running");
  EXPECT_TRUE(queue.empty());

  queue.add_status(web, {{"phase", "Running"}});
  queue.add_deletion(web);
  queue.add_status(web, {{"phase", "Succeeded"}});  // after the confirmation: nothing to say
  reports = queue.take();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].type, PodReport::Type::Deletion);
}

TEST(ReportQueue, ARetryDoesNotOverwriteNewerNews) {
  ReportQueue queue;
  const PodRef web{"default", "web", "u1"};
  queue.add_status(web, {{"phase", "Pending"}});
  auto failed = queue.take();
  queue.add_status(web, {{"phase", "Running"}});
  queue.retry(failed[0]);
  auto reports = queue.take();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].status["phase"], "Running");

  queue.retry(reports[0]);  // nothing newer: it goes back
  EXPECT_FALSE(queue.empty());
}

}  // namespace
}  // namespace skiff::agent::nodeclient
