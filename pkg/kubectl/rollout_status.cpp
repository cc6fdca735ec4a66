#include "pkg/kubectl/rollout_status.h"

#include "pkg/kubectl/deployment_history.h"
#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {
namespace {

int64_t counter(const Json& object, const char* key) {
  const Json& value = member(object, key);
  return value.is_number_integer() ? value.get<int64_t>() : 0;
}

// The Progressing condition's reason ("" when there is none).
std::string progressing_reason(const Json& status) {
  const Json& conditions = member(status, "conditions");
  if (!conditions.is_array()) return "";
  for (const auto& condition : conditions)
    if (condition.is_object() && condition.value("type", "") == "Progressing")
      return condition.value("reason", std::string());
  return "";
}

}  // namespace

RolloutStatus deployment_rollout_status(const Json& deployment, int64_t revision) {
  const std::string name = name_of(deployment);
  const std::string quoted = "\"" + name + "\"";
  RolloutStatus result;
  if (revision > 0) {
    auto current = revision_of(deployment);
    if (!current) {
      result.error = "cannot get the revision of deployment " + quoted +
                     ": strconv.ParseInt: " + "parsing \"" +
                     annotation_of(deployment, kRevisionAnnotation) + "\": invalid syntax";
      return result;
    }
    if (*current != revision) {
      result.error = "desired revision (" + std::to_string(revision) +
                     ") is different from the running revision (" + std::to_string(*current) + ")";
      return result;
    }
  }
  const Json& metadata = member(deployment, "metadata");
  const Json& spec = member(deployment, "spec");
  const Json& status = member(deployment, "status");
  if (counter(metadata, "generation") > counter(status, "observedGeneration")) {
    result.message = "Waiting for deployment spec update to be observed...";
    return result;
  }
  if (progressing_reason(status) == "ProgressDeadlineExceeded") {
    result.error = "deployment " + quoted + " exceeded its progress deadline";
    return result;
  }
  const int64_t updated = counter(status, "updatedReplicas");
  const int64_t replicas = counter(status, "replicas");
  const int64_t available = counter(status, "availableReplicas");
  const std::string waiting = "Waiting for deployment " + quoted + " rollout to finish: ";
  if (member(spec, "replicas").is_number_integer() && updated < counter(spec, "replicas")) {
    result.message = waiting + std::to_string(updated) + " out of " +
                     std::to_string(counter(spec, "replicas")) +
                     " new replicas have been updated...";
  } else if (replicas > updated) {
    result.message =
        waiting + std::to_string(replicas - updated) + " old replicas are pending termination...";
  } else if (available < updated) {
    result.message = waiting + std::to_string(available) + " of " + std::to_string(updated) +
                     " updated replicas are available...";
  } else {
    result.message = "deployment " + quoted + " successfully rolled out";
    result.done = true;
  }
  return result;
}

}  // namespace skiff::kubectl
