#pragma once
// DeleteOptions from the body (JSON) and/or the query: propagationPolicy, gracePeriodSeconds,
// preconditions, dryRun.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/apiserver/request_context.h"

namespace skiff::apiserver {

struct DeleteOptions {
  std::string propagation_policy = "Background";  // Background, Foreground or Orphan
  // nullopt = not given: the object's default applies (a pod's terminationGracePeriodSeconds).
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

// 400 on a malformed body or unknown values.
DeleteOptions parse_delete_options(const RequestContext& context);

// The finalizer a propagation policy adds: foregroundDeletion, orphan, or none (Background).
std::vector<std::string> propagation_finalizers(const DeleteOptions& options);

// 409 when a precondition does not hold for `current`.
void check_preconditions(const RequestContext& context, const DeleteOptions& options,
                         const Json& current);

}  // namespace skiff::apiserver
