#pragma once
// NodeGraph over the store: what the node authorization rules ask about pods, answered by
// reading the pods themselves at request time (no cache, no index).
//
// Cost: pod_on_node is one store get. node_references lists the pods of one namespace (a
// prefix scan, filtered by spec.nodeName) and walks their specs: O(pods in that namespace) per
// secret or config map a node reads. At homelab sizes (tens to hundreds of pods) that is a few
// microseconds to a millisecond, and nodes read secrets only when they start a pod; a cluster
// where it shows would want Kubernetes' graph kept up to date by a watch instead.
//
// Store errors (e.g. Unavailable) propagate to the caller, which answers 503 as for any read.
#include <string>

#include "server/security/authorizer.h"
#include "server/store/store.h"

namespace skiff::security {

class StoreNodeGraph : public NodeGraph {
 public:
  // `store` must outlive this object.
  explicit StoreNodeGraph(store::Store& store) : store_(store) {}

  bool pod_on_node(const std::string& node, const std::string& namespace_name,
                   const std::string& pod) const override;
  bool node_references(const std::string& node, const std::string& kind,
                       const std::string& namespace_name, const std::string& name) const override;

 private:
  store::Store& store_;
};

// Whether a pod (its JSON) references the secret or config map `name`: kind is "secrets" or
// "configmaps". Looks at volumes (secret, configMap, projected sources), env valueFrom and
// envFrom of containers, init containers and ephemeral containers, and, for secrets,
// imagePullSecrets. Pure; missing or mistyped fields reference nothing.
bool pod_references(const Json& pod, const std::string& kind, const std::string& name);

}  // namespace skiff::security
