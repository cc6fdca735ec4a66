#include "server/security/authorizer.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

namespace skiff::security {
namespace {

// The cluster the node rules see: pod "web" (default) on pi-1 uses secret "db" and config map
// "settings"; pod "api" (default) on pi-2 uses secret "api-token".
class TableGraph : public NodeGraph {
 public:
  bool pod_on_node(const std::string& node, const std::string& namespace_name,
                   const std::string& pod) const override {
    return pods_.contains({node, namespace_name, pod});
  }
  bool node_references(const std::string& node, const std::string& kind,
                       const std::string& namespace_name, const std::string& name) const override {
    return references_.contains({node, kind, namespace_name, name});
  }

 private:
  std::set<std::tuple<std::string, std::string, std::string>> pods_ = {{"pi-1", "default", "web"},
                                                                       {"pi-2", "default", "api"}};
  std::set<std::tuple<std::string, std::string, std::string, std::string>> references_ = {
      {"pi-1", "secrets", "default", "db"},
      {"pi-1", "configmaps", "default", "settings"},
      {"pi-2", "secrets", "default", "api-token"}};
};

const UserInfo kAdmin{"system:admin", {"system:masters", "system:authenticated"}};
const UserInfo kNode1{"system:node:pi-1", {"system:nodes", "system:authenticated"}};
const UserInfo kAnonymous{"system:anonymous", {"system:unauthenticated"}};
const UserInfo kTokenUser{"alice", {"system:authenticated"}};
// Named like a node but not in system:nodes: not a node.
const UserInfo kFakeNode{"system:node:pi-1", {"system:authenticated"}};

constexpr const char* kNoRbac =
    "skiff has no RBAC yet: only the admin (group system:masters) and nodes are authorized";
constexpr const char* kNoRelationship = "no relationship found between node 'pi-1' and this object";

RequestAttributes resource(std::string verb, std::string group, std::string resource_name,
                           std::string namespace_name, std::string name,
                           std::string subresource = "") {
  RequestAttributes a;
  a.verb = std::move(verb);
  a.resource_request = true;
  a.api_group = std::move(group);
  a.resource = std::move(resource_name);
  a.namespace_name = std::move(namespace_name);
  a.name = std::move(name);
  a.subresource = std::move(subresource);
  a.path = "/test";
  return a;
}

RequestAttributes path(std::string verb, std::string request_path) {
  RequestAttributes a;
  a.verb = std::move(verb);
  a.path = std::move(request_path);
  return a;
}

struct Case {
  std::string description;
  UserInfo user;
  RequestAttributes request;
  bool allowed;
  std::string reason;  // checked when not allowed
};

void run(const std::vector<Case>& cases) {
  TableGraph graph;
  for (const auto& c : cases) {
    Decision decision = authorize(c.user, c.request, graph);
    EXPECT_EQ(decision.allowed, c.allowed) << c.description << ": " << decision.reason;
    if (!c.allowed) {
      EXPECT_EQ(decision.reason, c.reason) << c.description;
    }
  }
}

TEST(SecurityAuthorizer, AdminMayDoEverything) {
  run({
      {"create deployment", kAdmin, resource("create", "apps", "deployments", "default", ""), true,
       ""},
      {"list secrets", kAdmin, resource("list", "", "secrets", "", ""), true, ""},
      {"delete other node", kAdmin, resource("delete", "", "nodes", "", "pi-9"), true, ""},
      {"exec", kAdmin, resource("create", "", "pods", "default", "web", "exec"), true, ""},
      {"deletecollection", kAdmin, resource("deletecollection", "", "pods", "default", ""), true,
       ""},
      {"metrics path", kAdmin, path("get", "/metrics"), true, ""},
  });
}

TEST(SecurityAuthorizer, NodeReadsWhatItsAgentWatches) {
  run({
      {"list pods", kNode1, resource("list", "", "pods", "", ""), true, ""},
      {"watch pods", kNode1, resource("watch", "", "pods", "", ""), true, ""},
      {"get any pod", kNode1, resource("get", "", "pods", "default", "api"), true, ""},
      {"watch services", kNode1, resource("watch", "", "services", "", ""), true, ""},
      {"list endpoints", kNode1, resource("list", "", "endpoints", "", ""), true, ""},
      {"watch slices", kNode1, resource("watch", "discovery.k8s.io", "endpointslices", "", ""),
       true, ""},
      {"get other node", kNode1, resource("get", "", "nodes", "", "pi-2"), true, ""},
      {"list namespaces", kNode1, resource("list", "", "namespaces", "", ""), true, ""},
      {"watch ingresses", kNode1, resource("watch", "networking.k8s.io", "ingresses", "", ""), true,
       ""},
      {"list ingressclasses", kNode1,
       resource("list", "networking.k8s.io", "ingressclasses", "", ""), true, ""},
      {"discovery", kNode1, path("get", "/apis"), true, ""},
      {"ingresses in the wrong group", kNode1, resource("list", "", "ingresses", "", ""), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"pod logs", kNode1, resource("get", "", "pods", "default", "api", "log"), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"list deployments", kNode1, resource("list", "apps", "deployments", "", ""), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"create pods", kNode1, resource("create", "", "pods", "default", ""), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"update a service", kNode1, resource("update", "", "services", "default", "web"), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
  });
}

TEST(SecurityAuthorizer, NodeGetsOnlySecretsAndConfigMapsItsPodsUse) {
  run({
      {"its pod's secret", kNode1, resource("get", "", "secrets", "default", "db"), true, ""},
      {"its pod's config map", kNode1, resource("get", "", "configmaps", "default", "settings"),
       true, ""},
      {"another node's pod's secret", kNode1,
       resource("get", "", "secrets", "default", "api-token"), false, kNoRelationship},
      {"same name in another namespace", kNode1, resource("get", "", "secrets", "shop", "db"),
       false, kNoRelationship},
      {"a secret nobody uses", kNode1, resource("get", "", "secrets", "default", "root-ca"), false,
       kNoRelationship},
      {"list secrets", kNode1, resource("list", "", "secrets", "default", ""), false,
       "can only get individual resources of this type"},
      {"watch its own secret by field selector", kNode1,
       resource("watch", "", "secrets", "default", "db"), false,
       "can only get individual resources of this type"},
      {"list config maps", kNode1, resource("list", "", "configmaps", "", ""), false,
       "can only get individual resources of this type"},
      {"update its pod's secret", kNode1, resource("update", "", "secrets", "default", "db"), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
  });
}

TEST(SecurityAuthorizer, NodeWritesOnlyItsOwnNode) {
  const std::string other = "can only modify the node with the same name as the requesting node";
  run({
      {"create a node (body checked by caller)", kNode1, resource("create", "", "nodes", "", ""),
       true, ""},
      {"update own", kNode1, resource("update", "", "nodes", "", "pi-1"), true, ""},
      {"patch own", kNode1, resource("patch", "", "nodes", "", "pi-1"), true, ""},
      {"update own status", kNode1, resource("update", "", "nodes", "", "pi-1", "status"), true,
       ""},
      {"patch own status", kNode1, resource("patch", "", "nodes", "", "pi-1", "status"), true, ""},
      {"get own status", kNode1, resource("get", "", "nodes", "", "pi-1", "status"), true, ""},
      {"delete own", kNode1, resource("delete", "", "nodes", "", "pi-1"), true, ""},
      {"update other", kNode1, resource("update", "", "nodes", "", "pi-2"), false, other},
      {"patch other status", kNode1, resource("patch", "", "nodes", "", "pi-2", "status"), false,
       other},
      {"delete other", kNode1, resource("delete", "", "nodes", "", "pi-2"), false, other},
      {"deletecollection", kNode1, resource("deletecollection", "", "nodes", "", ""), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"not a node without system:nodes", kFakeNode, resource("update", "", "nodes", "", "pi-1"),
       false, kNoRbac},
  });
}

TEST(SecurityAuthorizer, NodeKeepsOnlyItsOwnLease) {
  const std::string group = "coordination.k8s.io";
  run({
      {"get own", kNode1, resource("get", group, "leases", "kube-node-lease", "pi-1"), true, ""},
      {"create (body checked by caller)", kNode1,
       resource("create", group, "leases", "kube-node-lease", ""), true, ""},
      {"update own", kNode1, resource("update", group, "leases", "kube-node-lease", "pi-1"), true,
       ""},
      {"patch own", kNode1, resource("patch", group, "leases", "kube-node-lease", "pi-1"), true,
       ""},
      {"delete own", kNode1, resource("delete", group, "leases", "kube-node-lease", "pi-1"), true,
       ""},
      {"update other", kNode1, resource("update", group, "leases", "kube-node-lease", "pi-2"),
       false, "can only access node lease with the same name as the requesting node"},
      {"own name elsewhere", kNode1, resource("update", group, "leases", "default", "pi-1"), false,
       "can only access leases in the \"kube-node-lease\" system namespace"},
      {"list", kNode1, resource("list", group, "leases", "kube-node-lease", ""), false,
       "can only get, create, update, patch, or delete a node lease"},
  });
}

TEST(SecurityAuthorizer, NodeWritesStatusOnlyOfItsPods) {
  run({
      {"update status of its pod", kNode1,
       resource("update", "", "pods", "default", "web", "status"), true, ""},
      {"patch status of its pod", kNode1, resource("patch", "", "pods", "default", "web", "status"),
       true, ""},
      {"delete its pod", kNode1, resource("delete", "", "pods", "default", "web"), true, ""},
      {"patch status of another's pod", kNode1,
       resource("patch", "", "pods", "default", "api", "status"), false, kNoRelationship},
      {"delete another's pod", kNode1, resource("delete", "", "pods", "default", "api"), false,
       kNoRelationship},
      {"update its pod's spec", kNode1, resource("update", "", "pods", "default", "web"), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"bind a pod", kNode1, resource("create", "", "pods", "default", "web", "binding"), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
      {"record an event", kNode1, resource("create", "", "events", "default", ""), true, ""},
      {"delete an event", kNode1, resource("delete", "", "events", "default", "e"), false,
       "a node may only read what its pods need and write its own Node, Lease and its pods' "
       "status"},
  });
}

TEST(SecurityAuthorizer, EveryoneElseOnlyOnPaths) {
  run({
      {"anonymous pods", kAnonymous, resource("list", "", "pods", "", ""), false, kNoRbac},
      {"anonymous healthz", kAnonymous, path("get", "/healthz"), true, ""},
      {"anonymous readyz check", kAnonymous, path("get", "/readyz/ping"), true, ""},
      {"anonymous version", kAnonymous, path("get", "/version"), true, ""},
      {"anonymous cacerts", kAnonymous, path("get", "/cacerts"), true, ""},
      {"anonymous post healthz", kAnonymous, path("post", "/healthz"), false, kNoRbac},
      {"anonymous discovery", kAnonymous, path("get", "/api"), false, kNoRbac},
      {"anonymous lookalike", kAnonymous, path("get", "/healthzz"), false, kNoRbac},
      {"token user pods", kTokenUser, resource("get", "", "pods", "default", "web"), false,
       kNoRbac},
      {"token user secret", kTokenUser, resource("get", "", "secrets", "default", "db"), false,
       kNoRbac},
      {"token user discovery", kTokenUser, path("get", "/apis"), true, ""},
      {"token user openapi", kTokenUser, path("get", "/openapi/v2"), true, ""},
  });
}

TEST(SecurityAuthorizer, ForbiddenMessagesAreWordedAsKubernetes) {
  const UserInfo node2{"system:node:pi-2", {"system:nodes"}};
  EXPECT_EQ(forbidden_message(node2, resource("get", "", "secrets", "default", "db"),
                              "no relationship found between node 'pi-2' and this object"),
            "secrets \"db\" is forbidden: User \"system:node:pi-2\" cannot get resource "
            "\"secrets\" in API group \"\" in the namespace \"default\": no relationship found "
            "between node 'pi-2' and this object");
  EXPECT_EQ(forbidden_message(node2, resource("update", "", "nodes", "", "pi-1"), "why"),
            "nodes \"pi-1\" is forbidden: User \"system:node:pi-2\" cannot update resource "
            "\"nodes\" in API group \"\" at the cluster scope: why");
  EXPECT_EQ(forbidden_message(kTokenUser, resource("list", "", "pods", "default", ""), kNoRbac),
            std::string("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API "
                        "group \"\" in the namespace \"default\": ") +
                kNoRbac);
  EXPECT_EQ(
      forbidden_message(node2, resource("update", "", "pods", "default", "web", "status"), "x"),
      "pods \"web\" is forbidden: User \"system:node:pi-2\" cannot update resource "
      "\"pods/status\" in API group \"\" in the namespace \"default\": x");
  EXPECT_EQ(forbidden_message(
                node2,
                resource("update", "coordination.k8s.io", "leases", "kube-node-lease", "pi-1"), ""),
            "leases.coordination.k8s.io \"pi-1\" is forbidden: User \"system:node:pi-2\" cannot "
            "update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace "
            "\"kube-node-lease\"");
  EXPECT_EQ(forbidden_message(kAnonymous, path("get", "/metrics"), ""),
            "forbidden: User \"system:anonymous\" cannot get path \"/metrics\"");
  EXPECT_EQ(forbidden_message(UserInfo{"ev\"il", {}}, path("get", "/metrics"), ""),
            "forbidden: User \"ev\\\"il\" cannot get path \"/metrics\"");
}

}  // namespace
}  // namespace skiff::security
