#pragma once
// Graceful pod deletion, as Kubernetes does it: deleting a pod that a node runs only marks it
// (deletionTimestamp = now + grace, deletionGracePeriodSeconds = grace); the node stops its
// containers and confirms with a delete of grace 0, which removes it. Used by DELETE,
// deletecollection and the eviction subresource.
#include <cstdint>
#include <optional>

#include "server/apiserver/delete_options.h"
#include "server/apiserver/request_context.h"
#include "server/store/store.h"

namespace skiff::apiserver {

// The grace period of a pod deletion, as Kubernetes' pod strategy decides it: `requested`, else
// spec.terminationGracePeriodSeconds (default 30); 0 for a pod no node runs (unscheduled or
// finished), since nothing would ever confirm it.
int64_t pod_grace_period(const Json& pod, std::optional<int64_t> requested);

// `pod` marked for a graceful deletion of `grace` seconds (deletionTimestamp = now + grace,
// deletionGracePeriodSeconds); unchanged when it is marked already with a grace no longer.
Json mark_terminating(Json pod, int64_t grace);

// Starts (or shortens: a later delete may only lower the grace period) the graceful deletion
// of `current`. Returns nullptr when the pod must go at once instead: grace 0 requested, or no
// node runs it (unscheduled, Succeeded or Failed). Throws ApiError (preconditions, 404).
store::ObjectPtr mark_pod_terminating(RequestContext& context, const DeleteOptions& options,
                                      const store::ObjectPtr& current);

}  // namespace skiff::apiserver
