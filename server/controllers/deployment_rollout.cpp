#include "server/controllers/deployment_rollout.h"

#include <algorithm>

#include "server/controllers/deployment_util.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {
namespace {

std::int32_t total_replicas(const std::vector<ReplicaSetState>& rss) {
  std::int32_t sum = 0;
  for (const auto& rs : rss) sum += rs.replicas;
  return sum;
}

// A ReplicaSet just scaled down still reports the availability of pods its controller is about
// to remove; counting more than spec.replicas would let a rollout scale the rest down too and
// drop below minAvailable.
std::int32_t counted_available(const ReplicaSetState& rs) {
  return std::min(rs.available, rs.replicas);
}

std::int32_t total_available(const std::vector<ReplicaSetState>& rss) {
  std::int32_t sum = 0;
  for (const auto& rs : rss) sum += counted_available(rs);
  return sum;
}

void sort_oldest_first(std::vector<ReplicaSetState>& rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const auto& a, const auto& b) {
    return a.created != b.created ? a.created < b.created : a.name < b.name;
  });
}

// Records (or updates) a scale action for `rs`.
void record(std::vector<ScaleAction>& actions, const ReplicaSetState& rs) {
  for (auto& a : actions) {
    if (a.name == rs.name) {
      a.replicas = rs.replicas;
      return;
    }
  }
  actions.push_back({rs.name, rs.replicas});
}

}  // namespace

RolloutParams rollout_params(const Json& deployment) {
  RolloutParams p;
  p.replicas = desired_replicas(deployment);
  p.recreate = !is_rolling_update(deployment);
  p.max_surge = max_surge(deployment);
  p.max_unavailable = max_unavailable(deployment);
  return p;
}

ReplicaSetState replicaset_state(const Json& replicaset) {
  ReplicaSetState s;
  s.name = json::string_at(replicaset, {"metadata", "name"});
  s.replicas = desired_replicas(replicaset);
  s.available =
      static_cast<std::int32_t>(json::int_at(replicaset, {"status", "availableReplicas"}));
  s.pods = static_cast<std::int32_t>(json::int_at(replicaset, {"status", "replicas"}));
  s.created = json::string_at(replicaset, {"metadata", "creationTimestamp"});
  return s;
}

std::int32_t new_replicaset_target(const RolloutParams& p, const std::vector<ReplicaSetState>& all,
                                   std::int32_t new_replicas) {
  if (p.recreate) return p.replicas;
  std::int32_t current = 0;
  for (const auto& rs : all) current += std::max(rs.replicas, rs.pods);
  const std::int32_t max_total = p.replicas + p.max_surge;
  if (current >= max_total) return new_replicas;
  const std::int32_t scale_up = std::min(max_total - current, p.replicas - new_replicas);
  return new_replicas + std::max(scale_up, 0);
}

std::vector<ScaleAction> reconcile_old_replicasets(const RolloutParams& p,
                                                   const ReplicaSetState& new_rs,
                                                   const std::vector<ReplicaSetState>& old) {
  std::vector<ScaleAction> actions;
  std::vector<ReplicaSetState> active;
  for (const auto& rs : old) {
    if (rs.replicas > 0) active.push_back(rs);
  }
  if (active.empty()) return actions;
  sort_oldest_first(active);

  std::vector<ReplicaSetState> all = old;
  all.push_back(new_rs);
  const std::int32_t all_pods = total_replicas(all);
  const std::int32_t min_available = p.replicas - p.max_unavailable;
  const std::int32_t new_unavailable = new_rs.replicas - counted_available(new_rs);
  const std::int32_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return actions;

  // First remove replicas that are not available anyway: they do not count towards
  // availability, so removing them costs nothing and unblocks stuck rollouts.
  std::int32_t cleaned = 0;
  for (auto& rs : active) {
    if (cleaned >= max_scaled_down) break;
    const std::int32_t unhealthy = rs.replicas - counted_available(rs);
    if (rs.replicas == 0 || unhealthy <= 0) continue;
    const std::int32_t down = std::min(max_scaled_down - cleaned, unhealthy);
    rs.replicas -= down;
    cleaned += down;
    record(actions, rs);
  }

  // Then scale down available replicas while keeping minAvailable.
  std::vector<ReplicaSetState> after_cleanup = active;
  after_cleanup.push_back(new_rs);
  const std::int32_t available = total_available(after_cleanup);
  if (available <= min_available) return actions;
  const std::int32_t to_scale_down = available - min_available;
  std::int32_t scaled = 0;
  for (auto& rs : active) {
    if (scaled >= to_scale_down) break;
    if (rs.replicas == 0) continue;
    const std::int32_t down = std::min(rs.replicas, to_scale_down - scaled);
    rs.replicas -= down;
    scaled += down;
    record(actions, rs);
  }
  return actions;
}

RolloutStep rolling_update_step(const RolloutParams& p,
                                const std::optional<ReplicaSetState>& new_rs,
                                const std::vector<ReplicaSetState>& old) {
  RolloutStep step;
  ReplicaSetState current_new;
  if (!new_rs) {
    // Created at the size the surge allows; the same sync then goes on to the old ones.
    const std::int32_t replicas = new_replicaset_target(p, old, 0);
    step.create_new_with = replicas;
    current_new.replicas = replicas;
  } else {
    current_new = *new_rs;
    std::vector<ReplicaSetState> all = old;
    all.push_back(current_new);
    std::int32_t target = current_new.replicas > p.replicas
                              ? p.replicas
                              : new_replicaset_target(p, all, current_new.replicas);
    if (target != current_new.replicas) {
      step.scale.push_back({current_new.name, target});
      // Any change to the new ReplicaSet ends this sync, as in Kubernetes.
      return step;
    }
  }
  step.scale = reconcile_old_replicasets(p, current_new, old);
  return step;
}

RolloutStep recreate_step(const RolloutParams& p, const std::optional<ReplicaSetState>& new_rs,
                          const std::vector<ReplicaSetState>& old, bool old_pods_exist) {
  RolloutStep step;
  for (const auto& rs : old) {
    if (rs.replicas > 0) step.scale.push_back({rs.name, 0});
  }
  if (!step.scale.empty() || old_pods_exist) return step;
  if (!new_rs) {
    step.create_new_with = p.replicas;
  } else if (new_rs->replicas != p.replicas) {
    step.scale.push_back({new_rs->name, p.replicas});
  }
  return step;
}

}  // namespace skiff::controllers
