#pragma once
// Pure helpers of the ReplicaSet controller: pod readiness and availability, which pods to
// delete first on scale-down, and the ReplicaSet status computed from its pods. They mirror
// k8s.io/kubernetes/pkg/controller (ActivePods ordering) and pkg/api/v1/pod (IsPodAvailable).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/api/time.h"
#include "server/store/store.h"

namespace skiff::controllers {

using TimePoint = api::Clock::time_point;
using store::ObjectPtr;  // the informers' shared, immutable objects

// status.conditions[type=Ready].status == "True".
bool is_pod_ready(const Json& pod);
// The Ready condition's lastTransitionTime when the pod is ready.
std::optional<TimePoint> pod_ready_since(const Json& pod);
// Ready, and ready for at least `min_ready_seconds` (strictly longer, as Kubernetes compares;
// 0 means ready is enough).
bool is_pod_available(const Json& pod, std::int32_t min_ready_seconds, TimePoint now);
// For a pod that is ready but not yet available: how long until it is (the controller requeues
// the ReplicaSet after that). nullopt when not ready or already available.
std::optional<std::chrono::seconds> time_until_available(const Json& pod,
                                                         std::int32_t min_ready_seconds,
                                                         TimePoint now);
// Not Succeeded/Failed and not being deleted: the pods a ReplicaSet counts.
bool is_pod_active(const Json& pod);
// Whether a pod's change can change what a ReplicaSet's sync does or writes: its labels, owner
// references, deletion, phase or Ready condition. A binding, a container's restart count or a
// pod IP do not (the scale-down order reads them when it is needed), so they queue no sync: a
// ReplicaSet's sync looks at all its pods, and 10,000 bindings would otherwise cost 10,000 of
// them.
bool replicaset_sees_change(const Json& old_pod, const Json& pod);

// The scale-down order: true when `a` should be deleted before `b`. Unassigned before assigned;
// Pending before Unknown before Running; not ready before ready; ready for less time before
// longer; more container restarts before fewer; newer (creationTimestamp) before older; then by
// name so the order is total.
bool delete_before(const Json& a, const Json& b);
// The `count` pods to delete, chosen by delete_before.
std::vector<ObjectPtr> pods_to_delete(std::vector<ObjectPtr> pods, std::size_t count);

// The ReplicaSet status from the pods it controls (callers pass the active pods it owns):
// replicas, fullyLabeledReplicas (pods carrying every template label), readyReplicas,
// availableReplicas (spec.minReadySeconds), observedGeneration (metadata.generation). Other
// fields of the current status (conditions) are kept.
Json replicaset_status(const Json& replicaset, const std::vector<ObjectPtr>& pods, TimePoint now);

}  // namespace skiff::controllers
