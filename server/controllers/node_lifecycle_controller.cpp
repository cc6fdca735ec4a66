#include "server/controllers/node_lifecycle_controller.h"

#include <algorithm>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"
#include "server/controllers/json_access.h"
#include "server/scheduler/taints.h"

namespace skiff::controllers {

namespace {
constexpr const char* kNodeLifecycleController = "node-controller";
constexpr const char* kLeaseNamespace = "kube-node-lease";

std::string condition_status(const Json& node, const std::string& type) {
  for (const auto& condition : json::at(node, {"status", "conditions"})) {
    if (condition.value("type", "") == type) return condition.value("status", "");
  }
  return "";
}

bool is_ours(const std::string& key) {
  return key == kUnreachableTaint || key == kNotReadyTaint;
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(Informer& nodes, Informer& leases, Informer& pods,
                                                 Client& client, EventRecorder& events,
                                                 NodeLifecycleOptions options, Clock& clock)
    : nodes_(nodes),
      leases_(leases),
      pods_(pods),
      client_(client),
      events_(events),
      options_(options),
      clock_(clock),
      loop_(
          "nodelifecycle", [this](const std::string& key) { return sync(key); }, clock) {
  nodes_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    loop_.enqueue(json::string_at(current ? *current : *old, {"metadata", "name"}));
  });
  leases_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    const Json& lease = current ? *current : *old;
    if (json::string_at(lease, {"metadata", "namespace"}) != kLeaseNamespace) return;
    loop_.enqueue(json::string_at(lease, {"metadata", "name"}));
  });
  // A pod bound to a tainted node must be judged by its own tolerations.
  pods_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    if (!current || old) return;
    std::string node = json::string_at(*current, {"spec", "nodeName"});
    if (!node.empty()) loop_.enqueue(node);
  });
}

Clock::Duration NodeLifecycleController::silence(const std::string& node_name, const Json& node) {
  std::string heartbeat;
  if (ObjectPtr lease = leases_.get(kLeaseNamespace, node_name)) {
    heartbeat = json::string_at(*lease, {"spec", "renewTime"});
  }
  for (const auto& condition : json::at(node, {"status", "conditions"})) {
    if (condition.value("type", "") == "Ready") {
      heartbeat += "|" + condition.value("lastHeartbeatTime", "");
    }
  }
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = observed_.try_emplace(node_name, Observation{heartbeat, now});
  if (!inserted && it->second.heartbeat != heartbeat) it->second = Observation{heartbeat, now};
  return now - it->second.seen_at;
}

SyncResult NodeLifecycleController::sync(const std::string& node_name) {
  ObjectPtr cached = nodes_.get(node_name);
  if (!cached) {
    std::lock_guard lock(mutex_);
    observed_.erase(node_name);
    return SyncResult::done();
  }
  Json node = *cached;
  const Clock::Duration silent = silence(node_name, node);
  const bool unreachable = silent > options_.grace_period;
  std::optional<Clock::Duration> next;
  if (unreachable) {
    if (condition_status(node, "Ready") != "Unknown") {
      mark_unknown(node);
      mark_pods_not_ready(node_name);
      events_.record(node, "Normal", "NodeNotReady",
                     "Node " + node_name + " status is now: NodeNotReady",
                     kNodeLifecycleController);
      cached = nodes_.get(node_name);
      if (!cached) return SyncResult::done();
      node = *cached;
    }
    node = set_taints(node, {{kUnreachableTaint, "NoSchedule"}, {kUnreachableTaint, "NoExecute"}});
  } else {
    next = options_.grace_period - silent + std::chrono::milliseconds(100);
    const std::string ready = condition_status(node, "Ready");
    if (ready == "True") {
      node = set_taints(node, {});
    } else if (ready == "False") {
      node = set_taints(node, {{kNotReadyTaint, "NoSchedule"}, {kNotReadyTaint, "NoExecute"}});
    }
  }
  auto eviction = evict_pods(node, unreachable);
  if (eviction && (!next || *eviction < *next)) next = eviction;
  return next ? SyncResult::after(*next) : SyncResult::done();
}

Json NodeLifecycleController::set_taints(
    const Json& node, const std::vector<std::pair<std::string, std::string>>& ours) {
  Json taints = Json::array();
  std::vector<std::pair<std::string, std::string>> missing = ours;
  bool changed = false;
  for (const auto& taint : json::at(node, {"spec", "taints"})) {
    std::pair<std::string, std::string> id{taint.value("key", ""), taint.value("effect", "")};
    auto wanted = std::find(missing.begin(), missing.end(), id);
    if (wanted != missing.end()) {
      missing.erase(wanted);
    } else if (is_ours(id.first)) {
      changed = true;  // a taint of ours that no longer applies
      continue;
    }
    taints.push_back(taint);
  }
  for (const auto& [key, effect] : missing) {
    Json taint = {{"key", key}, {"effect", effect}};
    if (effect == "NoExecute") taint["timeAdded"] = api::now_rfc3339();
    taints.push_back(std::move(taint));
    changed = true;
  }
  if (!changed) return node;
  Json updated = node;
  if (taints.empty()) {
    updated["spec"].erase("taints");
  } else {
    updated["spec"]["taints"] = std::move(taints);
  }
  return update(client_, nodes_resource(), updated);
}

