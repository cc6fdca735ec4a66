#pragma once
// The Deployment controller's step functions: given the deployment's bounds and the current
// ReplicaSets, which ReplicaSets to create or scale now. One call is one sync; the caller writes
// the result through the API and calls again when anything changes (level-triggered). Mirrors
// Kubernetes' rolloutRolling (reconcileNewReplicaSet, reconcileOldReplicaSets with
// cleanupUnhealthyReplicas first) and rolloutRecreate.
//
// Not here: proportional scaling of several active ReplicaSets when spec.replicas changes in the
// middle of a rollout (the new ReplicaSet absorbs the change through the rolling math instead).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::controllers {

struct RolloutParams {
  std::int32_t replicas = 1;
  std::int32_t max_surge = 0;        // resolved (see resolve_fenceposts)
  std::int32_t max_unavailable = 0;  // resolved, capped at replicas
  bool recreate = false;
};
// From a Deployment (defaults applied as the API would).
RolloutParams rollout_params(const Json& deployment);

struct ReplicaSetState {
  std::string name;
  std::int32_t replicas = 0;   // spec.replicas
  std::int32_t available = 0;  // status.availableReplicas
  std::string created;         // metadata.creationTimestamp: older ReplicaSets scale down first
  std::int32_t pods = 0;       // status.replicas: the pods it still has (scale-down lags spec)
};
ReplicaSetState replicaset_state(const Json& replicaset);

struct ScaleAction {
  std::string name;
  std::int32_t replicas = 0;  // the new spec.replicas
  bool operator==(const ScaleAction&) const = default;
};

struct RolloutStep {
  // Create the new ReplicaSet (see build_new_replicaset) with this many replicas.
  std::optional<std::int32_t> create_new_with;
  std::vector<ScaleAction> scale;  // applied in order
  bool idle() const { return !create_new_with && scale.empty(); }
};

// How many replicas the new ReplicaSet should have now: up to replicas + maxSurge pods in total
// (counting for every ReplicaSet the larger of spec.replicas and the pods it still has, so that
// a scale-down not yet carried out does not make room twice), never more than spec.replicas.
// Recreate: all.
std::int32_t new_replicaset_target(const RolloutParams& p, const std::vector<ReplicaSetState>& all,
                                   std::int32_t new_replicas);

// Scale-downs of old ReplicaSets that keep at least replicas - maxUnavailable available:
// unhealthy (unavailable) replicas of the oldest ReplicaSets go first, then available ones.
std::vector<ScaleAction> reconcile_old_replicasets(const RolloutParams& p,
                                                   const ReplicaSetState& new_rs,
                                                   const std::vector<ReplicaSetState>& old);

// One RollingUpdate sync. `new_rs` is absent when no ReplicaSet matches the template yet.
RolloutStep rolling_update_step(const RolloutParams& p,
                                const std::optional<ReplicaSetState>& new_rs,
                                const std::vector<ReplicaSetState>& old);

// One Recreate sync: scale every old ReplicaSet to 0; once `old_pods_exist` is false, create
// or scale the new one to spec.replicas.
RolloutStep recreate_step(const RolloutParams& p, const std::optional<ReplicaSetState>& new_rs,
                          const std::vector<ReplicaSetState>& old, bool old_pods_exist);

}  // namespace skiff::controllers
