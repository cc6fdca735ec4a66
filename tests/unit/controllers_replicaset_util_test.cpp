// ReplicaSet helpers: readiness/availability with minReadySeconds, the scale-down order
// Kubernetes uses, and the status computed from pods.
#include <gtest/gtest.h>
#include <functional>

#include "server/controllers/informer.h"
#include "server/controllers/ownership.h"
#include "server/controllers/replicaset_util.h"

namespace skiff::controllers {
namespace {

const TimePoint kClockNow = *api::parse_rfc3339("2026-01-01T12:00:00Z");

Json pod(const std::string& name, const std::string& node, const std::string& phase, bool ready,
         const std::string& ready_since = "2026-01-01T11:00:00Z", int restarts = 0,
         const std::string& created = "2026-01-01T10:00:00Z") {
  Json p = {
      {"metadata", {{"name", name}, {"creationTimestamp", created}, {"labels", {{"app", "web"}}}}},
      {"spec", Json::object()},
      {"status",
       {{"phase", phase},
        {"conditions",
         {{{"type", "Ready"},
           {"status", ready ? "True" : "False"},
           {"lastTransitionTime", ready_since}}}},
        {"containerStatuses", {{{"name", "c"}, {"restartCount", restarts}}}}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

std::vector<ObjectPtr> shared(std::vector<Json> pods) {
  std::vector<ObjectPtr> objects;
  for (Json& pod : pods) objects.push_back(std::make_shared<const Json>(std::move(pod)));
  return objects;
}

TEST(PodAvailability, ReadyForMinReadySeconds) {
  const Json ready_long = pod("a", "n", "Running", true, "2026-01-01T11:59:00Z");
  EXPECT_TRUE(is_pod_ready(ready_long));
  EXPECT_TRUE(is_pod_available(ready_long, 0, kClockNow));
  EXPECT_TRUE(is_pod_available(ready_long, 59, kClockNow));
  EXPECT_FALSE(is_pod_available(ready_long, 60, kClockNow)) << "strictly longer, as Kubernetes";
  EXPECT_EQ(time_until_available(ready_long, 60, kClockNow), std::chrono::seconds(1));
  EXPECT_EQ(time_until_available(ready_long, 90, kClockNow), std::chrono::seconds(31));
  EXPECT_EQ(time_until_available(ready_long, 10, kClockNow), std::nullopt) << "already available";
  const Json not_ready = pod("b", "n", "Running", false);
  EXPECT_FALSE(is_pod_available(not_ready, 0, kClockNow));
  EXPECT_EQ(time_until_available(not_ready, 10, kClockNow), std::nullopt);
  EXPECT_FALSE(is_pod_ready(Json::object()));
}

TEST(PodActivity, TerminalAndDeletedPodsDoNotCount) {
  EXPECT_TRUE(is_pod_active(pod("a", "n", "Running", true)));
  EXPECT_TRUE(is_pod_active(pod("a", "", "Pending", false)));
  EXPECT_FALSE(is_pod_active(pod("a", "n", "Succeeded", false)));
  EXPECT_FALSE(is_pod_active(pod("a", "n", "Failed", false)));
  Json deleting = pod("a", "n", "Running", true);
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T11:00:00Z";
  EXPECT_FALSE(is_pod_active(deleting));
  Json owned = pod("a", "n", "Running", true);
  owned["metadata"]["ownerReferences"] = {{{"uid", "rs-1"}, {"controller", true}}};
  EXPECT_TRUE(is_controlled_by(owned, "rs-1"));
  EXPECT_FALSE(is_controlled_by(owned, "rs-2"));
  owned["metadata"]["ownerReferences"][0]["controller"] = false;
  EXPECT_FALSE(is_controlled_by(owned, "rs-1")) << "an owner that is not the controller";
}

TEST(PodChanges, OnlyWhatTheSyncReadsQueuesTheReplicaSet) {
  const Json pending = pod("a", "", "Pending", false);
  struct Case {
    const char* name;
    std::function<void(Json&)> change;
    bool seen;
  };
  const std::vector<Case> cases = {
      {"bound to a node", [](Json& p) { p["spec"]["nodeName"] = "n"; }, false},
      {"container restarted",
       [](Json& p) { p["status"]["containerStatuses"][0]["restartCount"] = 3; }, false},
      {"pod IP", [](Json& p) { p["status"]["podIP"] = "10.42.0.7"; }, false},
      {"nothing", [](Json&) {}, false},
      {"relabelled", [](Json& p) { p["metadata"]["labels"]["app"] = "other"; }, true},
      {"released", [](Json& p) { p["metadata"]["ownerReferences"] = Json::array(); }, true},
      {"deleted", [](Json& p) { p["metadata"]["deletionTimestamp"] = "2026-01-01T12:00:00Z"; },
       true},
      {"running", [](Json& p) { p["status"]["phase"] = "Running"; }, true},
      {"ready", [](Json& p) { p["status"]["conditions"][0]["status"] = "True"; }, true},
      {"ready again later",
       [](Json& p) { p["status"]["conditions"][0]["lastTransitionTime"] = "2026-01-01T11:30:00Z"; },
       true},
      {"no Ready condition", [](Json& p) { p["status"].erase("conditions"); }, true},
  };
  for (const auto& c : cases) {
    Json changed = pending;
    c.change(changed);
    EXPECT_EQ(replicaset_sees_change(pending, changed), c.seen) << c.name;
  }
}

TEST(Ownership, TheControllerUidAndTheOrphansIndex) {
  Json pod = {{"metadata", {{"name", "p"}, {"namespace", "shop"}}}};
  EXPECT_EQ(controller_uid(pod), nullptr);
  EXPECT_EQ(orphan_namespace_index(pod), std::vector<std::string>{"shop"});
  pod["metadata"]["ownerReferences"] = {{{"uid", "u-owner"}, {"kind", "Thing"}}};
  EXPECT_EQ(controller_uid(pod), nullptr) << "an owner that is not the controller";
  EXPECT_EQ(orphan_namespace_index(pod), std::vector<std::string>{"shop"});
  pod["metadata"]["ownerReferences"].push_back({{"uid", "u-rs"}, {"controller", true}});
  ASSERT_NE(controller_uid(pod), nullptr);
  EXPECT_EQ(*controller_uid(pod), "u-rs");
  EXPECT_TRUE(orphan_namespace_index(pod).empty());
  EXPECT_EQ(controller_uid_index(pod), std::vector<std::string>{"u-rs"});
}

TEST(ScaleDownOrder, DeletesWhatKubernetesDeletesFirst) {
  struct Case {
    const char* name;
    Json first;  // deleted first
    Json second;
  };
  const std::vector<Case> cases = {
      {"unassigned before assigned", pod("a", "", "Pending", false),
       pod("b", "n", "Pending", false)},
      {"Pending before Running", pod("a", "n", "Pending", false), pod("b", "n", "Running", false)},
      {"Unknown before Running", pod("a", "n", "Unknown", false), pod("b", "n", "Running", false)},
      {"Pending before Unknown", pod("a", "n", "Pending", false), pod("b", "n", "Unknown", false)},
      {"not ready before ready", pod("a", "n", "Running", false), pod("b", "n", "Running", true)},
      {"ready for less time first", pod("a", "n", "Running", true, "2026-01-01T11:30:00Z"),
       pod("b", "n", "Running", true, "2026-01-01T11:00:00Z")},
      {"more restarts first", pod("a", "n", "Running", true, "2026-01-01T11:00:00Z", 5),
       pod("b", "n", "Running", true, "2026-01-01T11:00:00Z", 1)},
      {"newer first",
       pod("a", "n", "Running", true, "2026-01-01T11:00:00Z", 0, "2026-01-01T10:30:00Z"),
       pod("b", "n", "Running", true, "2026-01-01T11:00:00Z", 0, "2026-01-01T10:00:00Z")},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(delete_before(c.first, c.second)) << c.name;
    EXPECT_FALSE(delete_before(c.second, c.first)) << c.name;
  }
  const std::vector<ObjectPtr> pods =
      shared({pod("running", "n", "Running", true), pod("unscheduled", "", "Pending", false),
              pod("not-ready", "n", "Running", false)});
  const std::vector<ObjectPtr> victims = pods_to_delete(pods, 2);
  ASSERT_EQ(victims.size(), 2u);
  EXPECT_EQ((*victims[0])["metadata"]["name"], "unscheduled");
  EXPECT_EQ((*victims[1])["metadata"]["name"], "not-ready");
  EXPECT_EQ(pods_to_delete(pods, 10).size(), 3u);
}

TEST(ReplicaSetStatus, CountsFromPods) {
  const Json rs = {{"metadata", {{"name", "web-x"}, {"generation", 4}}},
                   {"spec",
                    {{"replicas", 4},
                     {"minReadySeconds", 120},
                     {"template", {{"metadata", {{"labels", {{"app", "web"}, {"tier", "fe"}}}}}}}}},
                   {"status", {{"conditions", Json::array()}}}};
  Json labelled = pod("a", "n", "Running", true, "2026-01-01T11:00:00Z");
  labelled["metadata"]["labels"]["tier"] = "fe";
  const std::vector<ObjectPtr> pods =
      shared({labelled, pod("b", "n", "Running", true, "2026-01-01T11:59:00Z"),
              pod("c", "n", "Running", false)});
  const Json status = replicaset_status(rs, pods, kClockNow);
  EXPECT_EQ(status["replicas"], 3);
  EXPECT_EQ(status["fullyLabeledReplicas"], 1);
  EXPECT_EQ(status["readyReplicas"], 2);
  EXPECT_EQ(status["availableReplicas"], 1) << "b has been ready for only 60s of 120";
  EXPECT_EQ(status["observedGeneration"], 4);
  EXPECT_TRUE(status.contains("conditions"));
}

}  // namespace
}  // namespace skiff::controllers
