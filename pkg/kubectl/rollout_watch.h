#pragma once
// `kubectl rollout status`: follows one Deployment with list + watch (resuming from the last
// resourceVersion when the server ends a stream, relisting on 410 Gone) and prints kubectl's
// status line for every state it sees until the rollout is done.
#include <chrono>
#include <cstdint>

#include "pkg/kubectl/context.h"
#include "pkg/kubectl/targets.h"

namespace skiff::kubectl {

struct RolloutWatchOptions {
  int64_t revision = 0;                  // --revision
  bool watch = true;                     // --watch=false prints the current state once
  std::chrono::milliseconds timeout{0};  // --timeout; 0 waits forever
};

// Returns the exit code; throws KubectlError for the errors kubectl ends with ("exceeded its
// progress deadline", "timed out waiting for the condition", "object has been deleted").
int watch_rollout_status(Context& ctx, const TargetObject& deployment,
                         const RolloutWatchOptions& options);

}  // namespace skiff::kubectl
