#pragma once
// Splits what the server streams between the agent's consumers: the pods' kinds (Pod, ConfigMap,
// Secret) go to NodePods; the cluster-wide kinds (Service, EndpointSlice, Node) and the cluster
// settings to NodeNetwork; Ingresses, and the Services, EndpointSlices and Secrets behind them,
// to NodeIngress. Everyone hears Synced.
#include "agent/nodeclient/node_session.h"

namespace skiff::agent {

class NodeObjectFanout final : public nodeclient::NodeObjectHandler {
 public:
  // All must outlive the fan-out.
  NodeObjectFanout(nodeclient::NodeObjectHandler& pods, nodeclient::NodeObjectHandler& network,
                   nodeclient::NodeObjectHandler& ingress)
      : pods_(pods), network_(network), ingress_(ingress) {}

  void object_changed(nodeclient::ObjectKind kind, const Json& object) override {
    if (for_pods(kind)) pods_.object_changed(kind, object);
    if (for_network(kind)) network_.object_changed(kind, object);
    if (for_ingress(kind)) ingress_.object_changed(kind, object);
  }
  void object_removed(nodeclient::ObjectKind kind, const Json& last_known) override {
    if (for_pods(kind)) pods_.object_removed(kind, last_known);
    if (for_network(kind)) network_.object_removed(kind, last_known);
    if (for_ingress(kind)) ingress_.object_removed(kind, last_known);
  }
  void synced() override {
    network_.synced();
    ingress_.synced();
    pods_.synced();
  }
  void settings_received(const nodeclient::ClusterSettings& settings) override {
    network_.settings_received(settings);
    ingress_.settings_received(settings);
  }

 private:
  using K = nodeclient::ObjectKind;
  static bool for_pods(K kind) {
    return kind == K::Pod || kind == K::ConfigMap || kind == K::Secret;
  }
  static bool for_network(K kind) {
    return kind == K::Service || kind == K::EndpointSlice || kind == K::Node;
  }
  static bool for_ingress(K kind) {
    return kind == K::Ingress || kind == K::Service || kind == K::EndpointSlice ||
           kind == K::Secret;
  }

  nodeclient::NodeObjectHandler& pods_;
  nodeclient::NodeObjectHandler& network_;
  nodeclient::NodeObjectHandler& ingress_;
};

}  // namespace skiff::agent
