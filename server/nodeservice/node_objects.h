#pragma once
// What a node sees: the pods bound to it, the ConfigMaps and Secrets those pods reference, the
// cluster-wide objects every node needs (Services, EndpointSlices, Nodes: the service proxy,
// cluster DNS and pod routes; Ingresses: the ingress proxy) and the TLS Secrets those Ingresses
// name. Pure helpers over API JSON and store keys.
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"

namespace skiff::nodeservice {

enum class NodeObjectKind { Pod, ConfigMap, Secret, Service, EndpointSlice, Node, Ingress };

// Kinds every node sees all of, whatever its pods.
bool is_cluster_wide(NodeObjectKind kind);

const api::ResourceInfo& resource_of(NodeObjectKind kind);
// The kind whose store keys `key` belongs to, or none for anything a node does not see.
std::optional<NodeObjectKind> kind_of_key(std::string_view key);

// spec.nodeName ("" when unscheduled or not an object).
std::string node_name_of(const Json& pod);

// The store keys of the ConfigMaps and Secrets `pod` needs on its node: volumes (configMap,
// secret, projected sources), env valueFrom and envFrom of init, regular and ephemeral
// containers, and imagePullSecrets. Optional references are included (the node needs them
// when they exist).
std::set<std::string> pod_dependency_keys(const Json& pod);

// The store keys of the Secrets an Ingress serves TLS with: spec.tls[].secretName, in the
// Ingress's namespace.
std::set<std::string> ingress_dependency_keys(const Json& ingress);

// What an object of `kind` needs on the node: pod_dependency_keys for pods,
// ingress_dependency_keys for Ingresses, nothing for the other kinds.
std::set<std::string> dependency_keys(NodeObjectKind kind, const Json& object);

}  // namespace skiff::nodeservice
