// Pod updates (ValidatePodUpdate): a running pod's spec is fixed except for the few fields
// Kubernetes lets users change in place. Metadata and status stay freely updatable.
#include <algorithm>

#include "pkg/api/field_errors.h"

namespace skiff::api::validation {

namespace {

constexpr const char* kPodUpdateMessage =
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)";

// The spec with everything that may change in place taken out; images taken from `old`.
Json comparable_spec(Json spec, const Json& old, bool node_name_settable) {
  if (!spec.is_object()) return spec;
  for (const char* list : {"containers", "initContainers"}) {
    auto now = spec.find(list);
    const Json* before = get(old, list);
    if (now == spec.end() || !now->is_array() || !before || !before->is_array() ||
        now->size() != before->size()) {
      continue;
    }
    for (size_t i = 0; i < now->size(); ++i) {
      if ((*now)[i].is_object() && (*before)[i].is_object()) {
        (*now)[i]["image"] = (*before)[i].value("image", Json(nullptr));
      }
    }
  }
  for (const char* field :
       {"activeDeadlineSeconds", "tolerations", "schedulingGates", "ephemeralContainers"}) {
    spec.erase(field);
  }
  if (node_name_settable) spec.erase("nodeName");
  return spec;
}

}  // namespace

void validate_pod_update(const Json& object, const Json& old, Errors& errors) {
  const Json* spec = get(object, "spec");
  const Json* old_spec = get(old, "spec");
  if (!spec || !old_spec) return;
  // Binding a pod to a node is a one-time write of nodeName.
  bool node_name_settable = get_string(*old_spec, "nodeName").empty();
  Json now = comparable_spec(*spec, *old_spec, node_name_settable);
  Json before = comparable_spec(*old_spec, *old_spec, node_name_settable);
  if (now != before) errors.forbidden(Path("spec"), kPodUpdateMessage);
  const Json* old_tolerations = get(*old_spec, "tolerations");
  const Json* tolerations = get(*spec, "tolerations");
  if (old_tolerations && old_tolerations->is_array()) {
    for (const auto& t : *old_tolerations) {
      bool kept = tolerations && tolerations->is_array() &&
                  std::any_of(tolerations->begin(), tolerations->end(), [&](const Json& n) {
                    Json a = t, b = n;
                    if (a.is_object()) a.erase("tolerationSeconds");
                    if (b.is_object()) b.erase("tolerationSeconds");
                    return a == b;
                  });
      if (!kept) {
        errors.forbidden(Path("spec.tolerations"),
                         "existing toleration can not be modified except its tolerationSeconds");
        break;
      }
    }
  }
}

}  // namespace skiff::api::validation
