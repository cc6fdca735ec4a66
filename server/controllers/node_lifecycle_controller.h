#pragma once
// The node lifecycle controller: a node is alive while its Lease in kube-node-lease (or its
// Ready condition's heartbeat) keeps changing. Silent for longer than the grace period, its
// conditions become Unknown ("Kubelet stopped posting node status."), it gets the
// node.kubernetes.io/unreachable taints (NoSchedule + NoExecute) and its pods are marked not
// ready; a node reporting Ready=False gets node.kubernetes.io/not-ready instead. When the node
// is back, the taints go.
//
// NoExecute eviction (the taint manager): a pod on a node with such a taint is deleted once
// its matching toleration's tolerationSeconds have passed since the taint was added (at once
// without a toleration; never with a toleration without seconds). The API gives every pod
// 300 s tolerations for both taints by default. A pod evicted from an unreachable node is
// deleted with grace period 0: no agent is there to confirm its end, and its ReplicaSet
// replaces it elsewhere.
//
// Liveness is judged by when this controller *saw* the heartbeat change (its own monotonic
// clock), not by the timestamp written in it, so clock skew between machines does not matter;
// after a server restart every node gets a full grace period.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

inline constexpr const char* kUnreachableTaint = "node.kubernetes.io/unreachable";
inline constexpr const char* kNotReadyTaint = "node.kubernetes.io/not-ready";

struct NodeLifecycleOptions {
  std::chrono::milliseconds grace_period{40000};  // --node-monitor-grace-period
};

class NodeLifecycleController {
 public:
  // `pods` needs the "node" index (pod_node_index); `leases` watches every namespace (only
  // kube-node-lease is read).
  NodeLifecycleController(Informer& nodes, Informer& leases, Informer& pods, Client& client,
                          EventRecorder& events, NodeLifecycleOptions options = {},
                          Clock& clock = steady_clock());

  void start(int workers) { loop_.start(workers); }
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& node_name);

 private:
  // How long the node has been silent, by our clock.
  Clock::Duration silence(const std::string& node_name, const Json& node);
  // Writes the taints this controller owns (others are kept); returns the node as written.
  Json set_taints(const Json& node, const std::vector<std::pair<std::string, std::string>>& ours);
  void mark_unknown(const Json& node);
  void mark_pods_not_ready(const std::string& node_name);
  // Deletes pods whose tolerations ran out; returns the time until the next one does.
  std::optional<Clock::Duration> evict_pods(const Json& node, bool unreachable);

  Informer& nodes_;
  Informer& leases_;
  Informer& pods_;
  Client& client_;
  EventRecorder& events_;
  const NodeLifecycleOptions options_;
  Clock& clock_;
  ControllerLoop loop_;

  struct Observation {
    std::string heartbeat;  // lease renewTime + Ready heartbeat, as last seen
    Clock::TimePoint seen_at;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Observation> observed_;
};

}  // namespace skiff::controllers
