#pragma once
// The Deployment status the controller writes: counters from its ReplicaSets and the Available
// and Progressing conditions, with the reasons and messages Kubernetes uses (kubectl rollout
// status and wait read them). Times are RFC 3339 strings as the API stores them.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/api/time.h"

namespace skiff::controllers {

// Condition reasons (k8s.io/kubernetes/pkg/controller/deployment/util).
inline constexpr const char* kReasonMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr const char* kReasonMinimumReplicasUnavailable = "MinimumReplicasUnavailable";
inline constexpr const char* kReasonNewReplicaSetCreated = "NewReplicaSetCreated";
inline constexpr const char* kReasonFoundNewReplicaSet = "FoundNewReplicaSet";
inline constexpr const char* kReasonReplicaSetUpdated = "ReplicaSetUpdated";
inline constexpr const char* kReasonNewReplicaSetAvailable = "NewReplicaSetAvailable";
inline constexpr const char* kReasonProgressDeadlineExceeded = "ProgressDeadlineExceeded";
inline constexpr const char* kReasonDeploymentPaused = "DeploymentPaused";
inline constexpr const char* kReasonDeploymentResumed = "DeploymentResumed";

// status.conditions[type=<type>], or nullptr.
const Json* find_condition(const Json& status, const std::string& type);
// Sets a condition the Kubernetes way: unchanged when status and reason are the same; the
// lastTransitionTime is kept when only reason/message change; lastUpdateTime is `now`.
void set_condition(Json& status, const std::string& type, const std::string& condition_status,
                   const std::string& reason, const std::string& message, const std::string& now);
void remove_condition(Json& status, const std::string& type);

// Counters from the ReplicaSets (`new_rs` may be null): observedGeneration, replicas and
// readyReplicas and availableReplicas (sums of the ReplicaSets' status), updatedReplicas (the new
// one's status.replicas), unavailableReplicas (sum of spec.replicas minus available, at least 0),
// and the Available condition ("Deployment has minimum availability." /
// "Deployment does not have minimum availability."). Other conditions are carried over.
Json calculate_status(const Json& deployment, const std::vector<Json>& all_replicasets,
                      const Json* new_rs, const std::string& now);

// When the new ReplicaSet was just created / first found (getNewReplicaSet in Kubernetes):
// Progressing True "Created new replica set \"<name>\"" (always) or "Found new replica set
// \"<name>\"" (only when there is no Progressing condition yet). Skipped without a deadline.
void mark_new_replicaset_created(const Json& deployment, Json& status, const std::string& rs_name,
                                 const std::string& now);
void mark_found_new_replicaset(const Json& deployment, Json& status, const std::string& rs_name,
                               const std::string& now);
// Progressing Unknown DeploymentPaused "Deployment is paused" / DeploymentResumed
// "Deployment is resumed" (syncs of a paused deployment only scale).
void mark_paused(Json& status, const std::string& now);
void mark_resumed(Json& status, const std::string& now);

// The status after a rollout sync (syncRolloutStatus): calculate_status, then Progressing:
// complete -> True NewReplicaSetAvailable "ReplicaSet \"<new>\" has successfully progressed.";
// progress since the last status -> True ReplicaSetUpdated "ReplicaSet \"<new>\" is
// progressing."; no progress for progressDeadlineSeconds since the condition's lastUpdateTime ->
// False ProgressDeadlineExceeded "ReplicaSet \"<new>\" has timed out progressing.". A deployment
// whose Progressing reason is already NewReplicaSetAvailable and has no old replicas left is not
// re-evaluated. Without a deadline (progressDeadlineSeconds = INT32_MAX) Progressing is removed.
Json sync_rollout_status(const Json& deployment, const std::vector<Json>& all_replicasets,
                         const Json* new_rs, api::Clock::time_point now);

// Fully rolled out: updated, total and available replicas all equal spec.replicas, and the
// status has observed the current generation.
bool deployment_complete(const Json& deployment, const Json& status);
// Some counter moved in the right direction compared with the deployment's current status.
bool deployment_progressing(const Json& deployment, const Json& new_status);
bool deployment_timed_out(const Json& deployment, const Json& status, api::Clock::time_point now);
// When a rollout in progress will hit its deadline (the controller requeues after this), or
// nullopt when there is no deadline to watch.
std::optional<std::chrono::seconds> time_until_progress_deadline(const Json& deployment,
                                                                 const Json& status,
                                                                 api::Clock::time_point now);

}  // namespace skiff::controllers
