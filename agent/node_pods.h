#pragma once
// The seam between the node connection and the pod workers, both ways:
//  - what the server streams (NodeObjectHandler) becomes PodManager calls: a pod added or
//    changed -> update_pod, a pod gone -> remove_pod, a ConfigMap/Secret changed -> the workers
//    that mount it refresh; the first Synced after start -> set_pods, which stops the adopted
//    pods deleted while the agent was away;
//  - what the workers report (PodStatusSink) goes to the server through the NodeSession;
//  - what the workers read (ObjectSource) is the session's copy of the ConfigMaps and Secrets.
//
// The server may hold a pod status the agent did not write: the node lifecycle controller marks
// the pods of a node it lost touch with not ready. A pod arriving with a Ready condition or
// phase different from what its worker last reported is reported again, so pods come back
// Ready with their node.
#include <atomic>
#include <mutex>

#include "agent/nodeclient/node_session.h"
#include "agent/pods/pod_interfaces.h"
#include "agent/pods/pod_manager.h"

namespace skiff::agent {

class NodePods final : public nodeclient::NodeObjectHandler,
                       public pods::PodStatusSink,
                       public pods::ObjectSource {
 public:
  // Connect both ends before the session starts; both must outlive this object's use.
  void attach(pods::PodManager& manager, nodeclient::NodeSession& session);
  // Or the session first, and the pod workers once pods may start (the pod network is up):
  // until then the server's pods wait in the session's cache, and set_manager settles them
  // (set_pods) if the first Synced already came.
  void attach(nodeclient::NodeSession& session) { session_ = &session; }
  void set_manager(pods::PodManager& manager);

  // NodeObjectHandler
  void object_changed(nodeclient::ObjectKind kind, const Json& object) override;
  void object_removed(nodeclient::ObjectKind kind, const Json& last_known) override;
  void synced() override;

  // PodStatusSink
  void pod_status_changed(const pods::PodKey& pod, const Json& status) override;
  void pod_stopped(const pods::PodKey& pod) override;

  // ObjectSource
  std::optional<Json> get(std::string_view kind, const std::string& namespace_name,
                          const std::string& name) override;

  // For the session's cache listing: the pods the server says are bound here.
  void set_pod_lister(std::function<std::vector<Json>()> lister) { list_pods_ = std::move(lister); }

 private:
  void report_if_server_differs(const Json& pod);

  // Guards manager_ (set while the session delivers) and the first-sync hand-over.
  std::mutex manager_mutex_;
  pods::PodManager* manager_ = nullptr;
  nodeclient::NodeSession* session_ = nullptr;
  std::function<std::vector<Json>()> list_pods_;
  std::atomic<bool> synced_once_{false};
};

// The parts of a pod status whose disagreement between server and agent is worth a report:
// phase and the Ready condition's status. Pure, for tests.
bool status_disagrees(const Json& server_status, const Json& agent_status);

}  // namespace skiff::agent
