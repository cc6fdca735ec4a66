#include "server/apiserver/pod_deletion.h"

#include <algorithm>
#include <chrono>

#include "pkg/api/time.h"
#include "server/apiserver/object_meta.h"
#include "server/apiserver/storage.h"

namespace skiff::apiserver {

int64_t pod_grace_period(const Json& pod, std::optional<int64_t> requested) {
  const Json& spec = pod.contains("spec") ? pod["spec"] : Json::object();
  const Json& status = pod.contains("status") ? pod["status"] : Json::object();
  const std::string phase = status.is_object() ? status.value("phase", "") : "";
  if (!spec.is_object() || spec.value("nodeName", "").empty()) return 0;
  if (phase == "Succeeded" || phase == "Failed") return 0;
  if (requested) return *requested;
  return spec.value("terminationGracePeriodSeconds", int64_t{30});
}

Json mark_terminating(Json pod, int64_t grace) {
  Json& metadata = pod["metadata"];
  const int64_t previous = metadata.value("deletionGracePeriodSeconds", int64_t{-1});
  if (has_deletion_timestamp(pod) && previous >= 0 && previous <= grace) return pod;
  metadata["deletionTimestamp"] =
      api::format_rfc3339(api::Clock::now() + std::chrono::seconds(grace));
  metadata["deletionGracePeriodSeconds"] = grace;
  return pod;
}

// Starts (or shortens) a graceful pod deletion: deletionTimestamp = now + grace and
// deletionGracePeriodSeconds = grace. The pod stays until its node confirms with a delete of
// grace 0 once its containers are gone (or the node lifecycle controller does, for an
// unreachable node). Returns nullptr when the deletion should happen at once instead.
store::ObjectPtr mark_pod_terminating(RequestContext& context, const DeleteOptions& options,
                                      const store::ObjectPtr& current) {
  const int64_t grace = pod_grace_period(*current, options.grace_period_seconds);
  if (grace == 0) return nullptr;
  return guaranteed_update(
      context.store, context.resource, context.key(), context.name,
      [&](const Json& stored) {
        check_preconditions(context, options, stored);
        const int64_t previous =
            stored["metadata"].value("deletionGracePeriodSeconds", int64_t{-1});
        if (has_deletion_timestamp(stored) && previous >= 0 && previous <= grace) return stored;
        Json marked = mark_terminating(stored, grace);
        Json& metadata = marked["metadata"];
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
