#include "server/apiserver/pod_deletion.h"

#include <algorithm>
#include <chrono>

#include "pkg/api/time.h"
#include "server/apiserver/object_meta.h"
#include "server/apiserver/storage.h"

namespace skiff::apiserver {

namespace {

// The grace period of a pod deletion, as Kubernetes' pod strategy decides it: the request's,
// else spec.terminationGracePeriodSeconds (default 30); 0 for a pod no node runs (unscheduled
// or finished), since nothing would ever confirm it.
int64_t pod_grace_period(const Json& pod, const DeleteOptions& options) {
  const Json& spec = pod.contains("spec") ? pod["spec"] : Json::object();
  const Json& status = pod.contains("status") ? pod["status"] : Json::object();
  const std::string phase = status.is_object() ? status.value("phase", "") : "";
  if (!spec.is_object() || spec.value("nodeName", "").empty()) return 0;
  if (phase == "Succeeded" || phase == "Failed") return 0;
  if (options.grace_period_seconds) return *options.grace_period_seconds;
  return spec.value("terminationGracePeriodSeconds", int64_t{30});
}

}  // namespace

// Starts (or shortens) a graceful pod deletion: deletionTimestamp = now + grace and
// deletionGracePeriodSeconds = grace. The pod stays until its node confirms with a delete of
// grace 0 once its containers are gone (or the node lifecycle controller does, for an
// unreachable node). Returns nullptr when the deletion should happen at once instead.
store::ObjectPtr mark_pod_terminating(RequestContext& context, const DeleteOptions& options,
                                      const store::ObjectPtr& current) {
  const int64_t grace = pod_grace_period(*current, options);
  if (grace == 0) return nullptr;
  return guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& stored) {
        check_preconditions(context, options, stored);
        Json marked = stored;
        Json& metadata = marked["metadata"];
        const int64_t previous = metadata.value("deletionGracePeriodSeconds", int64_t{-1});
        if (has_deletion_timestamp(marked) && previous >= 0 && previous <= grace) return marked;
        metadata["deletionTimestamp"] =
            api::format_rfc3339(api::Clock::now() + std::chrono::seconds(grace));
        metadata["deletionGracePeriodSeconds"] = grace;
        for (const auto& finalizer : propagation_finalizers(options)) {
          if (!metadata.contains("finalizers")) metadata["finalizers"] = Json::array();
          auto& list = metadata["finalizers"];
          if (std::find(list.begin(), list.end(), finalizer) == list.end())
            list.push_back(finalizer);
        }
        return marked;
      },
      options.dry_run);
}

}  // namespace skiff::apiserver
