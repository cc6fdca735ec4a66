#pragma once
// `kubectl set image`: splitting the arguments into resources and CONTAINER=IMAGE pairs, and
// turning the pairs into the strategic-merge patch kubectl sends. Pure functions.
#include <string>
#include <utility>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct ImageArgs {
  std::vector<std::string> resources;  // "deployment/web" or "deployment", "web"
  std::vector<std::pair<std::string, std::string>> images;  // (container or "*", image), in order
};

// Arguments with '=' are image pairs and must all come after the resources. Throws
// KubectlError: "all resources must be specified before image changes: x=y",
// `invalid image format: "=x"`.
ImageArgs parse_image_args(const std::vector<std::string>& args);

// Where the pod spec lives in an object of `kind` ("/spec" for a Pod, the job template's pod
// spec for a CronJob, "/spec/template/spec" otherwise), as a path of keys.
std::vector<std::string> pod_spec_path(const std::string& kind);

struct ImagePatch {
  Json patch;                       // {} when no image changes
  std::vector<std::string> errors;  // `unable to find container named "x"`, one per pair
};

// The strategic-merge patch that sets the images in `object` (containers and init containers,
// "*" meaning all of them), with $setElementOrder lists as kubectl sends them.
ImagePatch image_patch(const Json& object,
                       const std::vector<std::pair<std::string, std::string>>& images);

}  // namespace skiff::kubectl
