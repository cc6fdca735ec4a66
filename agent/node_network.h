#pragma once
// The node's part of the services plane, driven by what the server streams: the cluster
// settings (Hello), every Service, EndpointSlice and Node. One thread turns changes into calls
// of the hooks, so a burst of endpoint changes costs one rules update:
//
//   1. Once the settings are known and (unless the network backend is "none") this node's
//      spec.podCIDR is: bring_up_pod_network(settings, podCIDR) -> the runtime network pods
//      join; then pods_may_start(settings, network). Until then no pod is started, so no pod
//      lands on a network it would have to leave. A failing bring-up is retried.
//   2. Services or EndpointSlices changed: services_changed(settings, services, slices) within
//      `debounce` of the first change (the service proxy and the cluster DNS).
//   3. Nodes changed, once pods may start: nodes_changed(settings, nodes) (routes to other
//      nodes' pod subnets; they wait for the pod network, whose subnet podman refuses to create
//      while the vxlan device already holds an address in it).
// A hook that throws is logged and called again after `retry_delay` (with the newest objects).
//
// Objects come from `list` (the node connection's cache), read when a hook runs, so the hooks
// always see the newest state, never a stale event's.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/nodeclient/node_session.h"

namespace skiff::agent {

struct NodeNetworkHooks {
  using Settings = nodeclient::ClusterSettings;
  std::function<std::string(const Settings&, const std::string& pod_cidr)> bring_up_pod_network;
  std::function<void(const Settings&, const std::string& network)> pods_may_start;
  std::function<void(const Settings&, const Json& services, const Json& endpoint_slices)>
      services_changed;
  std::function<void(const Settings&, const Json& nodes)> nodes_changed;
};

struct NodeNetworkOptions {
  std::string node_name;
  std::chrono::milliseconds debounce{10};
  std::chrono::milliseconds retry_delay{2000};
};

class NodeNetwork final : public nodeclient::NodeObjectHandler {
 public:
  using Lister = std::function<std::vector<Json>(nodeclient::ObjectKind)>;
  NodeNetwork(NodeNetworkOptions options, NodeNetworkHooks hooks, Lister list);
  ~NodeNetwork() override;  // stop()
  NodeNetwork(const NodeNetwork&) = delete;
  NodeNetwork& operator=(const NodeNetwork&) = delete;

  void start();
  void stop();  // joins the thread; idempotent

  // NodeObjectHandler: only the cluster-wide kinds matter here.
  void object_changed(nodeclient::ObjectKind kind, const Json& object) override;
  void object_removed(nodeclient::ObjectKind kind, const Json& last_known) override;
  void settings_received(const nodeclient::ClusterSettings& settings) override;

  // This node's spec.podCIDR among `nodes` ("" when not assigned yet). Pure.
  static std::string pod_cidr_of(const std::vector<Json>& nodes, const std::string& node_name);

 private:
  void mark(nodeclient::ObjectKind kind);
  void run();
  // One round of work with the settings as they were when it began; returns false when a hook
  // failed and the round must be retried.
  bool work(const nodeclient::ClusterSettings& settings, bool services, bool nodes);
  Json list_json(nodeclient::ObjectKind kind) const;

  const NodeNetworkOptions options_;
  const NodeNetworkHooks hooks_;
  const Lister list_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<nodeclient::ClusterSettings> settings_;
  bool services_dirty_ = true;
  bool nodes_dirty_ = true;
  bool pods_started_ = false;
  // A round must try to start pods even though no object changed (settings arrived, or the
  // last attempt failed). Without a podCIDR the next Node change tries again.
  bool start_pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::agent
