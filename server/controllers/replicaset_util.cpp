#include "server/controllers/replicaset_util.h"

#include <algorithm>

#include "server/controllers/deployment_util.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {
namespace {

const Json* ready_condition(const Json& pod) {
  const Json& conditions = json::at(pod, {"status", "conditions"});
  if (!conditions.is_array()) return nullptr;
  for (const Json& c : conditions) {
    if (json::text_at(c, {"type"}) == "Ready") return &c;
  }
  return nullptr;
}

int phase_rank(const Json& pod) {
  const std::string_view phase = json::text_at(pod, {"status", "phase"}, "Pending");
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 3;
}

std::int64_t max_restarts(const Json& pod) {
  std::int64_t max = 0;
  const Json& statuses = json::at(pod, {"status", "containerStatuses"});
  if (!statuses.is_array()) return 0;
  for (const Json& s : statuses) max = std::max(max, json::int_at(s, {"restartCount"}));
  return max;
}

std::optional<TimePoint> timestamp(const Json& object, std::initializer_list<const char*> path) {
  const std::string_view text = json::text_at(object, path);
  if (text.empty()) return std::nullopt;
  return api::parse_rfc3339(text);
}

// Kubernetes' afterOrZero: a missing time sorts first; otherwise the later one first.
bool after_or_missing(const std::optional<TimePoint>& a, const std::optional<TimePoint>& b) {
  if (!a || !b) return !a;
  return *a > *b;
}

bool fully_labeled(const Json& pod, const Json& template_labels) {
  if (!template_labels.is_object()) return true;
  const Json& labels = json::at(pod, {"metadata", "labels"});
  for (const auto& [key, value] : template_labels.items()) {
    if (!labels.is_object() || !labels.contains(key) || labels[key] != value) return false;
  }
  return true;
}

}  // namespace

bool is_pod_ready(const Json& pod) {
  const Json* c = ready_condition(pod);
  return c != nullptr && json::text_at(*c, {"status"}) == "True";
}

std::optional<TimePoint> pod_ready_since(const Json& pod) {
  if (!is_pod_ready(pod)) return std::nullopt;
  return timestamp(*ready_condition(pod), {"lastTransitionTime"});
}

bool is_pod_available(const Json& pod, std::int32_t min_ready_seconds, TimePoint now) {
  if (!is_pod_ready(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  const auto since = pod_ready_since(pod);
  return since && *since + std::chrono::seconds(min_ready_seconds) < now;
}

std::optional<std::chrono::seconds> time_until_available(const Json& pod,
                                                         std::int32_t min_ready_seconds,
                                                         TimePoint now) {
  if (!is_pod_ready(pod) || is_pod_available(pod, min_ready_seconds, now)) return std::nullopt;
  const auto since = pod_ready_since(pod);
  if (!since) return std::chrono::seconds(min_ready_seconds);
  const auto left = *since + std::chrono::seconds(min_ready_seconds) - now;
  // Available strictly after the deadline: round up and add one second.
  return std::chrono::ceil<std::chrono::seconds>(left) + std::chrono::seconds(1);
}

bool is_pod_active(const Json& pod) {
  const std::string_view phase = json::text_at(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" &&
         json::at(pod, {"metadata", "deletionTimestamp"}).is_null();
}

bool replicaset_sees_change(const Json& old_pod, const Json& pod) {
  for (const char* field : {"labels", "ownerReferences", "deletionTimestamp"}) {
    if (json::at(old_pod, {"metadata", field}) != json::at(pod, {"metadata", field})) return true;
  }
  if (json::at(old_pod, {"status", "phase"}) != json::at(pod, {"status", "phase"})) return true;
  const Json* old_ready = ready_condition(old_pod);
  const Json* ready = ready_condition(pod);
  if ((old_ready == nullptr) != (ready == nullptr)) return true;
  if (ready == nullptr) return false;
  for (const char* field : {"status", "lastTransitionTime"}) {
    if (json::at(*old_ready, {field}) != json::at(*ready, {field})) return true;
  }
  return false;
}

bool delete_before(const Json& a, const Json& b) {
  const std::string node_a = json::string_at(a, {"spec", "nodeName"});
  const std::string node_b = json::string_at(b, {"spec", "nodeName"});
  if (node_a.empty() != node_b.empty()) return node_a.empty();
  if (phase_rank(a) != phase_rank(b)) return phase_rank(a) < phase_rank(b);
  if (is_pod_ready(a) != is_pod_ready(b)) return !is_pod_ready(a);
  if (is_pod_ready(a)) {
    const auto ready_a = pod_ready_since(a), ready_b = pod_ready_since(b);
    if (ready_a != ready_b) return after_or_missing(ready_a, ready_b);
  }
  if (max_restarts(a) != max_restarts(b)) return max_restarts(a) > max_restarts(b);
  const auto created_a = timestamp(a, {"metadata", "creationTimestamp"});
  const auto created_b = timestamp(b, {"metadata", "creationTimestamp"});
  if (created_a != created_b) return after_or_missing(created_a, created_b);
  return json::string_at(a, {"metadata", "name"}) < json::string_at(b, {"metadata", "name"});
}

std::vector<ObjectPtr> pods_to_delete(std::vector<ObjectPtr> pods, std::size_t count) {
  count = std::min(count, pods.size());
  std::partial_sort(pods.begin(), pods.begin() + static_cast<std::ptrdiff_t>(count), pods.end(),
                    [](const ObjectPtr& a, const ObjectPtr& b) { return delete_before(*a, *b); });
  pods.resize(count);
  return pods;
}

Json replicaset_status(const Json& replicaset, const std::vector<ObjectPtr>& pods, TimePoint now) {
  Json status = json::at(replicaset, {"status"});
  if (!status.is_object()) status = Json::object();
  const Json& template_labels = json::at(replicaset, {"spec", "template", "metadata", "labels"});
  const std::int32_t min_ready = min_ready_seconds(replicaset);
  std::int64_t fully_labeled_count = 0, ready = 0, available = 0;
  for (const ObjectPtr& object : pods) {
    const Json& pod = *object;
    if (fully_labeled(pod, template_labels)) ++fully_labeled_count;
    if (!is_pod_ready(pod)) continue;
    ++ready;
    if (min_ready <= 0 || is_pod_available(pod, min_ready, now)) ++available;
  }
  status["replicas"] = static_cast<std::int64_t>(pods.size());
  status["fullyLabeledReplicas"] = fully_labeled_count;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["observedGeneration"] = json::int_at(replicaset, {"metadata", "generation"});
  return status;
}

}  // namespace skiff::controllers
