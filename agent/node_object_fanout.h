#pragma once
// Splits what the server streams between the agent's two consumers: the pods' kinds (Pod,
// ConfigMap, Secret) go to NodePods, the cluster-wide kinds (Service, EndpointSlice, Node) and
// the cluster settings to NodeNetwork. Both hear Synced.
#include "agent/nodeclient/node_session.h"

namespace skiff::agent {

class NodeObjectFanout final : public nodeclient::NodeObjectHandler {
 public:
  // Both must outlive the fan-out.
  NodeObjectFanout(nodeclient::NodeObjectHandler& pods, nodeclient::NodeObjectHandler& network)
      : pods_(pods), network_(network) {}

  void object_changed(nodeclient::ObjectKind kind, const Json& object) override {
    target(kind).object_changed(kind, object);
  }
  void object_removed(nodeclient::ObjectKind kind, const Json& last_known) override {
    target(kind).object_removed(kind, last_known);
  }
  void synced() override {
    network_.synced();
    pods_.synced();
  }
  void settings_received(const nodeclient::ClusterSettings& settings) override {
    network_.settings_received(settings);
  }

 private:
  nodeclient::NodeObjectHandler& target(nodeclient::ObjectKind kind) {
    using K = nodeclient::ObjectKind;
    return kind == K::Service || kind == K::EndpointSlice || kind == K::Node ? network_ : pods_;
  }

  nodeclient::NodeObjectHandler& pods_;
  nodeclient::NodeObjectHandler& network_;
};

}  // namespace skiff::agent
