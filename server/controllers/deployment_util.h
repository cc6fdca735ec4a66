#pragma once
// Pure helpers of the Deployment controller: template hashing and ReplicaSet naming, rolling
// update bounds, revision annotations, the new-ReplicaSet builder and history cleanup. They
// mirror k8s.io/kubernetes/pkg/controller/deployment/util; objects are Kubernetes-shaped JSON.
#include <cstdint>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::controllers {

inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kChangeCauseAnnotation = "kubernetes.io/change-cause";
inline constexpr const char* kDesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

// ---- templates ---------------------------------------------------------------------------------

// The template with what must not affect identity removed: the pod-template-hash label, and
// recursively every null, {} and [] (kubectl rollout undo sends `creationTimestamp: null` and
// `resources: {}` that the original lacked). Empty strings are kept: a label "" is a label.
Json normalize_pod_template(const Json& pod_template);
// A short stable name-safe hash of the normalised template: FNV-32a of its canonical JSON (keys
// sorted), plus the collision count when non-zero, written in decimal and mapped onto the
// Kubernetes alphabet "bcdfghjklmnpqrstvwxz2456789" (as rand.SafeEncodeString does). Stable
// across restarts and versions; not equal to Kubernetes' own value.
std::string pod_template_hash(const Json& pod_template, std::int64_t collision_count = 0);
bool templates_equal_ignoring_hash(const Json& a, const Json& b);
// "<deployment>-<hash>".
std::string replicaset_name(const std::string& deployment_name, const std::string& hash);

// ---- spec accessors (with the API defaults)
// -------------------------------------------------------

std::int32_t desired_replicas(const Json& deployment_or_rs);  // spec.replicas, default 1
bool is_rolling_update(const Json& deployment);               // strategy.type != Recreate
std::int32_t min_ready_seconds(const Json& object);           // spec.minReadySeconds, default 0
// spec.progressDeadlineSeconds (default 600); INT32_MAX means "no deadline".
std::int32_t progress_deadline_seconds(const Json& deployment);
std::int32_t revision_history_limit(const Json& deployment);  // default 10

// ---- maxSurge / maxUnavailable
// -------------------------------------------------------------------

// An IntOrString: an integer, or a string "<n>%" scaled against `total` (rounded up or down).
// Anything else throws ApiError 400 "invalid value for IntOrString: ...".
std::int32_t scaled_int_or_percent(const Json& value, std::int32_t total, bool round_up);

struct Fenceposts {
  std::int32_t max_surge = 0;
  std::int32_t max_unavailable = 0;
};
// Surge rounds up, unavailable rounds down; when both come to 0, unavailable becomes 1 (a
// rollout must be able to move). Null values take the 25% defaults.
Fenceposts resolve_fenceposts(const Json& max_surge, const Json& max_unavailable,
                              std::int32_t desired);
// The deployment's bounds: 0 for Recreate; maxUnavailable also 0 when replicas is 0 and never
// more than replicas.
std::int32_t max_surge(const Json& deployment);
std::int32_t max_unavailable(const Json& deployment);

// ---- revisions --------------------------------------------------------------------------------

// metadata.annotations["deployment.kubernetes.io/revision"] as a number, 0 when absent or bad.
std::int64_t revision_of(const Json& object);
std::int64_t max_revision(const std::vector<Json>& replicasets);
// The revision for the new ReplicaSet: the highest among the old ones + 1. On rollback the
// reused (old) ReplicaSet is not among the old ones, so it moves to max + 1 as Kubernetes does.
std::int64_t next_revision(const std::vector<Json>& old_replicasets);
// Sets the revision annotation unless the object already has a higher or equal one (a revision
// never goes backwards); returns true when it changed.
bool set_revision(Json& object, std::int64_t revision);

// ---- ReplicaSets of a deployment
// ------------------------------------------------------------------

// The ReplicaSet whose template equals the deployment's (ignoring the hash label); the oldest
// (creationTimestamp, then name) when several do. Returns an index into `replicasets`, or -1.
int find_new_replicaset(const Json& deployment, const std::vector<Json>& replicasets);

// The new ReplicaSet object for `deployment` (not yet created): name <deploy>-<hash>, the hash
// label on its labels, selector and template, the revision, change-cause, desired-replicas and
// max-replicas annotations, minReadySeconds, and a controller ownerReference to the deployment.
Json build_new_replicaset(const Json& deployment, std::int32_t replicas, std::int64_t revision,
                          std::int64_t collision_count = 0);

// Old ReplicaSets to delete for spec.revisionHistoryLimit: among those not being deleted, the
// oldest revisions beyond the limit, skipping any that still has replicas (spec or status) or
// whose status has not caught up with its generation. Returns names.
std::vector<std::string> replicasets_to_clean_up(const Json& deployment,
                                                 const std::vector<Json>& old_replicasets);

}  // namespace skiff::controllers
