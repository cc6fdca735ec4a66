#pragma once
// Graceful pod deletion, as Kubernetes does it: deleting a pod that a node runs only marks it
// (deletionTimestamp = now + grace, deletionGracePeriodSeconds = grace); the node stops its
// containers and confirms with a delete of grace 0, which removes it. Used by DELETE,
// deletecollection and the eviction subresource.
#include "server/apiserver/delete_options.h"
#include "server/apiserver/request_context.h"
#include "server/store/store.h"

namespace skiff::apiserver {

// Starts (or shortens: a later delete may only lower the grace period) the graceful deletion
// of `current`. Returns nullptr when the pod must go at once instead: grace 0 requested, or no
// node runs it (unscheduled, Succeeded or Failed). Throws ApiError (preconditions, 404).
store::ObjectPtr mark_pod_terminating(RequestContext& context, const DeleteOptions& options,
                                      const store::ObjectPtr& current);

}  // namespace skiff::apiserver