void NodeLifecycleController::mark_unknown(const Json& node) {
  Json updated = node;
  Json& conditions = updated["status"]["conditions"];
  if (!conditions.is_array()) conditions = Json::array();
  const std::string now = api::now_rfc3339();
  bool has_ready = false;
  for (auto& condition : conditions) {
    has_ready = has_ready || condition.value("type", "") == "Ready";
    condition["status"] = "Unknown";
    condition["reason"] = "NodeStatusUnknown";
    condition["message"] = "Kubelet stopped posting node status.";
    condition["lastTransitionTime"] = now;
  }
  if (!has_ready) {
    conditions.push_back({{"type", "Ready"},
                          {"status", "Unknown"},
                          {"reason", "NodeStatusNeverUpdated"},
                          {"message", "Kubelet never posted node status."},
                          {"lastHeartbeatTime", now},
                          {"lastTransitionTime", now}});
  }
  update_status(client_, nodes_resource(), updated);
}

void NodeLifecycleController::mark_pods_not_ready(const std::string& node_name) {
  const std::string now = api::now_rfc3339();
  for (const auto& pod : pods_.by_index("node", node_name)) {
    Json conditions = json::at(*pod, {"status", "conditions"});
    bool changed = false;
    for (auto& condition : conditions) {
      if (condition.value("type", "") == "Ready" && condition.value("status", "") != "False") {
        condition["status"] = "False";
        condition["lastTransitionTime"] = now;
        changed = true;
      }
    }
    if (!changed) continue;
    try {
      merge_patch(client_, pods_resource(), json::string_at(*pod, {"metadata", "namespace"}),
                  json::string_at(*pod, {"metadata", "name"}),
                  {{"status", {{"conditions", conditions}}}}, "status");
    } catch (const api::ApiError& error) {
      if (error.code() != 404) throw;
    }
  }
}

std::optional<Clock::Duration> NodeLifecycleController::evict_pods(const Json& node,
                                                                   bool unreachable) {
  std::vector<std::pair<scheduler::Taint, api::Clock::time_point>> no_execute;
  for (const auto& taint : json::at(node, {"spec", "taints"})) {
    if (taint.value("effect", "") != "NoExecute") continue;
    auto added = api::parse_rfc3339(taint.value("timeAdded", ""));
    no_execute.push_back({{taint.value("key", ""), taint.value("value", ""), "NoExecute"},
                          added.value_or(api::Clock::now())});
  }
  if (no_execute.empty()) return std::nullopt;
  const std::string node_name = json::string_at(node, {"metadata", "name"});
  const auto now = api::Clock::now();
  std::optional<Clock::Duration> next;
  for (const auto& pod : pods_.by_index("node", node_name)) {
    const std::string namespace_name = json::string_at(*pod, {"metadata", "namespace"});
    const std::string name = json::string_at(*pod, {"metadata", "name"});
    const std::string uid = json::string_at(*pod, {"metadata", "uid"});
    if (pod->at("metadata").contains("deletionTimestamp")) {
      // Terminating on a node that cannot confirm it: finish the deletion here.
      if (unreachable) remove(client_, pods_resource(), namespace_name, name, uid, 0);
      continue;
    }
    // The pod goes at the earliest deadline among the taints it must leave for.
    std::optional<api::Clock::time_point> deadline;
    for (const auto& [taint, added] : no_execute) {
      std::optional<api::Clock::time_point> leave_at = added;  // no toleration: at once
      for (const auto& toleration : json::at(*pod, {"spec", "tolerations"})) {
        if (!scheduler::tolerates(toleration, taint)) continue;
        if (!toleration.contains("tolerationSeconds")) {
          leave_at.reset();  // tolerated forever
          break;
        }
        leave_at = added + std::chrono::seconds(toleration.value("tolerationSeconds", int64_t{0}));
      }
      if (leave_at && (!deadline || *leave_at < *deadline)) deadline = leave_at;
    }
    if (!deadline) continue;
    if (*deadline > now) {
      auto wait = std::chrono::duration_cast<Clock::Duration>(*deadline - now);
      if (!next || wait < *next) next = wait;
      continue;
    }
    events_.record(*pod, "Normal", "TaintManagerEviction",
                   "Marking for deletion Pod " + namespace_name + "/" + name,
                   kNodeLifecycleController);
    remove(client_, pods_resource(), namespace_name, name, uid, unreachable ? 0 : -1);
  }
  return next;
}

}  // namespace skiff::controllers
