#pragma once
// The node service: what an agent asks of the control plane, as a plain C++ class. The gRPC
// servicer (grpc_node_service.h) only translates messages and status codes around it.
//
// Reads come from the store; every write goes through the API (controllers::Client), so it is
// admitted, validated and compare-and-swapped like any other client's, and reaches the
// controllers' informers the same way. A compare-and-swap conflict is retried here (the agent's
// report is the truth about its node); every other failure is thrown as api::ApiError:
//   400 malformed input, 403 a pod bound to another node, 404 the object is gone,
//   409 the object is not in a state the request applies to (a replaced pod, a pod not being
//   deleted), 5xx the API or store failed.
//
// Not here: authentication (the servicer checks the token), and deciding liveness (the node
// lifecycle controller watches the leases this service renews).
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "pkg/api/json.h"
#include "server/controllers/client.h"
#include "server/nodeservice/node_watch.h"
#include "server/store/store.h"

namespace skiff::nodeservice {

inline constexpr const char* kLeaseNamespace = "kube-node-lease";

struct NodeRegistration {
  std::string node_name;
  // Added to kubernetes.io/hostname, kubernetes.io/os and kubernetes.io/arch.
  std::map<std::string, std::string> labels;
  // NodeStatus: capacity, allocatable, addresses, nodeInfo, conditions (type, status, reason,
  // message). lastHeartbeatTime and lastTransitionTime are stamped here.
  Json status;
};

struct PodRef {
  std::string namespace_name;
  std::string name;
  std::string uid;  // empty: any pod by this name
};

// The cluster-wide network settings agents follow (told in every Hello).
struct ClusterSettings {
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_cidr = "10.43.0.0/16";
  std::string cluster_dns = "10.43.0.10";
  std::string cluster_domain = "cluster.local";
  std::string network_backend = "vxlan";  // vxlan | host-gw | none
  bool service_proxy = true;
  bool cluster_dns_enabled = true;
  bool ingress_enabled = true;  // false with --disable ingress
};

struct NodeServiceOptions {
  std::chrono::milliseconds node_monitor_grace_period{40000};
  NodeWatchLimits watch_limits{};
  ClusterSettings cluster{};
};

struct LeaseTiming {
  std::chrono::milliseconds renew_interval;  // a quarter of the grace period, at most 10 s
  int duration_seconds;                      // the grace period, at least 1
};

class NodeService {
 public:
  // `store` and `client` must outlive the service.
  NodeService(store::Store& store, controllers::Client& client, NodeServiceOptions options = {});
  ~NodeService();
  NodeService(const NodeService&) = delete;
  NodeService& operator=(const NodeService&) = delete;

  LeaseTiming lease_timing() const { return timing_; }
  const ClusterSettings& cluster_settings() const { return options_.cluster; }

  // Creates the Node or updates its labels and status (spec, taints and others' labels are
  // kept), then makes sure its Lease exists and names it. Idempotent. Returns the Node.
  Json register_node(const NodeRegistration& registration);

  // Moves the Lease's renewTime (a volatile write: no disk I/O). Recreates a deleted Lease;
  // 404 when the Node itself is gone (the agent registers again). When the node controller
  // marked the node Unknown while the agent was silent, the last registered conditions are
  // written back, as a kubelet does when it sees its node's status differ from its own.
  void renew_lease(const std::string& node_name);

  // Writes `status` (a PodStatus) through pods/status, keeping conditions the agent does not
  // report (PodScheduled, DisruptionTarget). The pod must be bound to `node_name`.
  void report_pod_status(const std::string& node_name, const PodRef& pod, const Json& status);

  // Deletes a pod marked for deletion with grace period 0 and a uid precondition. Idempotent:
  // a pod already gone (or replaced by a new one of the same name) is fine.
  void confirm_pod_deleted(const std::string& node_name, const PodRef& pod);

  // Streams the node's objects (node_watch.h) on the calling thread until the sink refuses,
  // should_stop() says so, the agent falls behind, or shutdown().
  NodeWatchEnd watch(const NodeWatchRequest& request, NodeEventSink& sink,
                     const std::function<bool()>& should_stop);

  // Ends every watch; watches started afterwards end at once. Idempotent.
  void shutdown();

 private:
  Json create_node(const NodeRegistration& registration, const std::string& now);
  Json update_node(const Json& current, const NodeRegistration& registration,
                   const std::string& now);
  void ensure_lease(const Json& node);
  void restore_conditions(const std::string& node_name);

  store::Store& store_;
  controllers::Client& client_;
  const NodeServiceOptions options_;
  const LeaseTiming timing_;

  std::mutex mutex_;
  std::map<std::string, Json> registered_status_;  // node -> status from its last registration
  std::set<NodeWatch*> watches_;
  bool shut_down_ = false;
};

}  // namespace skiff::nodeservice
