#pragma once
// Which ClusterIP and NodePorts a Service gets, as Kubernetes' service REST storage decides
// them: a pure function of (the service network, the old and new object, what others hold).
// The store and concurrency are service_allocator.h's business.
//
// Rules (k8s.io/kubernetes/pkg/registry/core/service):
//  - ClusterIP, NodePort, LoadBalancer: a requested clusterIP (or clusterIPs[0]) must be a free
//    address inside the service CIDR; an empty one gets a random free address. The network and
//    broadcast addresses, the first address (the `kubernetes` Service's) and the cluster DNS
//    address are never handed out unasked. "None" makes a headless service (ClusterIP only).
//  - ExternalName: no address; an address left over from the old type is dropped.
//  - On update an empty clusterIP / nodePort keeps the old one (kubectl apply leaves them out).
//  - NodePort and LoadBalancer (unless allocateLoadBalancerNodePorts is false) get a nodePort
//    per port from the range; a requested one must be free and in the range. Changing to a type
//    without node ports drops the ones carried over; newly requested ones are refused.
//  - A LoadBalancer with externalTrafficPolicy Local also gets a healthCheckNodePort.
// Refusals are 422 worded as Kubernetes words them ("provided IP is already allocated").
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/util/ipv4.h"

namespace skiff::apiserver {

struct ServiceNetwork {
  util::Ipv4Cidr service_cidr{0x0a2b0000u, 16};  // 10.43.0.0/16
  util::PortRange node_ports{30000, 32767};
  std::optional<uint32_t> cluster_dns{0x0a2b000au};  // 10.43.0.10: only handed out when asked
};

// Addresses and node ports held by services (other than the one being written).
struct AddressesInUse {
  std::set<uint32_t> cluster_ips;
  std::set<int64_t> node_ports;
};

// What one service holds after assignment.
struct ServiceAddresses {
  std::vector<uint32_t> cluster_ips;
  std::vector<int64_t> node_ports;
};

// Draws a number in [0, bound); allocation scans for a free value from there. Tests pass one
// that returns 0 (lowest free value first).
using RandomOffset = std::function<uint64_t(uint64_t bound)>;

// The addresses `service` holds as stored (clusterIPs, nodePorts, healthCheckNodePort).
ServiceAddresses addresses_of(const Json& service);

// Fills spec.clusterIP/clusterIPs and spec.ports[].nodePort of `service` (defaulted and
// validated; `old` is the stored object on update, nullptr on create) and returns what it now
// holds. Throws ApiError 422 for a refused request, 500 when a range is exhausted.
ServiceAddresses assign_service_addresses(const ServiceNetwork& network, const Json* old,
                                          Json& service, const AddressesInUse& in_use,
                                          const RandomOffset& random);

}  // namespace skiff::apiserver
