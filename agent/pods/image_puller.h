#pragma once
// Makes a container's image present as its imagePullPolicy says, with the kubelet's reasons and
// backoff: a failed pull is ErrImagePull and starts a backoff (10 s doubling to 5 min) during
// which the image is not asked for again (ImagePullBackOff); an image missing under policy
// Never is ErrImageNeverPull. One puller per pod worker (backoff is per pod and image, as in
// the kubelet).
#include <optional>
#include <string>

#include "agent/pods/backoff.h"
#include "agent/pods/pod_spec.h"
#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

struct ImageOutcome {
  bool ready = false;
  std::string image_id;  // when ready
  std::string reason;    // when not ready: ErrImagePull, ImagePullBackOff, ErrImageNeverPull
  std::string message;
  std::optional<TimePoint> retry_at;  // when not ready and worth trying again
};

class ImagePuller {
 public:
  explicit ImagePuller(runtime::Runtime& runtime) : runtime_(runtime) {}

  // Pull failures become an outcome; a RuntimeError escapes only when the runtime itself cannot
  // be asked (the worker retries the whole sync).
  ImageOutcome ensure(const std::string& image, PullPolicy policy, TimePoint now);

 private:
  runtime::Runtime& runtime_;
  Backoff backoff_;
};

}  // namespace skiff::agent::pods
