#include "agent/pods/image_puller.h"

namespace skiff::agent::pods {

ImageOutcome ImagePuller::ensure(const std::string& image, PullPolicy policy, TimePoint now) {
  ImageOutcome out;
  std::optional<runtime::ImageInfo> present;
  if (policy != PullPolicy::Always) present = runtime_.image_status(image);
  if (present) {
    out.ready = true;
    out.image_id = present->id;
    return out;
  }
  if (policy == PullPolicy::Never) {
    out.reason = "ErrImageNeverPull";
    out.message = "Container image \"" + image + "\" is not present with pull policy of Never";
    return out;  // retried when the worker syncs again (the image may be loaded by hand)
  }
  if (backoff_.in_backoff_since_update(image, now)) {
    out.reason = "ImagePullBackOff";
    out.message = "Back-off pulling image \"" + image + "\"";
    out.retry_at = backoff_.retry_after_update(image, now);
    return out;
  }
  try {
    out.image_id = runtime_.pull_image(image);
    out.ready = true;
    backoff_.collect_garbage(now);
    return out;
  } catch (const runtime::RuntimeError& error) {
    backoff_.next(image, now);
    out.reason = "ErrImagePull";
    out.message = error.what();
    out.retry_at = backoff_.retry_after_update(image, now);
    return out;
  }
}

}  // namespace skiff::agent::pods
