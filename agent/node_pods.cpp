#include "agent/node_pods.h"

#include "pkg/log/log.h"

namespace skiff::agent {
namespace {

// The member `key` when it is an object, else an empty object (the server may send
// `"status": null`, on which nlohmann's value() throws).
const Json& object_member(const Json& parent, const char* key) {
  static const Json kEmpty = Json::object();
  if (!parent.is_object()) return kEmpty;
  const auto member = parent.find(key);
  return member != parent.end() && member->is_object() ? *member : kEmpty;
}

pods::PodKey pod_key(const Json& pod) {
  const Json& metadata = object_member(pod, "metadata");
  return {metadata.value("namespace", ""), metadata.value("name", ""), metadata.value("uid", "")};
}

std::string ready_status(const Json& status) {
  const auto conditions = status.find("conditions");
  if (conditions == status.end() || !conditions->is_array()) return "";
  for (const auto& condition : *conditions) {
    if (condition.is_object() && condition.value("type", "") == "Ready")
      return condition.value("status", "");
  }
  return "";
}

}  // namespace

bool status_disagrees(const Json& server_status, const Json& agent_status) {
  if (!agent_status.is_object()) return false;  // nothing to report yet
  if (!server_status.is_object()) return true;
  return server_status.value("phase", "") != agent_status.value("phase", "") ||
         ready_status(server_status) != ready_status(agent_status);
}

void NodePods::attach(pods::PodManager& manager, nodeclient::NodeSession& session) {
  manager_ = &manager;
  session_ = &session;
}

void NodePods::set_manager(pods::PodManager& manager) {
  std::lock_guard lock(manager_mutex_);
  manager_ = &manager;
  if (!synced_once_ || !list_pods_) return;
  const std::vector<Json> bound = list_pods_();
  log::info("starting the node's pods", {{"pods", static_cast<int64_t>(bound.size())}});
  manager_->set_pods(bound);
}

void NodePods::object_changed(nodeclient::ObjectKind kind, const Json& object) {
  std::lock_guard lock(manager_mutex_);
  if (manager_ == nullptr) return;  // set_manager lists the pods then
  if (kind != nodeclient::ObjectKind::Pod) {
    const Json& metadata = object_member(object, "metadata");
    manager_->object_changed(nodeclient::kind_name(kind), metadata.value("namespace", ""),
                             metadata.value("name", ""));
    return;
  }
  manager_->update_pod(object);
  report_if_server_differs(object);
}

void NodePods::object_removed(nodeclient::ObjectKind kind, const Json& last_known) {
  std::lock_guard lock(manager_mutex_);
  if (manager_ == nullptr) return;
  if (kind != nodeclient::ObjectKind::Pod) {
    // A ConfigMap or Secret deleted: workers that mount it see it missing on their next sync.
    const Json& metadata = object_member(last_known, "metadata");
    manager_->object_changed(nodeclient::kind_name(kind), metadata.value("namespace", ""),
                             metadata.value("name", ""));
    return;
  }
  manager_->remove_pod(pod_key(last_known).uid);
}

void NodePods::synced() {
  // Only the first time: set_pods is the "list" that settles adoption. Later syncs deliver
  // what changed meanwhile as ordinary changes and removals.
  std::lock_guard lock(manager_mutex_);
  if (synced_once_.exchange(true) || !list_pods_ || manager_ == nullptr) return;
  const std::vector<Json> bound = list_pods_();
  log::info("node synced with the server", {{"pods", static_cast<int64_t>(bound.size())}});
  manager_->set_pods(bound);
}

void NodePods::report_if_server_differs(const Json& pod) {
  const pods::PodKey key = pod_key(pod);
  if (object_member(pod, "metadata").contains("deletionTimestamp")) return;
  const std::optional<Json> ours = manager_->status(key.uid);
  if (!ours || !status_disagrees(object_member(pod, "status"), *ours)) return;
  session_->report_pod_status({key.namespace_name, key.name, key.uid}, *ours);
}

void NodePods::pod_status_changed(const pods::PodKey& pod, const Json& status) {
  session_->report_pod_status({pod.namespace_name, pod.name, pod.uid}, status);
}

void NodePods::pod_stopped(const pods::PodKey& pod) {
  session_->confirm_pod_deleted({pod.namespace_name, pod.name, pod.uid});
}

std::optional<Json> NodePods::get(std::string_view kind, const std::string& namespace_name,
                                  const std::string& name) {
  if (kind == "ConfigMap")
    return session_->get_object(nodeclient::ObjectKind::ConfigMap, namespace_name, name);
  if (kind == "Secret")
    return session_->get_object(nodeclient::ObjectKind::Secret, namespace_name, name);
  return std::nullopt;
}

}  // namespace skiff::agent
