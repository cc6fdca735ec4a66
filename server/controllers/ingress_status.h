#pragma once
// Which Ingresses skiff's embedded proxy serves, and the status it gives them. Pure functions of
// (ingress, nodes); ingress_status_controller.h writes the results.
//
//  - Served by skiff: spec.ingressClassName == "skiff", or no spec.ingressClassName and the
//    legacy annotation `kubernetes.io/ingress.class` absent or "skiff". Every other Ingress
//    belongs to another controller and is never touched.
//  - The proxy listens on every node that offers LoadBalancer addresses (ServiceLB's rule,
//    servicelb_decide.h: Ready nodes, narrowed by the enablelb label, ExternalIP over
//    InternalIP), so status.loadBalancer.ingress is one {"ip": ...} per such address, sorted.
//    No such node: no entry (the Ingress shows no ADDRESS, as on a cluster whose controller has
//    not admitted it yet).
#include <optional>
#include <vector>

#include "pkg/api/json.h"
#include "server/store/store.h"

namespace skiff::controllers {

inline constexpr const char* kIngressClass = "skiff";
inline constexpr const char* kIngressController = "skiff.io/ingress";

bool is_skiff_ingress(const Json& ingress);

// status.loadBalancer.ingress for a skiff Ingress: [{"ip": "..."}...], sorted; maybe empty.
Json ingress_load_balancer_points(const std::vector<store::ObjectPtr>& nodes);

// The merge patch for the /status subresource that makes `ingress` show `points`, or nullopt
// when it already does (an empty `points` and a missing/empty stored list are the same).
std::optional<Json> ingress_status_patch(const Json& ingress, const Json& points);

// True when a change of one node may change ingress_load_balancer_points (readiness, addresses,
// the enablelb label, deletion); heartbeats that move only timestamps are not.
bool node_change_matters(const Json* old_node, const Json* new_node);

}  // namespace skiff::controllers
