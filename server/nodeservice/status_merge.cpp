#include "server/nodeservice/status_merge.h"

#include <set>

namespace skiff::nodeservice {

namespace {

const Json& conditions_of(const Json& status) {
  static const Json kEmpty = Json::array();
  if (!status.is_object()) return kEmpty;
  auto it = status.find("conditions");
  return it != status.end() && it->is_array() ? *it : kEmpty;
}

const Json* find_condition(const Json& status, const std::string& type) {
  for (const auto& condition : conditions_of(status)) {
    if (condition.is_object() && condition.value("type", "") == type) return &condition;
  }
  return nullptr;
}

}  // namespace

std::string condition_status(const Json& status, const std::string& type) {
  const Json* condition = find_condition(status, type);
  return condition ? condition->value("status", "") : "";
}

Json stamp_node_status(const Json& reported, const Json& previous, const std::string& now) {
  Json status = reported;
  if (!status.contains("conditions")) return status;
  Json conditions = Json::array();
  for (const auto& reported_condition : conditions_of(reported)) {
    if (!reported_condition.is_object()) continue;
    Json condition = reported_condition;
    condition["lastHeartbeatTime"] = now;
    const Json* before = find_condition(previous, condition.value("type", ""));
    const bool unchanged = before != nullptr &&
                           before->value("status", "") == condition.value("status", "") &&
                           before->contains("lastTransitionTime");
    condition["lastTransitionTime"] = unchanged ? (*before)["lastTransitionTime"] : Json(now);
    conditions.push_back(std::move(condition));
  }
  status["conditions"] = std::move(conditions);
  return status;
}

std::map<std::string, std::string> node_labels(const std::string& node_name, const Json& status,
                                               const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> labels = {{"kubernetes.io/hostname", node_name}};
  const Json& info = status.is_object() ? status.value("nodeInfo", Json::object()) : Json();
  if (info.is_object()) {
    const std::string os = info.value("operatingSystem", "");
    const std::string arch = info.value("architecture", "");
    if (!os.empty()) labels["kubernetes.io/os"] = os;
    if (!arch.empty()) labels["kubernetes.io/arch"] = arch;
  }
  for (const auto& [key, value] : extra) labels[key] = value;
  return labels;
}

Json merge_pod_status(const Json& reported, const Json& stored) {
  Json status = reported;
  std::set<std::string> reported_types;
  for (const auto& condition : conditions_of(reported)) {
    if (condition.is_object()) reported_types.insert(condition.value("type", ""));
  }
  Json kept = Json::array();
  for (const auto& condition : conditions_of(stored)) {
    if (condition.is_object() && !reported_types.count(condition.value("type", ""))) {
      kept.push_back(condition);
    }
  }
  if (kept.empty()) return status;
  Json conditions = std::move(kept);
  for (const auto& condition : conditions_of(reported)) conditions.push_back(condition);
  status["conditions"] = std::move(conditions);
  return status;
}

}  // namespace skiff::nodeservice
