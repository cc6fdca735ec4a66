#include "agent/node_pods.h"

#include "pkg/log/log.h"

namespace skiff::agent {
namespace {

pods::PodKey pod_key(const Json& pod) {
  const Json& metadata = pod.value("metadata", Json::object());
  return {metadata.value("namespace", ""), metadata.value("name", ""), metadata.value("uid", "")};
}

std::string ready_status(const Json& status) {
  for (const auto& condition : status.value("conditions", Json::array())) {
    if (condition.value("type", "") == "Ready") return condition.value("status", "");
  }
  return "";
}

}  // namespace

bool status_disagrees(const Json& server_status, const Json& agent_status) {
  return server_status.value("phase", "") != agent_status.value("phase", "") ||
         ready_status(server_status) != ready_status(agent_status);
}

void NodePods::attach(pods::PodManager& manager, nodeclient::NodeSession& session) {
  manager_ = &manager;
  session_ = &session;
}

void NodePods::object_changed(nodeclient::ObjectKind kind, const Json& object) {
  if (kind != nodeclient::ObjectKind::Pod) {
    const Json& metadata = object.value("metadata", Json::object());
    manager_->object_changed(nodeclient::kind_name(kind), metadata.value("namespace", ""),
                             metadata.value("name", ""));
    return;
  }
  manager_->update_pod(object);
  report_if_server_differs(object);
}

void NodePods::object_removed(nodeclient::ObjectKind kind, const Json& last_known) {
  if (kind != nodeclient::ObjectKind::Pod) {
    // A ConfigMap or Secret deleted: workers that mount it see it missing on their next sync.
    const Json& metadata = last_known.value("metadata", Json::object());
    manager_->object_changed(nodeclient::kind_name(kind), metadata.value("namespace", ""),
                             metadata.value("name", ""));
    return;
  }
  manager_->remove_pod(pod_key(last_known).uid);
}

void NodePods::synced() {
  // Only the first time: set_pods is the "list" that settles adoption. Later syncs deliver
  // what changed meanwhile as ordinary changes and removals.
  if (synced_once_.exchange(true) || !list_pods_) return;
  const std::vector<Json> bound = list_pods_();
  log::info("node synced with the server", {{"pods", static_cast<int64_t>(bound.size())}});
  manager_->set_pods(bound);
}

void NodePods::report_if_server_differs(const Json& pod) {
  const pods::PodKey key = pod_key(pod);
  if (pod.value("metadata", Json::object()).contains("deletionTimestamp")) return;
  const std::optional<Json> ours = manager_->status(key.uid);
  if (!ours || !status_disagrees(pod.value("status", Json::object()), *ours)) return;
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
