// Scores and whole scheduling decisions: which node wins, deterministic ties, and the
// FailedScheduling message worded exactly as kube-scheduler words it.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "server/scheduler/schedule.h"
#include "server/scheduler/scores.h"

namespace skiff::scheduler {
namespace {

Json node(const std::string& name, const std::string& cpu = "4", const std::string& memory = "8Gi",
          Json spec = Json::object()) {
  return {{"metadata", {{"name", name}}},
          {"spec", spec},
          {"status",
           {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

Json pod(const std::string& name, const std::string& cpu = "", const std::string& memory = "",
         const std::string& owner_uid = "") {
  Json requests = Json::object();
  if (!cpu.empty()) requests["cpu"] = cpu;
  if (!memory.empty()) requests["memory"] = memory;
  Json p = {{"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec",
             {{"containers",
               {{{"name", "c"}, {"image", "x"}, {"resources", {{"requests", requests}}}}}}}}};
  if (!owner_uid.empty()) {
    p["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                         {"kind", "ReplicaSet"},
                                         {"name", "rs"},
                                         {"uid", owner_uid},
                                         {"controller", true}}};
  }
  return p;
}

Json on(Json p, const std::string& node_name) {
  p["spec"]["nodeName"] = node_name;
  return p;
}

// ---- scores ---------------------------------------------------------------------------------

TEST(ScoreLeastRequested, FreeFractionOfCpuAndMemoryAveraged) {
  struct Case {
    const char* name;
    std::vector<Json> running;
    Json pod;
    std::int64_t score;
  };
  // Node: 4 cpu, 8Gi.
  const std::vector<Case> cases = {
      {"empty node, 1 cpu 2Gi", {}, pod("p", "1", "2Gi"), (75 + 75) / 2},
      {"half used", {on(pod("a", "2", "4Gi"), "n")}, pod("p", "1", "2Gi"), (25 + 25) / 2},
      {"cpu full, memory free", {on(pod("a", "3", "0"), "n")}, pod("p", "1", "0"), (0 + 100) / 2},
      {"over-committed scores 0", {on(pod("a", "4", "8Gi"), "n")}, pod("p", "1", "1Gi"), 0},
      // No requests count as 100m / 200Mi: (3900/4000 -> 97) and (7992/8192 -> 97).
      {"request-less pod", {}, pod("p"), (97 + 97) / 2},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(score_least_requested(c.pod, make_snapshot(node("n"), c.running)), c.score) << c.name;
  }
  EXPECT_EQ(score_least_requested(pod("p", "1", "1Gi"), make_snapshot(node("n", "0", "0"))), 0);
}

TEST(ScoreOwnerSpread, FewerPodsOfTheSameOwnerScoreHigher) {
  const NodeSnapshot a = make_snapshot(
      node("a"), {on(pod("x1", "", "", "rs-1"), "a"), on(pod("x2", "", "", "rs-1"), "a"),
                  on(pod("other", "", "", "rs-2"), "a")});
  const NodeSnapshot b = make_snapshot(node("b"), {on(pod("x3", "", "", "rs-1"), "b")});
  const NodeSnapshot c = make_snapshot(node("c"), {on(pod("y", "", "", "rs-2"), "c")});
  Json other_namespace = on(pod("z", "", "", "rs-1"), "c");
  other_namespace["metadata"]["namespace"] = "other";
  NodeSnapshot c2 = c;
  c2.add_pod(other_namespace);

  EXPECT_EQ(score_owner_spread(pod("new", "", "", "rs-1"), {&a, &b, &c2}),
            (std::vector<std::int64_t>{0, 50, 100}));
  EXPECT_EQ(score_owner_spread(pod("new", "", "", "rs-9"), {&a, &b, &c}),
            (std::vector<std::int64_t>{100, 100, 100}));
  EXPECT_EQ(score_owner_spread(pod("orphan"), {&a, &b}), (std::vector<std::int64_t>{100, 100}));
}

TEST(ScorePreferNoSchedule, UntoleratedSoftTaintsLowerTheScore) {
  const NodeSnapshot soft = make_snapshot(
      node("s", "4", "8Gi",
           {{"taints", {{{"key", "spot"}, {"value", "yes"}, {"effect", "PreferNoSchedule"}}}}}));
  const NodeSnapshot clean = make_snapshot(node("c"));
  EXPECT_EQ(score_prefer_no_schedule(pod("p"), {&soft, &clean}),
            (std::vector<std::int64_t>{0, 100}));
  Json tolerant = pod("p");
  tolerant["spec"]["tolerations"] = {{{"key", "spot"}, {"operator", "Exists"}}};
  EXPECT_EQ(score_prefer_no_schedule(tolerant, {&soft, &clean}),
            (std::vector<std::int64_t>{100, 100}));
}

// ---- schedule ---------------------------------------------------------------------------------

TEST(Schedule, PicksTheLeastLoadedFeasibleNode) {
  const auto snapshots =
      build_snapshots({node("busy"), node("idle"), node("small", "500m", "1Gi")},
                      {on(pod("a", "3", "6Gi"), "busy"), on(pod("stray", "1"), "gone-node")});
  EXPECT_EQ(snapshots[0].pod_count, 1u);
  const ScheduleResult r = schedule(pod("p", "1", "1Gi"), snapshots);
  ASSERT_TRUE(r.scheduled()) << r.message;
  EXPECT_EQ(*r.node_name, "idle");
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].node, "small");
}

TEST(Schedule, PassesOverCordonedNodesUnlessThePodToleratesThem) {
  std::vector<Json> nodes;
  for (int i = 0; i < 50; ++i)
    nodes.push_back(node("c" + std::to_string(i), "4", "8Gi", {{"unschedulable", true}}));
  nodes.push_back(node("open"));
  const auto snapshots = build_snapshots(nodes, {});
  const ScheduleResult r = schedule(pod("p"), snapshots);
  ASSERT_TRUE(r.scheduled()) << r.message;
  EXPECT_EQ(*r.node_name, "open");
  EXPECT_TRUE(r.failures.empty()) << "cordoned nodes are passed over without a reason";

  Json tolerant = pod("t");
  tolerant["spec"]["tolerations"] = {{{"key", "node.kubernetes.io/unschedulable"},
                                      {"operator", "Exists"},
                                      {"effect", "NoSchedule"}}};
  std::set<std::string> chosen;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    chosen.insert(*schedule(tolerant, snapshots, seed).node_name);
  EXPECT_GT(chosen.size(), 1u) << "a pod that tolerates cordoning may go to cordoned nodes";
}

TEST(Schedule, SpreadsOneOwnersPodsAcrossNodes) {
  // Place 6 replicas one at a time, assuming each as the real loop does.
  auto snapshots = build_snapshots({node("a"), node("b"), node("c")}, {});
  std::map<std::string, int> per_node;
  for (int i = 0; i < 6; ++i) {
    const Json replica = pod("web-" + std::to_string(i), "100m", "128Mi", "rs-web");
    const ScheduleResult r = schedule(replica, snapshots, 42);
    ASSERT_TRUE(r.scheduled());
    ++per_node[*r.node_name];
    for (auto& s : snapshots) {
      if (s.name == *r.node_name) s.add_pod(on(replica, s.name));
    }
  }
  EXPECT_EQ(per_node, (std::map<std::string, int>{{"a", 2}, {"b", 2}, {"c", 2}}));
}

TEST(Schedule, TiesAreBrokenDeterministicallyBySeed) {
  const auto snapshots = build_snapshots({node("a"), node("b"), node("c"), node("d")}, {});
  std::set<std::string> chosen;
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    const auto first = schedule(pod("p"), snapshots, seed);
    const auto again = schedule(pod("p"), snapshots, seed);
    ASSERT_TRUE(first.scheduled());
    EXPECT_EQ(*first.node_name, *again.node_name);
    chosen.insert(*first.node_name);
  }
  EXPECT_GT(chosen.size(), 1u) << "different seeds should not always pick the same node";
}

TEST(Schedule, FailedSchedulingMessageAsKubeSchedulerWordsIt) {
  const Json control_plane_spec = {
      {"taints", {{{"key", "node-role.kubernetes.io/control-plane"}, {"effect", "NoSchedule"}}}}};
  struct Case {
    const char* name;
    std::vector<Json> nodes;
    std::vector<Json> pods;
    Json pod;
    std::string message;
  };
  Json never = pod("p", "", "16Gi");
  never["spec"]["preemptionPolicy"] = "Never";
  const std::vector<Case> cases = {
      {"the issue's example",
       {node("w", "4", "2Gi"), node("cp1", "4", "8Gi", control_plane_spec),
        node("cp2", "4", "8Gi", control_plane_spec)},
       {on(pod("big", "", "1Gi"), "w")},
       pod("p", "", "1500Mi"),
       "0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint "
       "{node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No "
       "preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."},
      {"request larger than any node",
       {node("a", "4", "2Gi"), node("b", "4", "2Gi"), node("c", "4", "8Gi", control_plane_spec)},
       {},
       pod("p", "", "4Gi"),
       "0/3 nodes are available: 1 node(s) had untolerated taint "
       "{node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes "
       "are available: 3 Preemption is not helpful for scheduling."},
      {"several reasons on one node are each counted",
       {node("a", "1", "1Gi"), node("b", "1", "1Gi")},
       {on(pod("x", "1", "1Gi"), "a"), on(pod("y", "1", "1Gi"), "b")},
       pod("p", "500m", "512Mi"),
       "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory. preemption: 0/2 "
       "nodes are available: 2 No preemption victims found for incoming pod."},
      {"cordoned and not ready",
       {node("a", "4", "8Gi", {{"unschedulable", true}}),
        [] {
          Json n = node("b");
          n["status"]["conditions"][0]["status"] = "False";
          return n;
        }()},
       {},
       pod("p"),
       "0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: "
       "}, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is "
       "not helpful for scheduling."},
      {"preemptionPolicy Never",
       {node("a")},
       {},
       never,
       "0/1 nodes are available: 1 Insufficient memory. preemption: not eligible due to "
       "preemptionPolicy=Never."},
      {"no nodes", {}, {}, pod("p"), "no nodes available to schedule pods"},
  };
  for (const auto& c : cases) {
    const ScheduleResult r = schedule(c.pod, build_snapshots(c.nodes, c.pods));
    EXPECT_FALSE(r.scheduled()) << c.name;
    EXPECT_EQ(r.message, c.message) << c.name;
  }
}

TEST(Schedule, CountsSortAsStringsLikeKubeScheduler) {
  // kube-scheduler sorts "<count> <reason>" strings, so "10 ..." sorts before "2 ...".
  std::vector<NodeFailure> failures;
  for (int i = 0; i < 10; ++i) {
    failures.push_back(
        {"n" + std::to_string(i), FilterResult::fail("node(s) were unschedulable", true)});
  }
  failures.push_back({"x", FilterResult::fail("Insufficient cpu", false)});
  failures.push_back({"y", FilterResult::fail("Insufficient cpu", false)});
  EXPECT_EQ(fit_error_message(pod("p"), 12, failures),
            "0/12 nodes are available: 10 node(s) were unschedulable, 2 Insufficient cpu. "
            "preemption: 0/12 nodes are available: 10 Preemption is not helpful for scheduling, 2 "
            "No preemption victims found for incoming pod.");
}

}  // namespace
}  // namespace skiff::scheduler

