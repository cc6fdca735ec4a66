#pragma once
// The node's pod network on podman: a bridge network on the node's spec.podCIDR that every pod
// joins, so pod IPs are unique across the cluster and routable between nodes (pod_routes.h).
//
// Contracts of ensure_pod_network():
//  - Idempotent across agent restarts: a network with the wanted name, subnet, gateway, bridge,
//    MTU and DNS setting is kept as it is (its pods keep running).
//  - A network of that name with other settings (the node got another podCIDR, an older
//    agent made it differently) is deleted and created again when no container is attached;
//    with containers attached it throws PodNetworkError naming them, since moving running
//    pods to another subnet would break them: drain the node or remove them first.
//  - Podman's own DNS (aardvark) is off: skiff answers cluster DNS itself.
//  - Throws PodNetworkError for a podCIDR that is not an IPv4 block with room for pods, and
//    runtime::RuntimeError when podman fails.
// Masquerade and routes are not done here (pod_masquerade.h, pod_routes.h).
#include <stdexcept>
#include <string>

#include "agent/runtime/podman/podman_networks.h"

namespace skiff::agent::network {

class PodNetworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PodNetworkOptions {
  std::string pod_cidr;        // this node's spec.podCIDR, "10.42.3.0/24"
  std::string name = "skiff";  // the podman network pods join
  std::string bridge_interface = "skiff0";
  int mtu = 0;  // 0 = podman's default (1500); with vxlan the uplink MTU - 50 fits best
};

// The bridge network ensure_pod_network() wants: gateway = the podCIDR's first address.
runtime::podman::BridgeNetwork desired_pod_network(const PodNetworkOptions& options);

// Returns the name of the network pods must join (options.name).
std::string ensure_pod_network(runtime::podman::BridgeNetworks& networks,
                               const PodNetworkOptions& options);

}  // namespace skiff::agent::network
