#include "server/controllers/deployment_status.h"

#include <climits>

#include "server/controllers/deployment_util.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {
namespace {

bool has_progress_deadline(const Json& deployment) {
  return progress_deadline_seconds(deployment) != INT32_MAX;
}

std::int64_t sum(const std::vector<Json>& rss, std::initializer_list<const char*> path) {
  std::int64_t total = 0;
  for (const Json& rs : rss) total += json::int_at(rs, path);
  return total;
}

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

}  // namespace

const Json* find_condition(const Json& status, const std::string& type) {
  const Json& conditions = json::at(status, {"conditions"});
  if (!conditions.is_array()) return nullptr;
  for (const Json& c : conditions) {
    if (json::string_at(c, {"type"}) == type) return &c;
  }
  return nullptr;
}

void remove_condition(Json& status, const std::string& type) {
  if (!status.is_object() || !status.contains("conditions") || !status["conditions"].is_array()) {
    return;
  }
  Json kept = Json::array();
  for (const Json& c : status["conditions"]) {
    if (json::string_at(c, {"type"}) != type) kept.push_back(c);
  }
  status["conditions"] = std::move(kept);
}

void set_condition(Json& status, const std::string& type, const std::string& condition_status,
                   const std::string& reason, const std::string& message, const std::string& now) {
  std::string transition = now;
  if (const Json* current = find_condition(status, type)) {
    if (json::string_at(*current, {"status"}) == condition_status &&
        json::string_at(*current, {"reason"}) == reason) {
      return;
    }
    if (json::string_at(*current, {"status"}) == condition_status) {
      transition = json::string_at(*current, {"lastTransitionTime"}, now);
    }
  }
  remove_condition(status, type);
  status["conditions"].push_back({{"type", type},
                                  {"status", condition_status},
                                  {"lastUpdateTime", now},
                                  {"lastTransitionTime", transition},
                                  {"reason", reason},
                                  {"message", message}});
}

Json calculate_status(const Json& deployment, const std::vector<Json>& all_replicasets,
                      const Json* new_rs, const std::string& now) {
  Json status = json::at(deployment, {"status"});
  if (!status.is_object()) status = Json::object();
  const std::int64_t available = sum(all_replicasets, {"status", "availableReplicas"});
  std::int64_t spec_total = 0;
  for (const Json& rs : all_replicasets) spec_total += desired_replicas(rs);
  status["observedGeneration"] = json::int_at(deployment, {"metadata", "generation"});
  status["replicas"] = sum(all_replicasets, {"status", "replicas"});
  status["updatedReplicas"] = new_rs ? json::int_at(*new_rs, {"status", "replicas"}) : 0;
  status["readyReplicas"] = sum(all_replicasets, {"status", "readyReplicas"});
  status["availableReplicas"] = available;
  status["unavailableReplicas"] = std::max<std::int64_t>(spec_total - available, 0);
  if (available >= desired_replicas(deployment) - max_unavailable(deployment)) {
    set_condition(status, "Available", "True", kReasonMinimumReplicasAvailable,
                  "Deployment has minimum availability.", now);
  } else {
    set_condition(status, "Available", "False", kReasonMinimumReplicasUnavailable,
                  "Deployment does not have minimum availability.", now);
  }
  return status;
}

void mark_new_replicaset_created(const Json& deployment, Json& status, const std::string& rs_name,
                                 const std::string& now) {
  if (!has_progress_deadline(deployment)) return;
  set_condition(status, "Progressing", "True", kReasonNewReplicaSetCreated,
                "Created new replica set " + quoted(rs_name), now);
}

void mark_found_new_replicaset(const Json& deployment, Json& status, const std::string& rs_name,
                               const std::string& now) {
  if (!has_progress_deadline(deployment) || find_condition(status, "Progressing")) return;
  set_condition(status, "Progressing", "True", kReasonFoundNewReplicaSet,
                "Found new replica set " + quoted(rs_name), now);
}

void mark_paused(Json& status, const std::string& now) {
  set_condition(status, "Progressing", "Unknown", kReasonDeploymentPaused, "Deployment is paused",
                now);
}

void mark_resumed(Json& status, const std::string& now) {
  set_condition(status, "Progressing", "Unknown", kReasonDeploymentResumed, "Deployment is resumed",
                now);
}

bool deployment_complete(const Json& deployment, const Json& status) {
  const std::int64_t replicas = desired_replicas(deployment);
  return json::int_at(status, {"updatedReplicas"}) == replicas &&
         json::int_at(status, {"replicas"}) == replicas &&
         json::int_at(status, {"availableReplicas"}) == replicas &&
         json::int_at(status, {"observedGeneration"}) >=
             json::int_at(deployment, {"metadata", "generation"});
}

