#include "server/scheduler/taints.h"

#include <algorithm>

#include "server/scheduler/json_fields.h"

namespace skiff::scheduler {
namespace {

std::string ready_status(const Json& node) {
  const Json& conditions = node.contains("status") && node["status"].is_object()
                               ? node["status"].value("conditions", Json::array())
                               : Json::array();
  if (!conditions.is_array()) return {};
  for (const Json& c : conditions) {
    if (string_field(c, "type") == "Ready") return string_field(c, "status");
  }
  return {};
}

}  // namespace

bool tolerates(const Json& toleration, const Taint& taint) {
  const std::string effect = string_field(toleration, "effect");
  if (!effect.empty() && effect != taint.effect) return false;
  const std::string key = string_field(toleration, "key");
  const std::string op = string_field(toleration, "operator");
  if (!key.empty() && key != taint.key) return false;
  if (op == "Exists") return true;
  if (key.empty()) return false;  // an empty key is only valid with Exists
  if (op.empty() || op == "Equal") return string_field(toleration, "value") == taint.value;
  return false;
}

bool pod_tolerates(const Json& pod, const Taint& taint) {
  if (!pod.contains("spec") || !pod["spec"].contains("tolerations")) return false;
  const Json& tolerations = pod["spec"]["tolerations"];
  if (!tolerations.is_array()) return false;
  return std::any_of(tolerations.begin(), tolerations.end(),
                     [&](const Json& t) { return tolerates(t, taint); });
}

std::vector<Taint> effective_taints(const Json& node) {
  std::vector<Taint> out;
  if (node.contains("spec") && node["spec"].contains("taints") &&
      node["spec"]["taints"].is_array()) {
    for (const Json& t : node["spec"]["taints"]) {
      out.push_back({string_field(t, "key"), string_field(t, "value"), string_field(t, "effect")});
    }
  }
  const std::string ready = ready_status(node);
  if (ready == "True") return out;
  const std::string key =
      ready == "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready";
  const bool present = std::any_of(out.begin(), out.end(), [&](const Taint& t) {
    return t.key == key && t.effect == "NoSchedule";
  });
  if (!present) out.push_back({key, "", "NoSchedule"});
  return out;
}

std::optional<Taint> first_untolerated(const Json& pod, const std::vector<Taint>& taints,
                                       std::initializer_list<std::string_view> effects) {
  for (const Taint& taint : taints) {
    if (std::find(effects.begin(), effects.end(), taint.effect) == effects.end()) continue;
    if (!pod_tolerates(pod, taint)) return taint;
  }
  return std::nullopt;
}

}  // namespace skiff::scheduler
