#include "pkg/kubectl/deployment_history.h"

#include <set>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/tabwriter.h"

namespace skiff::kubectl {
namespace {

// Annotations a rollback keeps from the Deployment instead of taking them from the ReplicaSet
// (kubectl's annotationsToSkip).
const std::set<std::string> kDeploymentOwnedAnnotations = {
    "kubectl.kubernetes.io/last-applied-configuration",
    kRevisionAnnotation,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
};

// Drops nulls and empty objects/arrays, recursively (nil and empty compare equal in
// Kubernetes' semantic equality, and a typed client sends "creationTimestamp": null).
Json without_empty(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : value.items()) {
      Json cleaned = without_empty(item);
      if (cleaned.is_null() || (cleaned.is_structured() && cleaned.empty())) continue;
      out[key] = std::move(cleaned);
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(without_empty(item));
    return out;
  }
  return value;
}

Json without_hash_label(Json pod_template) {
  if (!pod_template.is_object()) return pod_template;
  auto metadata = pod_template.find("metadata");
  if (metadata == pod_template.end() || !metadata->is_object()) return pod_template;
  auto labels = metadata->find("labels");
  if (labels == metadata->end() || !labels->is_object()) return pod_template;
  labels->erase(kPodTemplateHashLabel);
  if (labels->empty()) metadata->erase("labels");
  return pod_template;
}

const Json& template_of(const Json& replicaset) {
  return member(member(replicaset, "spec"), "template");
}

}  // namespace

std::string annotation_of(const Json& object, const std::string& key) {
  const Json& value = member(member(member(object, "metadata"), "annotations"), key.c_str());
  return value.is_string() ? value.get<std::string>() : "";
}

std::optional<int64_t> revision_of(const Json& object) {
  const Json& annotations = member(member(object, "metadata"), "annotations");
  if (!annotations.is_object() || !annotations.contains(kRevisionAnnotation)) return 0;
  const Json& value = annotations[kRevisionAnnotation];
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  try {
    int64_t revision = std::stoll(text, &used);
    if (used != text.size()) return std::nullopt;
    return revision;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<Json> controlled_replicasets(const Json& replicasets, const std::string& owner_uid) {
  std::vector<Json> out;
  if (!replicasets.is_array() || owner_uid.empty()) return out;
  for (const auto& rs : replicasets) {
    const Json& refs = member(member(rs, "metadata"), "ownerReferences");
    if (!refs.is_array()) continue;
    for (const auto& ref : refs) {
      if (!ref.is_object() || !ref.value("controller", false)) continue;
      if (ref.value("uid", std::string()) == owner_uid) out.push_back(rs);
      break;  // only the controller reference counts
    }
  }
  return out;
}

std::map<int64_t, Json> revision_templates(const std::vector<Json>& replicasets) {
  std::map<int64_t, Json> history;
  for (const auto& rs : replicasets) {
    auto revision = revision_of(rs);
    if (!revision) continue;
    Json pod_template = template_of(rs).is_object() ? template_of(rs) : Json::object();
    std::string cause = annotation_of(rs, kChangeCauseAnnotation);
    if (!cause.empty()) pod_template["metadata"]["annotations"][kChangeCauseAnnotation] = cause;
    history[*revision] = std::move(pod_template);
  }
  return history;
}

std::string history_table(const std::map<int64_t, Json>& history) {
  if (history.empty()) return "No rollout history found.";
  std::vector<std::vector<std::string>> rows = {{"REVISION", "CHANGE-CAUSE"}};
  for (const auto& [revision, pod_template] : history) {
    std::string cause = annotation_of(pod_template, kChangeCauseAnnotation);
    rows.push_back({std::to_string(revision), cause.empty() ? "<none>" : cause});
  }
  return align_rows(rows, kDescribeStyle);
}

Json rollback_target(const std::vector<Json>& replicasets, int64_t to_revision,
                     const std::string& deployment_name) {
  const std::string not_found =
      "unable to find specified revision " + std::to_string(to_revision) + " in history";
  if (to_revision < 0) throw usage_error(not_found);
  const Json* latest = nullptr;
  const Json* previous = nullptr;
  int64_t latest_revision = -1;
  int64_t previous_revision = -1;
  for (const auto& rs : replicasets) {
    auto revision = revision_of(rs);
    if (!revision) continue;
    if (to_revision > 0) {
      if (*revision == to_revision) return rs;
      continue;
    }
    if (*revision > latest_revision) {
      previous = latest;
      previous_revision = latest_revision;
      latest = &rs;
      latest_revision = *revision;
    } else if (*revision > previous_revision) {
      previous = &rs;
      previous_revision = *revision;
    }
  }
  if (to_revision > 0) throw usage_error(not_found);
  if (!previous)
    throw usage_error("no rollout history found for deployment \"" + deployment_name + "\"");
  return *previous;
}

bool same_template_ignoring_hash(const Json& a, const Json& b) {
  return without_empty(without_hash_label(a)) == without_empty(without_hash_label(b));
}

Json rollback_patch(const Json& deployment, const Json& replicaset) {
  Json annotations = Json::object();
  const Json& deployment_annotations = member(member(deployment, "metadata"), "annotations");
  if (deployment_annotations.is_object())
    for (const auto& [key, value] : deployment_annotations.items())
      if (kDeploymentOwnedAnnotations.count(key)) annotations[key] = value;
  const Json& rs_annotations = member(member(replicaset, "metadata"), "annotations");
  if (rs_annotations.is_object())
    for (const auto& [key, value] : rs_annotations.items())
      if (!kDeploymentOwnedAnnotations.count(key)) annotations[key] = value;
  return Json::array({
      {{"op", "replace"},
       {"path", "/spec/template"},
       {"value", without_hash_label(template_of(replicaset))}},
      {{"op", "replace"}, {"path", "/metadata/annotations"}, {"value", annotations}},
  });
}

}  // namespace skiff::kubectl