bool deployment_progressing(const Json& deployment, const Json& new_status) {
  const Json& old_status = json::at(deployment, {"status"});
  auto get = [](const Json& s, const char* key) { return json::int_at(s, {key}); };
  const std::int64_t old_old = get(old_status, "replicas") - get(old_status, "updatedReplicas");
  const std::int64_t new_old = get(new_status, "replicas") - get(new_status, "updatedReplicas");
  return get(new_status, "updatedReplicas") > get(old_status, "updatedReplicas") ||
         new_old < old_old || get(new_status, "readyReplicas") > get(old_status, "readyReplicas") ||
         get(new_status, "availableReplicas") > get(old_status, "availableReplicas");
}

namespace {
std::optional<api::Clock::time_point> progress_deadline(const Json& deployment,
                                                        const Json& status) {
  if (!has_progress_deadline(deployment)) return std::nullopt;
  const Json* condition = find_condition(status, "Progressing");
  if (!condition) return std::nullopt;
  const std::string reason = json::string_at(*condition, {"reason"});
  if (reason == kReasonNewReplicaSetAvailable || reason == kReasonProgressDeadlineExceeded) {
    return std::nullopt;
  }
  const auto from = api::parse_rfc3339(json::string_at(*condition, {"lastUpdateTime"}));
  if (!from) return std::nullopt;
  return *from + std::chrono::seconds(progress_deadline_seconds(deployment));
}
}  // namespace

bool deployment_timed_out(const Json& deployment, const Json& status, api::Clock::time_point now) {
  const Json* condition = find_condition(status, "Progressing");
  if (has_progress_deadline(deployment) && condition &&
      json::string_at(*condition, {"reason"}) == kReasonProgressDeadlineExceeded) {
    return true;
  }
  const auto deadline = progress_deadline(deployment, status);
  return deadline && *deadline < now;
}

std::optional<std::chrono::seconds> time_until_progress_deadline(const Json& deployment,
                                                                 const Json& status,
                                                                 api::Clock::time_point now) {
  if (deployment_complete(deployment, status)) return std::nullopt;
  const auto deadline = progress_deadline(deployment, status);
  if (!deadline) return std::nullopt;
  // Timed out strictly after the deadline: look again one second past it.
  const auto left =
      std::chrono::ceil<std::chrono::seconds>(*deadline - now) + std::chrono::seconds(1);
  return std::max(left, std::chrono::seconds(0));
}

Json sync_rollout_status(const Json& deployment, const std::vector<Json>& all_replicasets,
                         const Json* new_rs, api::Clock::time_point now) {
  const std::string now_text = api::format_rfc3339(now);
  Json status = calculate_status(deployment, all_replicasets, new_rs, now_text);
  if (!has_progress_deadline(deployment)) {
    remove_condition(status, "Progressing");
    return status;
  }
  const Json* current = find_condition(status, "Progressing");
  const bool already_complete =
      json::int_at(status, {"replicas"}) == json::int_at(status, {"updatedReplicas"}) && current &&
      json::string_at(*current, {"reason"}) == kReasonNewReplicaSetAvailable;
  if (already_complete) return status;

  // Kubernetes names the new ReplicaSet, or the deployment itself when there is none.
  const std::string subject =
      new_rs ? "ReplicaSet " + quoted(json::string_at(*new_rs, {"metadata", "name"}))
             : "Deployment " + quoted(json::string_at(deployment, {"metadata", "name"}));
  if (deployment_complete(deployment, status)) {
    const std::string message = subject + " has successfully progressed.";
    set_condition(status, "Progressing", "True", kReasonNewReplicaSetAvailable, message, now_text);
  } else if (deployment_progressing(deployment, status)) {
    const std::string message = subject + " is progressing.";
    // Progress refreshes lastUpdateTime (which the deadline counts from) even when the reason
    // stays the same; the transition time is kept while the status stays True.
    std::string transition = now_text;
    if (current && json::string_at(*current, {"status"}) == "True") {
      transition = json::string_at(*current, {"lastTransitionTime"}, now_text);
    }
    remove_condition(status, "Progressing");
    status["conditions"].push_back({{"type", "Progressing"},
                                    {"status", "True"},
                                    {"lastUpdateTime", now_text},
                                    {"lastTransitionTime", transition},
                                    {"reason", kReasonReplicaSetUpdated},
                                    {"message", message}});
  } else if (deployment_timed_out(deployment, status, now)) {
    const std::string message = subject + " has timed out progressing.";
    set_condition(status, "Progressing", "False", kReasonProgressDeadlineExceeded, message,
                  now_text);
  }
  return status;
}

}  // namespace skiff::controllers
