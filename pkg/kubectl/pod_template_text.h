#pragma once
// A pod template as `kubectl rollout history --revision=N` prints it: kubectl's
// DescribePodTemplate through its prefix writer, which (unlike `describe`) is not aligned, so
// the tabs stay in the text. Pure.
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

// "Pod Template:\n  Labels:\tapp=web\n  Containers:\n   web:\n    Image:\tnginx\n..." for a
// PodTemplateSpec JSON object.
std::string pod_template_text(const Json& pod_template);

}  // namespace skiff::kubectl
