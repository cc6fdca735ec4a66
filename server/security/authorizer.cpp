#include "server/security/authorizer.h"

#include <array>
#include <string_view>

namespace skiff::security {

namespace {

constexpr std::string_view kNoRbacReason =
    "skiff has no RBAC yet: only the admin (group system:masters) and nodes are authorized";
constexpr std::string_view kNodeScopeReason =
    "a node may only read what its pods need and write its own Node, Lease and its pods' status";
constexpr std::string_view kNodeLeaseNamespace = "kube-node-lease";

// Paths every caller may read, credentials or not (Kubernetes' system:public-info-viewer, plus
// /cacerts, which a joining agent reads before it has any).
constexpr std::array<std::string_view, 5> kAnonymousPaths = {"/healthz", "/livez", "/readyz",
                                                             "/version", "/cacerts"};

struct GroupResource {
  std::string_view group;
  std::string_view resource;
};

// What a node reads (get/list/watch) freely: what its agent watches to run pods and the
// service proxy and ingress.
constexpr std::array<GroupResource, 8> kNodeReadable = {{
    {"", "nodes"},
    {"", "pods"},
    {"", "services"},
    {"", "endpoints"},
    {"discovery.k8s.io", "endpointslices"},
    {"", "namespaces"},
    {"networking.k8s.io", "ingresses"},
    {"networking.k8s.io", "ingressclasses"},
}};

Decision allow() {
  return {true, ""};
}
Decision deny(std::string_view reason) {
  return {false, std::string(reason)};
}

bool is(const RequestAttributes& request, std::string_view group, std::string_view resource) {
  return request.api_group == group && request.resource == resource;
}

bool verb_in(const std::string& verb, std::initializer_list<std::string_view> verbs) {
  for (auto v : verbs)
    if (verb == v) return true;
  return false;
}

bool open_to_anonymous(const std::string& path) {
  for (auto allowed : kAnonymousPaths) {
    if (path == allowed) return true;
    // "/version/", "/readyz/ping": the same information, addressed one level down.
    if (path.size() > allowed.size() && path.starts_with(allowed) && path[allowed.size()] == '/')
      return true;
  }
  return false;
}

// Go's %q for the names Kubernetes quotes: a name with a quote or backslash in it (a
// certificate's CN is anyone's choice) cannot end the quotation early.
std::string go_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string no_relationship(const std::string& node) {
  return "no relationship found between node '" + node + "' and this object";
}

// A node writing a Node (or nodes/status). A create has no name in the path (POST to the
// collection): it is allowed here, and the caller checks that the body names the node itself,
// as Kubernetes' NodeRestriction admission does.
Decision authorize_node_object(const std::string& node, const RequestAttributes& request) {
  const bool status = request.subresource == "status";
  if (!request.subresource.empty() && !status) return deny(kNodeScopeReason);
  const bool verb_ok = verb_in(request.verb, {"create", "get", "update", "patch"}) ||
                       (request.verb == "delete" && !status);
  if (!verb_ok) return deny(kNodeScopeReason);
  if (request.verb == "create" && request.name.empty()) return allow();
  if (request.name != node)
    return deny("can only modify the node with the same name as the requesting node");
  return allow();
}

// After Kubernetes' node authorizer (authorizeLease); its reasons, word for word. As there,
// a create names no object and is allowed: the caller checks the body's name.
Decision authorize_node_lease(const std::string& node, const RequestAttributes& request) {
  if (!request.subresource.empty() ||
      !verb_in(request.verb, {"get", "create", "update", "patch", "delete"}))
    return deny("can only get, create, update, patch, or delete a node lease");
  if (request.namespace_name != kNodeLeaseNamespace)
    return deny("can only access leases in the \"kube-node-lease\" system namespace");
  if (request.verb == "create" && request.name.empty()) return allow();
  if (request.name != node)
    return deny("can only access node lease with the same name as the requesting node");
  return allow();
}

Decision authorize_node_pod_write(const std::string& node, const RequestAttributes& request,
                                  const NodeGraph& graph) {
  const bool status_write =
      request.subresource == "status" && verb_in(request.verb, {"update", "patch"});
  const bool delete_pod = request.subresource.empty() && request.verb == "delete";
  if (!status_write && !delete_pod) return deny(kNodeScopeReason);
  if (request.name.empty() || !graph.pod_on_node(node, request.namespace_name, request.name))
    return deny(no_relationship(node));
  return allow();
}

// Secrets and config maps: one at a time, and only those a pod bound to the node references.
Decision authorize_node_reference(const std::string& node, const RequestAttributes& request,
                                  const NodeGraph& graph) {
  if (!request.subresource.empty()) return deny(kNodeScopeReason);
  if (request.verb != "get") {
    if (verb_in(request.verb, {"list", "watch"}))
      return deny("can only get individual resources of this type");
    return deny(kNodeScopeReason);
  }
  if (request.name.empty() ||
      !graph.node_references(node, request.resource, request.namespace_name, request.name))
    return deny(no_relationship(node));
  return allow();
}

Decision authorize_node(const std::string& node, const RequestAttributes& request,
                        const NodeGraph& graph) {
  if (!request.resource_request) return allow();  // an authenticated user
  if (request.subresource.empty() && verb_in(request.verb, {"get", "list", "watch"})) {
    for (const auto& readable : kNodeReadable)
      if (is(request, readable.group, readable.resource)) return allow();
  }
  if (is(request, "", "nodes")) return authorize_node_object(node, request);
  if (is(request, "coordination.k8s.io", "leases")) return authorize_node_lease(node, request);
  if (is(request, "", "pods")) return authorize_node_pod_write(node, request, graph);
  if (is(request, "", "secrets") || is(request, "", "configmaps"))
    return authorize_node_reference(node, request, graph);
  if (is(request, "", "events") && request.subresource.empty() &&
      verb_in(request.verb, {"create", "update", "patch"}))
    return allow();
  return deny(kNodeScopeReason);
}

}  // namespace

Decision authorize(const UserInfo& user, const RequestAttributes& request, const NodeGraph& graph) {
  if (!request.resource_request && open_to_anonymous(request.path) &&
      verb_in(request.verb, {"get", "head"}))
    return allow();
  if (user.in_group(kMastersGroup)) return allow();
  if (const std::string node = user.node_name(); !node.empty())
    return authorize_node(node, request, graph);
  const bool authenticated = !user.name.empty() && !user.anonymous();
  if (!request.resource_request && authenticated) return allow();
  return deny(kNoRbacReason);
}

std::string forbidden_message(const UserInfo& user, const RequestAttributes& request,
                              const std::string& reason) {
  std::string message;
  if (!request.resource_request) {
    message = "forbidden: User " + go_quoted(user.name) + " cannot " + request.verb + " path " +
              go_quoted(request.path);
  } else {
    // Kubernetes names the object by its group-qualified resource ("leases.coordination.k8s.io",
    // never the subresource), and the verb's target by resource/subresource in its group.
    std::string qualified = request.resource;
    if (!request.api_group.empty()) qualified += "." + request.api_group;
    message = request.name.empty() ? qualified + " is forbidden: "
                                   : qualified + " " + go_quoted(request.name) + " is forbidden: ";
    std::string target = request.resource;
    if (!request.subresource.empty()) target += "/" + request.subresource;
    message += "User " + go_quoted(user.name) + " cannot " + request.verb + " resource " +
               go_quoted(target) + " in API group " + go_quoted(request.api_group);
    message += request.namespace_name.empty()
                   ? std::string(" at the cluster scope")
                   : " in the namespace " + go_quoted(request.namespace_name);
  }
  if (!reason.empty()) message += ": " + reason;
  return message;
}

}  // namespace skiff::security
