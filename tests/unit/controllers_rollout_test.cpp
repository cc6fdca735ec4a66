// Rolling update and Recreate step math, table by table, and a simulation of a whole rolling
// update (v1 -> v2, 10 replicas, 25%/25%) that checks the availability and surge bounds at every
// observed state.
#include <gtest/gtest.h>

#include <algorithm>

#include "server/controllers/deployment_rollout.h"

namespace skiff::controllers {

// Found by argument-dependent lookup, so gtest prints a failed step as "old->8" (inside the
// anonymous namespace below it was never found, and failures printed raw bytes).
void PrintTo(const ScaleAction& a, std::ostream* os) {
  *os << a.name << "->" << a.replicas;
}

namespace {

const RolloutParams k10 = {10, 3, 2, false};  // 10 replicas, 25%/25%

ReplicaSetState state(const std::string& name, int replicas, int available,
                      const std::string& created = "2026-01-01T00:00:00Z") {
  return {name, replicas, available, created};
}

TEST(RolloutParams, FromDeployment) {
  const Json d = {{"spec", {{"replicas", 10}}}};
  const RolloutParams p = rollout_params(d);
  EXPECT_EQ(p.replicas, 10);
  EXPECT_EQ(p.max_surge, 3);
  EXPECT_EQ(p.max_unavailable, 2);
  EXPECT_FALSE(p.recreate);
  const Json rs = {{"metadata", {{"name", "web-1"}, {"creationTimestamp", "t"}}},
                   {"spec", {{"replicas", 4}}},
                   {"status", {{"availableReplicas", 3}}}};
  const ReplicaSetState s = replicaset_state(rs);
  EXPECT_EQ(s.name, "web-1");
  EXPECT_EQ(s.replicas, 4);
  EXPECT_EQ(s.available, 3);
}

TEST(RollingUpdate, NewReplicaSetTarget) {
  struct Case {
    const char* name;
    std::vector<ReplicaSetState> all;
    int new_replicas;
    int want;
  };
  const std::vector<Case> cases = {
      {"fresh rollout surges by 3", {state("old", 10, 10), state("new", 0, 0)}, 0, 3},
      {"at the surge limit", {state("old", 10, 10), state("new", 3, 0)}, 3, 3},
      {"room after old scaled down", {state("old", 8, 8), state("new", 3, 0)}, 3, 5},
      {"never beyond replicas", {state("old", 0, 0), state("new", 9, 9)}, 9, 10},
      {"scale up without rollout", {state("new", 3, 3)}, 3, 10},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(new_replicaset_target(k10, c.all, c.new_replicas), c.want) << c.name;
  }
  EXPECT_EQ(new_replicaset_target({10, 0, 0, true}, {state("old", 10, 10)}, 0), 10) << "Recreate";
}

TEST(RollingUpdate, OldReplicaSetsScaleDownKeepingMinAvailable) {
  struct Case {
    const char* name;
    ReplicaSetState new_rs;
    std::vector<ReplicaSetState> old;
    std::vector<ScaleAction> want;
  };
  const std::vector<Case> cases = {
      {"new not available yet: only down to minAvailable",
       state("new", 3, 0),
       {state("old", 10, 10)},
       {{"old", 8}}},
      {"at minAvailable: nothing", state("new", 5, 0), {state("old", 8, 8)}, {}},
      {"new pods became available", state("new", 5, 5), {state("old", 8, 8)}, {{"old", 3}}},
      {"unhealthy old replicas first: 13 pods - 8 min - 3 unavailable new = 2",
       state("new", 3, 0),
       {state("old", 10, 6)},
       {{"old", 8}}},
      {"cleanup and then available scale-down in one step",
       state("new", 3, 3),
       {state("old", 10, 8)},
       {{"old", 5}}},
      {"oldest ReplicaSet first",
       state("new", 3, 3),
       {state("mid", 4, 4, "2026-01-02T00:00:00Z"), state("oldest", 6, 6, "2026-01-01T00:00:00Z")},
       {{"oldest", 1}}},
      {"spills into the next old ReplicaSet",
       state("new", 6, 6),
       {state("mid", 4, 4, "2026-01-02T00:00:00Z"), state("oldest", 3, 3, "2026-01-01T00:00:00Z")},
       {{"oldest", 0}, {"mid", 2}}},
      {"scaled-down old ReplicaSets are ignored", state("new", 10, 10), {state("old", 0, 0)}, {}},
      {"an old ReplicaSet's status that lags its scale-down counts no more than its spec: "
       "10 pods - 8 min = 2 (not 5 from the stale availableReplicas)",
       state("new", 5, 5),
       {state("old", 5, 8)},
       {{"old", 3}}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(reconcile_old_replicasets(k10, c.new_rs, c.old), c.want) << c.name;
  }
}

TEST(RollingUpdate, StepCreatesThenScales) {
  // No new ReplicaSet: create it at the surge size and scale old down in the same sync.
  RolloutStep step = rolling_update_step(k10, std::nullopt, {state("old", 10, 10)});
  EXPECT_EQ(step.create_new_with, 3);
  EXPECT_EQ(step.scale, (std::vector<ScaleAction>{{"old", 8}}));

  // A scale of the new ReplicaSet ends the sync.
  step = rolling_update_step(k10, state("new", 3, 3), {state("old", 8, 8)});
  EXPECT_FALSE(step.create_new_with);
  EXPECT_EQ(step.scale, (std::vector<ScaleAction>{{"new", 5}}));

  // More than wanted (scale-down of the deployment): straight down.
  step = rolling_update_step(k10, state("new", 12, 12), {});
  EXPECT_EQ(step.scale, (std::vector<ScaleAction>{{"new", 10}}));

  // Done.
  EXPECT_TRUE(rolling_update_step(k10, state("new", 10, 10), {state("old", 0, 0)}).idle());
}

TEST(Recreate, OldToZeroThenNewOnceOldPodsAreGone) {
  const RolloutParams p = {3, 0, 0, true};
  RolloutStep step = recreate_step(p, std::nullopt, {state("old", 3, 3)}, true);
  EXPECT_EQ(step.scale, (std::vector<ScaleAction>{{"old", 0}}));
  EXPECT_FALSE(step.create_new_with);
  step = recreate_step(p, std::nullopt, {state("old", 0, 0)}, true);
  EXPECT_TRUE(step.idle()) << "waits for old pods to terminate";
  step = recreate_step(p, std::nullopt, {state("old", 0, 0)}, false);
  EXPECT_EQ(step.create_new_with, 3);
  step = recreate_step(p, state("new", 1, 0), {state("old", 0, 0)}, false);
  EXPECT_EQ(step.scale, (std::vector<ScaleAction>{{"new", 3}}));
}

// ---- simulation ---------------------------------------------------------------------------------

struct SimPod {
  bool ready = false;
  int age = 0;  // ticks since creation
};

struct SimReplicaSet {
  std::string name;
  std::string created;
  int replicas = 0;
  std::vector<SimPod> pods;
  int available() const {
    return static_cast<int>(
        std::count_if(pods.begin(), pods.end(), [](auto& p) { return p.ready; }));
  }
  ReplicaSetState state() const { return {name, replicas, available(), created}; }
};

struct Cluster {
  std::vector<SimReplicaSet> rss;
  int total_pods() const {
    int n = 0;
    for (const auto& rs : rss) n += static_cast<int>(rs.pods.size());
    return n;
  }
  int ready_pods() const {
    int n = 0;
    for (const auto& rs : rss) n += rs.available();
    return n;
  }
  SimReplicaSet* find(const std::string& name) {
    for (auto& rs : rss) {
      if (rs.name == name) return &rs;
    }
    return nullptr;
  }
};

TEST(RollingUpdateSimulation, V1ToV2NeverBreaksTheBounds) {
  const RolloutParams p = k10;
  Cluster cluster;
  cluster.rss.push_back({"web-v1", "2026-01-01T00:00:00Z", 10, std::vector<SimPod>(10, {true, 9})});
  int observed = 0;
  auto check = [&](const char* phase, int tick) {
    ++observed;
    EXPECT_GE(cluster.ready_pods(), p.replicas - p.max_unavailable) << phase << " tick " << tick;
    EXPECT_LE(cluster.total_pods(), p.replicas + p.max_surge) << phase << " tick " << tick;
  };

  bool done = false;
  for (int tick = 0; tick < 100 && !done; ++tick) {
    // 1. The deployment controller syncs (v2 is the template now).
    std::optional<ReplicaSetState> new_rs;
    std::vector<ReplicaSetState> old;
    for (const auto& rs : cluster.rss) {
      if (rs.name == "web-v2") {
        new_rs = rs.state();
      } else {
        old.push_back(rs.state());
      }
    }
    const RolloutStep step = rolling_update_step(p, new_rs, old);
    if (step.create_new_with) {
      cluster.rss.push_back({"web-v2", "2026-01-02T00:00:00Z", *step.create_new_with, {}});
    }
    for (const ScaleAction& a : step.scale) cluster.find(a.name)->replicas = a.replicas;
    check("after deployment sync", tick);

    // 2. The ReplicaSet controllers: delete surplus pods (not ready first), create missing ones.
    for (auto& rs : cluster.rss) {
      while (static_cast<int>(rs.pods.size()) > rs.replicas) {
        auto victim =
            std::find_if(rs.pods.begin(), rs.pods.end(), [](auto& pod) { return !pod.ready; });
        rs.pods.erase(victim == rs.pods.end() ? rs.pods.begin() : victim);
      }
      while (static_cast<int>(rs.pods.size()) < rs.replicas) rs.pods.push_back({false, 0});
    }
    check("after replicaset sync", tick);

    // 3. The kubelet: a pod becomes ready two ticks after it was created.
    for (auto& rs : cluster.rss) {
      for (auto& pod : rs.pods) {
        if (++pod.age >= 2) pod.ready = true;
      }
    }
    check("after kubelet", tick);

    const SimReplicaSet* v2 = cluster.find("web-v2");
    const SimReplicaSet* v1 = cluster.find("web-v1");
    done = v2 && v2->available() == p.replicas && v1->pods.empty() && v1->replicas == 0;
  }
  EXPECT_TRUE(done) << "the rollout must finish";
  EXPECT_GT(observed, 9) << "the rollout should take several steps";
  EXPECT_EQ(cluster.find("web-v2")->replicas, 10);
}

TEST(RollingUpdateSimulation, StuckNewPodsDoNotTakeAvailabilityDown) {
  // v2 pods never become ready: the rollout must stop at the bounds, not drain v1.
  Cluster cluster;
  cluster.rss.push_back({"web-v1", "2026-01-01T00:00:00Z", 10, std::vector<SimPod>(10, {true, 9})});
  for (int tick = 0; tick < 20; ++tick) {
    std::optional<ReplicaSetState> new_rs;
    if (auto* v2 = cluster.find("web-v2")) new_rs = v2->state();
    const RolloutStep step = rolling_update_step(k10, new_rs, {cluster.find("web-v1")->state()});
    if (step.create_new_with) {
      cluster.rss.push_back({"web-v2", "2026-01-02T00:00:00Z", *step.create_new_with, {}});
    }
    for (const ScaleAction& a : step.scale) cluster.find(a.name)->replicas = a.replicas;
    for (auto& rs : cluster.rss) {
      while (static_cast<int>(rs.pods.size()) > rs.replicas) rs.pods.pop_back();
      while (static_cast<int>(rs.pods.size()) < rs.replicas) rs.pods.push_back({false, 0});
    }
    EXPECT_GE(cluster.ready_pods(), 8);
    EXPECT_LE(cluster.total_pods(), 13);
  }
  EXPECT_EQ(cluster.find("web-v1")->replicas, 8);
  EXPECT_EQ(cluster.find("web-v2")->replicas, 5);
}

}  // namespace
}  // namespace skiff::controllers
