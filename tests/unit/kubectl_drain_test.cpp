// Which pods drain evicts or refuses, and how it words that (drain_filters.h).
#include <gtest/gtest.h>

#include "pkg/kubectl/drain_filters.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {
namespace {

Json pod(const std::string& name, const std::string& owner_kind = "", Json extra = Json::object()) {
  Json p = {{"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", Json::object()},
            {"status", {{"phase", "Running"}}}};
  if (!owner_kind.empty())
    p["metadata"]["ownerReferences"] = {
        {{"kind", owner_kind}, {"name", name + "-owner"}, {"controller", true}}};
  p.merge_patch(extra);
  return p;
}

DaemonSetLookup exists(const std::string&, const std::string&) {
  return {true, false, ""};
}
DaemonSetLookup missing(const std::string&, const std::string& name) {
  return {false, true, "daemonsets.apps \"" + name + "\" not found"};
}

using Kind = PodDrainVerdict::Kind;

TEST(KubectlDrain, ReplicaSetPodsAreEvicted) {
  auto v = drain_verdict(pod("a", "ReplicaSet"), {}, exists);
  EXPECT_TRUE(v.evict);
  EXPECT_EQ(v.kind, Kind::Okay);
}

TEST(KubectlDrain, PodsWithoutControllerNeedForce) {
  auto refused = drain_verdict(pod("bare"), {}, exists);
  EXPECT_FALSE(refused.evict);
  EXPECT_EQ(refused.kind, Kind::Error);
  EXPECT_EQ(refused.message,
            "cannot delete Pods that declare no controller (use --force to override)");
  auto forced = drain_verdict(pod("bare"), {.force = true}, exists);
  EXPECT_TRUE(forced.evict);
  EXPECT_EQ(forced.kind, Kind::Warning);
  EXPECT_EQ(forced.message, "deleting Pods that declare no controller");
}

TEST(KubectlDrain, FinishedPodsAlwaysGo) {
  auto done = pod("done", "", {{"status", {{"phase", "Succeeded"}}}});
  EXPECT_TRUE(drain_verdict(done, {}, exists).evict);
}

TEST(KubectlDrain, DaemonSetPods) {
  auto refused = drain_verdict(pod("ds", "DaemonSet"), {}, exists);
  EXPECT_FALSE(refused.evict);
  EXPECT_EQ(refused.message, "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)");
  auto ignored = drain_verdict(pod("ds", "DaemonSet"), {.ignore_daemonsets = true}, exists);
  EXPECT_FALSE(ignored.evict);  // ignored means left alone, not evicted
  EXPECT_EQ(ignored.kind, Kind::Warning);
  EXPECT_EQ(ignored.message, "ignoring DaemonSet-managed Pods");
  auto orphan = drain_verdict(pod("ds", "DaemonSet"), {}, missing);
  EXPECT_EQ(orphan.kind, Kind::Error);
  EXPECT_EQ(orphan.message, "daemonsets.apps \"ds-owner\" not found");
  auto forced_orphan = drain_verdict(pod("ds", "DaemonSet"), {.force = true}, missing);
  EXPECT_TRUE(forced_orphan.evict);
}

TEST(KubectlDrain, MirrorPodsAreSkipped) {
  auto mirror =
      pod("static", "", {{"metadata", {{"annotations", {{"kubernetes.io/config.mirror", "x"}}}}}});
  auto v = drain_verdict(mirror, {}, exists);
  EXPECT_FALSE(v.evict);
  EXPECT_EQ(v.kind, Kind::Skip);
}

TEST(KubectlDrain, EmptyDirNeedsDeleteEmptydirData) {
  Json volumes = {{"spec", {{"volumes", {{{"name", "scratch"}, {"emptyDir", Json::object()}}}}}}};
  auto refused = drain_verdict(pod("cache", "ReplicaSet", volumes), {}, exists);
  EXPECT_EQ(refused.message, "Pods with local storage (use --delete-emptydir-data to override)");
  auto allowed =
      drain_verdict(pod("cache", "ReplicaSet", volumes), {.delete_emptydir_data = true}, exists);
  EXPECT_TRUE(allowed.evict);
  // kubectl keeps only the last filter's verdict: the local-storage warning is dropped.
  EXPECT_EQ(allowed.kind, Kind::Okay);
}

TEST(KubectlDrain, ErrorsAndWarningsAreGroupedByMessage) {
  Json pods = Json::array({pod("a"), pod("b"), pod("c", "ReplicaSet"), pod("d", "DaemonSet")});
  auto verdicts = drain_verdicts(pods, {}, exists);
  auto errors = drain_errors(verdicts);
  ASSERT_EQ(errors.size(), 2u);
  // kubectl 1.32 words it with "cannot delete" twice.
  EXPECT_EQ(errors[0],
            "cannot delete cannot delete Pods that declare no controller (use --force to "
            "override): default/a, default/b");
  EXPECT_EQ(errors[1],
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "
            "default/d");
  EXPECT_EQ(aggregate_errors(errors), "[" + errors[0] + ", " + errors[1] + "]");
  EXPECT_EQ(aggregate_errors({errors[0]}), errors[0]);

  auto forced = drain_verdicts(pods, {.force = true, .ignore_daemonsets = true}, exists);
  EXPECT_TRUE(drain_errors(forced).empty());
  EXPECT_EQ(drain_warnings(forced),
            "deleting Pods that declare no controller: default/a, default/b; ignoring "
            "DaemonSet-managed Pods: default/d");
  auto evict = pods_to_evict(forced);
  ASSERT_EQ(evict.size(), 3u);
  EXPECT_EQ(evict[2]["metadata"]["name"], "c");
}

TEST(KubectlDrain, NoPodsNothingToSay) {
  auto verdicts = drain_verdicts(Json(), {}, exists);
  EXPECT_TRUE(verdicts.empty());
  EXPECT_EQ(drain_warnings(verdicts), "");
  EXPECT_TRUE(drain_errors(verdicts).empty());
}

}  // namespace
}  // namespace skiff::kubectl