namespace skiff::scheduler {
namespace {

TEST(FeasibleNodesToFind, FollowsKubeSchedulersAdaptivePercentage) {
  EXPECT_EQ(feasible_nodes_to_find(3), 3u);
  EXPECT_EQ(feasible_nodes_to_find(99), 99u);
  EXPECT_EQ(feasible_nodes_to_find(100), 100u);  // 50% of 100 is below the floor of 100
  EXPECT_EQ(feasible_nodes_to_find(1000), 420u);
  EXPECT_EQ(feasible_nodes_to_find(5000), 500u);   // 10%
  EXPECT_EQ(feasible_nodes_to_find(10000), 500u);  // the 5% floor
}

}  // namespace
}  // namespace skiff::scheduler

namespace skiff::scheduler {
namespace {

Json with_host_port(Json p, int port) {
  p["spec"]["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", port}}};
  return p;
}

// The running sums must say what a recount of the node's pods would say, after any sequence of
// pods joining and leaving.
TEST(NodeUsage, SumsMatchARecountAfterPodsComeAndGo) {
  const Json n = node("n1");
  const Json a = on(with_host_port(pod("a", "250m", "1Gi", "rs-1"), 8080), "n1");
  const Json b = on(with_host_port(pod("b", "500m", "", "rs-1"), 8080), "n1");
  const Json c = on(pod("c", "", "2Gi", "rs-2"), "n1");

  NodeUsage sums;
  sums.add(pod_usage(a));
  sums.add(pod_usage(b));
  sums.add(pod_usage(c));
  sums.remove(pod_usage(a));
  NodeSnapshot from_sums = make_snapshot(n);
  sums.apply_to(from_sums);
  const NodeSnapshot recount = make_snapshot(n, {b, c});
  EXPECT_EQ(from_sums.pod_count, 2u);
  EXPECT_EQ(from_sums.requested, recount.requested);
  EXPECT_EQ(from_sums.nonzero_requested, recount.nonzero_requested);
  EXPECT_EQ(from_sums.pods_by_owner, recount.pods_by_owner);
  EXPECT_EQ(from_sums.used_ports, recount.used_ports);  // b still holds 8080
  // The cpu/memory/pods figures the filters and scores read follow the sums.
  EXPECT_EQ(from_sums.hot.requested_cpu, 500);
  EXPECT_EQ(from_sums.hot.requested_memory, recount.hot.requested_memory);
  EXPECT_EQ(from_sums.hot.nonzero_cpu, recount.hot.nonzero_cpu);
  EXPECT_EQ(from_sums.hot.nonzero_memory, recount.hot.nonzero_memory);
  EXPECT_EQ(from_sums.hot.allocatable_cpu, recount.hot.allocatable_cpu);
  EXPECT_GT(from_sums.hot.allocatable_pods, 0);

  sums.remove(pod_usage(b));
  sums.remove(pod_usage(c));
  sums.apply_to(from_sums);
  EXPECT_EQ(from_sums.pod_count, 0u);
  EXPECT_TRUE(from_sums.requested.empty());
  EXPECT_TRUE(from_sums.nonzero_requested.empty());
  EXPECT_TRUE(from_sums.pods_by_owner.empty());
  EXPECT_TRUE(from_sums.used_ports.empty());
  EXPECT_EQ(from_sums.hot.requested_cpu, 0);
  EXPECT_EQ(from_sums.hot.nonzero_memory, 0);
}

}  // namespace
}  // namespace skiff::scheduler
