#pragma once
// Machines of a cluster as network namespaces, for multi-node network tests: a "lan" namespace
// and N "node" namespaces, each node linked to the lan by a veth pair (eth0 in the node). Two
// layouts:
//  - kSharedLink: one bridge in the lan; node i has 192.168.90.<i+1>/24, the lan 192.168.90.254.
//    Nodes reach each other directly, so host-gw routes work.
//  - kRouted: node i alone on 192.168.<91+i>.0/24 (node .1, lan .254 and the node's default
//    route), the lan forwards between them. Nodes reach each other only through the lan, which
//    knows nothing of pod subnets: only a tunnel (VXLAN) carries pod traffic.
// Everything lives in namespaces of the test's own and goes with them (destructor, also when a
// test fails); the host's interfaces are never touched. Nodes forward (ip_forward=1).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/support/netns.h"

namespace skiff::testing {

enum class LanLayout { kSharedLink, kRouted };

class NodeLan {
 public:
  // `prefix` keeps namespace names of several NodeLans in one process apart.
  NodeLan(LanLayout layout, int nodes, std::string_view prefix = "");
  NodeLan(const NodeLan&) = delete;
  NodeLan& operator=(const NodeLan&) = delete;

  const NetworkNamespace& lan() const { return *lan_; }
  const NetworkNamespace& node(int i) const { return *nodes_.at(i); }
  // Node i's address on its link to the lan (its InternalIP).
  const std::string& node_ip(int i) const { return node_ips_.at(i); }
  // The lan's address facing node i: a machine "outside" the cluster.
  const std::string& lan_ip(int i) const { return lan_ips_.at(i); }
  int size() const { return static_cast<int>(nodes_.size()); }

 private:
  std::unique_ptr<NetworkNamespace> lan_;
  std::vector<std::unique_ptr<NetworkNamespace>> nodes_;
  std::vector<std::string> node_ips_;
  std::vector<std::string> lan_ips_;
};

// A pod-like namespace behind a node: veth `eth0` (in the pod, `pod_ip`/24, default route via
// `gateway`) to a bridge `bridge` in the node holding `gateway`/24 (made on first use), as a
// podman bridge network on the node's podCIDR gives.
std::unique_ptr<NetworkNamespace> attach_pod(const NetworkNamespace& node, std::string_view role,
                                             const std::string& bridge, const std::string& gateway,
                                             const std::string& pod_ip);

}  // namespace skiff::testing
