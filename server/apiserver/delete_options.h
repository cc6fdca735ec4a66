#pragma once
// DeleteOptions from the body (JSON) and/or the query: propagationPolicy, gracePeriodSeconds,
// preconditions, dryRun.
#include <cstdint>
#include <string>

#include "server/apiserver/request_context.h"

namespace skiff::apiserver {

struct DeleteOptions {
  std::string propagation_policy = "Background";  // Background, Foreground or Orphan
  int64_t grace_period_seconds = 0;
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

// 400 on a malformed body or unknown values.
DeleteOptions parse_delete_options(const RequestContext& context);

// 409 when a precondition does not hold for `current`.
void check_preconditions(const RequestContext& context, const DeleteOptions& options,
                         const Json& current);

}  // namespace skiff::apiserver
