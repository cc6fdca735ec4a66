#pragma once
// What `kubectl rollout status` says about one Deployment: a pure function of the Deployment
// object, worded exactly like kubectl's DeploymentStatusViewer, so the watch loop around it
// only prints and decides when to stop.
#include <cstdint>
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct RolloutStatus {
  std::string message;  // one line, no trailing newline; empty when `error` is set
  bool done = false;    // the rollout finished (message is "... successfully rolled out")
  std::string error;    // a failure that ends the command, printed as "error: <error>"
};

// `revision` > 0 demands that the Deployment is at that revision (its
// deployment.kubernetes.io/revision annotation); 0 accepts any. Missing status counters count
// as 0, a missing spec.replicas skips the "new replicas" check (as kubectl does).
RolloutStatus deployment_rollout_status(const Json& deployment, int64_t revision);

}  // namespace skiff::kubectl
