#pragma once
// ServiceLB's decisions, as k3s' ServiceLB makes them but without helper pods: which
// LoadBalancer Services get which node addresses, and which stay pending because a port is
// taken. A pure function of (services, nodes); servicelb_controller.h writes the results.
//
//  - Ours: type LoadBalancer with no spec.loadBalancerClass (or skiff's own class), not being
//    deleted. Services of another class are left to their controller.
//  - Eligible nodes: every Ready node, or, once any node carries the label
//    svccontroller.skiff.io/enablelb=true, only the Ready nodes that carry it. A node's address
//    is its ExternalIP, else its InternalIP.
//  - Every eligible node forwards the service's ports, so one protocol+port can belong to only
//    one LoadBalancer service: the oldest claim wins (creationTimestamp, then namespace/name);
//    a later service asking for a taken port stays pending and names the holder.
#include <map>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/store/store.h"

namespace skiff::controllers {

inline constexpr const char* kServiceLbClass = "skiff.io/servicelb";
inline constexpr const char* kEnableLbLabel = "svccontroller.skiff.io/enablelb";

struct LoadBalancerDecision {
  std::vector<std::string> ingress;  // node addresses, sorted; empty = pending
  std::string conflict;              // "" or the taken port, "80/TCP"
  std::string holder;                // the "<ns>/<name>" holding `conflict`
};

// True for a LoadBalancer service ServiceLB serves.
bool is_servicelb_service(const Json& service);

// The addresses eligible nodes offer (see above), sorted and unique.
std::vector<std::string> load_balancer_addresses(const std::vector<store::ObjectPtr>& nodes);

// A decision for every service ServiceLB serves, keyed "<ns>/<name>".
std::map<std::string, LoadBalancerDecision> decide_load_balancers(
    const std::vector<store::ObjectPtr>& services, const std::vector<store::ObjectPtr>& nodes);

}  // namespace skiff::controllers
