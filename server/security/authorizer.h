#pragma once
// Authorization: may this user do this to that? Pure rules over (user, request attributes,
// and what the node rules need to know about objects); no RBAC yet.
//   - system:masters: everything.
//   - a node (system:node:<name> in system:nodes), after Kubernetes' Node authorizer and the
//     system:node role, narrowed to what a skiff agent needs:
//       read (get/list/watch) nodes, pods, services, endpoints, endpointslices, namespaces,
//         ingresses, ingressclasses;
//       create/get/update/patch its OWN Node (and nodes/status), delete its own Node;
//       get/create/update/patch/delete its OWN Lease in kube-node-lease;
//       update/patch pods/status and delete pods only for pods bound to it;
//       get secrets and configmaps only when a pod bound to it references them
//         (volumes, env valueFrom, envFrom, imagePullSecrets) — no list/watch of secrets;
//       create/update/patch events.
//     A create of a Node or of a Lease names no object in the path (POST to the collection),
//     so it is allowed here: THE CALLER must check that the body's metadata.name is the node's
//     own name (Kubernetes' NodeRestriction admission does that), or a node could create
//     another node's Node or Lease. Reasons are Kubernetes' where it has one ("no relationship
//     found between node 'x' and this object", the node-lease ones).
//   - anyone else, including authenticated users outside system:masters: nothing on resources
//     (skiff has no RBAC yet; the message says so). Non-resource paths other than the
//     anonymous ones (/healthz, /livez, /readyz, /version, /cacerts, and paths below them; GET
//     and HEAD only) need any authenticated user (a name other than system:anonymous).
#include <string>

#include "server/security/request_attributes.h"
#include "server/security/user_info.h"

namespace skiff::security {

// What the node rules ask about stored objects. Implemented over the store in
// store_node_graph.h; tests give a table.
class NodeGraph {
 public:
  virtual ~NodeGraph() = default;
  // Pod namespace/name is bound to (spec.nodeName ==) node.
  virtual bool pod_on_node(const std::string& node, const std::string& namespace_name,
                           const std::string& pod) const = 0;
  // Some pod bound to `node` references the object: kind is "secrets" or "configmaps".
  virtual bool node_references(const std::string& node, const std::string& kind,
                               const std::string& namespace_name,
                               const std::string& name) const = 0;
};

struct Decision {
  bool allowed = false;
  std::string reason;  // why not, e.g. "no relationship found between node 'a' and this object"
};

Decision authorize(const UserInfo& user, const RequestAttributes& request, const NodeGraph& graph);

// The message of the 403 Status, worded as Kubernetes words it:
//   secrets "db" is forbidden: User "system:node:pi-2" cannot get resource "secrets" in API group
//   "" in the namespace "default": no relationship found between node 'pi-2' and this object
std::string forbidden_message(const UserInfo& user, const RequestAttributes& request,
                              const std::string& reason);

}  // namespace skiff::security
