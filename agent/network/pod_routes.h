#pragma once
// The routes to the other nodes' pod subnets, kept in the kernel: sync() brings the kernel to
// the state build_pod_routes_model() asks for (host-gw routes, or the vxlan device with its
// routes, neighbours and fdb entries), remove() takes everything of ours away (uninstall).
//
// Contracts:
//  - Level-triggered and idempotent: sync() reads what the kernel holds (only what is ours:
//    routes with protocol kPodRouteProtocol and the device kVxlanDevice), applies the
//    difference with one `ip -batch` and one `bridge -batch`, and remembers the state it
//    reached. A sync with the same desired state as the last successful one runs no command
//    at all, so calling it on every (debounced) Node change is cheap.
//  - Failures do not throw: a command the kernel refuses (e.g. a host-gw route to a node not
//    on a shared link) is logged with iproute2's message, sync() returns false and the next
//    sync reads the kernel again and retries. Bad nodes (no podCIDR or InternalIP) are skipped
//    with a log line.
//  - Thread-safe: a mutex serialises sync() and remove().
//  - Forwarding (net.ipv4.ip_forward) is not set here: podman's netavark turns it on with the
//    pod bridge.
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "agent/network/ip_command.h"
#include "agent/network/pod_routes_model.h"
#include "agent/network/pod_routes_plan.h"
#include "pkg/api/json.h"

namespace skiff::agent::network {

struct PodRoutesOptions {
  std::string node_name;
  PodNetworkBackend backend = PodNetworkBackend::kVxlan;
  // The MTU of the node-to-node link; 0 = the MTU of the interface holding this node's
  // InternalIP (1500 when none does). The vxlan device gets it minus kVxlanOverhead.
  int uplink_mtu = 0;
};

class PodRoutes {
 public:
  explicit PodRoutes(PodRoutesOptions options, IpRunnerPtr runner = std::make_unique<IpCommand>());

  // `nodes`: JSON array of v1 Nodes (all of the cluster's, this node included). Returns true
  // when the kernel now matches the desired state.
  bool sync(const Json& nodes);
  // Deletes our routes and the vxlan device (with its neighbours and fdb entries). Returns
  // true when nothing of ours is left. Idempotent.
  bool remove();

 private:
  ObservedPodRoutes observe();
  int uplink_mtu_for(const std::string& local_ip);
  bool apply(const PodRoutesState& desired);

  PodRoutesOptions options_;
  IpRunnerPtr runner_;
  std::mutex mutex_;
  std::optional<PodRoutesState> applied_;  // the state of the last successful sync
  // The uplink MTU, looked up once per local address (an MTU change needs an agent restart).
  std::optional<std::pair<std::string, int>> detected_mtu_;
};

}  // namespace skiff::agent::network
