#pragma once
// A Deployment's rollout history as kubectl reads it: the ReplicaSets it controls (by the
// controller ownerReference's uid), their deployment.kubernetes.io/revision annotations, and
// what `rollout history` prints and `rollout undo` patches. Pure functions of API objects.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kChangeCauseAnnotation = "kubernetes.io/change-cause";
inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";

// metadata.annotations[key], "" when absent.
std::string annotation_of(const Json& object, const std::string& key);

// The revision annotation as a number: 0 when absent (as kubectl's deploymentutil.Revision),
// nullopt when it is not an integer.
std::optional<int64_t> revision_of(const Json& object);

// The items of `replicasets` (a list's items) whose controller ownerReference has `owner_uid`.
std::vector<Json> controlled_replicasets(const Json& replicasets, const std::string& owner_uid);

// revision -> pod template (with the ReplicaSet's change-cause copied into the template's
// annotations), for ReplicaSets whose revision parses.
std::map<int64_t, Json> revision_templates(const std::vector<Json>& replicasets);

// "REVISION  CHANGE-CAUSE" table (tabwriter-aligned, "<none>" for no cause), or
// "No rollout history found." when `history` is empty.
std::string history_table(const std::map<int64_t, Json>& history);

// The ReplicaSet `rollout undo` goes back to: the one at `to_revision`, or for 0 the second
// newest revision. Throws KubectlError with kubectl's wording: `unable to find specified
// revision N in history`, `no rollout history found for deployment "x"`.
Json rollback_target(const std::vector<Json>& replicasets, int64_t to_revision,
                     const std::string& deployment_name);

// Whether two pod templates are the same apart from the pod-template-hash label (null, empty
// maps and empty lists count as absent, as Kubernetes' semantic equality does).
bool same_template_ignoring_hash(const Json& a, const Json& b);

// The JSON patch (RFC 6902) `rollout undo` sends: replace /spec/template with the
// ReplicaSet's template minus the hash label, and /metadata/annotations with the
// Deployment's bookkeeping annotations plus the ReplicaSet's other annotations.
Json rollback_patch(const Json& deployment, const Json& replicaset);

}  // namespace skiff::kubectl
