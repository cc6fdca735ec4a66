#include "server/security/request_attributes.h"

#include <gtest/gtest.h>

namespace skiff::security {
namespace {

RequestAttributes attributes_of(const std::string& method, const std::string& target) {
  http::Request request;
  request.method = method;
  request.target = target;
  http::parse_target(target, request);
  return request_attributes(request);
}

struct VerbCase {
  std::string method;
  std::string target;
  std::string verb;
};

TEST(SecurityRequestAttributes, VerbsAreKubernetesVerbs) {
  const std::vector<VerbCase> cases = {
      {"GET", "/api/v1/namespaces/default/pods/web", "get"},
      {"HEAD", "/api/v1/namespaces/default/pods/web", "get"},
      {"GET", "/api/v1/namespaces/default/pods", "list"},
      {"GET", "/api/v1/pods", "list"},
      {"GET", "/api/v1/pods?watch=1", "watch"},
      {"GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=5", "watch"},
      {"GET", "/api/v1/pods?watch=false", "list"},
      {"GET", "/api/v1/namespaces/default/pods/web?watch=1", "get"},
      {"POST", "/api/v1/namespaces/default/pods", "create"},
      {"PUT", "/api/v1/namespaces/default/pods/web", "update"},
      {"PATCH", "/api/v1/namespaces/default/pods/web", "patch"},
      {"DELETE", "/api/v1/namespaces/default/pods/web", "delete"},
      {"DELETE", "/api/v1/namespaces/default/pods", "deletecollection"},
      {"POST", "/api/v1/namespaces/default/pods/web/binding", "create"},
      {"POST", "/api/v1/namespaces/default/pods/web/eviction", "create"},
      {"PUT", "/api/v1/nodes/pi-2/status", "update"},
      {"PATCH", "/api/v1/namespaces/default/pods/web/status", "patch"},
  };
  for (const auto& c : cases) {
    RequestAttributes a = attributes_of(c.method, c.target);
    EXPECT_TRUE(a.resource_request) << c.method << " " << c.target;
    EXPECT_EQ(a.verb, c.verb) << c.method << " " << c.target;
  }
}

TEST(SecurityRequestAttributes, CoreNamespacedObjectWithSubresource) {
  RequestAttributes a = attributes_of("PUT", "/api/v1/namespaces/default/pods/web/status");
  EXPECT_EQ(a.api_group, "");
  EXPECT_EQ(a.resource, "pods");
  EXPECT_EQ(a.subresource, "status");
  EXPECT_EQ(a.namespace_name, "default");
  EXPECT_EQ(a.name, "web");
  EXPECT_EQ(a.path, "/api/v1/namespaces/default/pods/web/status");
}

TEST(SecurityRequestAttributes, GroupResources) {
  RequestAttributes lease =
      attributes_of("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-2");
  EXPECT_TRUE(lease.resource_request);
  EXPECT_EQ(lease.api_group, "coordination.k8s.io");
  EXPECT_EQ(lease.resource, "leases");
  EXPECT_EQ(lease.namespace_name, "kube-node-lease");
  EXPECT_EQ(lease.name, "pi-2");

  RequestAttributes scale =
      attributes_of("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale");
  EXPECT_EQ(scale.api_group, "apps");
  EXPECT_EQ(scale.resource, "deployments");
  EXPECT_EQ(scale.subresource, "scale");
  EXPECT_EQ(scale.verb, "patch");

  RequestAttributes slices = attributes_of("GET", "/apis/discovery.k8s.io/v1/endpointslices");
  EXPECT_EQ(slices.api_group, "discovery.k8s.io");
  EXPECT_EQ(slices.resource, "endpointslices");
  EXPECT_EQ(slices.namespace_name, "");
  EXPECT_EQ(slices.name, "");
  EXPECT_EQ(slices.verb, "list");
}

TEST(SecurityRequestAttributes, ClusterScopedObjects) {
  RequestAttributes node = attributes_of("GET", "/api/v1/nodes/pi-2");
  EXPECT_EQ(node.resource, "nodes");
  EXPECT_EQ(node.namespace_name, "");
  EXPECT_EQ(node.name, "pi-2");

  RequestAttributes node_status = attributes_of("PATCH", "/api/v1/nodes/pi-2/status");
  EXPECT_EQ(node_status.subresource, "status");
  EXPECT_EQ(node_status.name, "pi-2");

  RequestAttributes create = attributes_of("POST", "/api/v1/nodes");
  EXPECT_EQ(create.verb, "create");
  EXPECT_EQ(create.name, "");  // a create names its object in the body only
}

TEST(SecurityRequestAttributes, NamespaceIsInItself) {
  RequestAttributes a = attributes_of("DELETE", "/api/v1/namespaces/shop");
  EXPECT_EQ(a.resource, "namespaces");
  EXPECT_EQ(a.name, "shop");
  EXPECT_EQ(a.namespace_name, "shop");
  EXPECT_EQ(a.verb, "delete");
}

TEST(SecurityRequestAttributes, FieldSelectorOnNameNamesTheListedObject) {
  EXPECT_EQ(attributes_of("GET",
                          "/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ddb&"
                          "watch=1")
                .name,
            "db");
  EXPECT_EQ(attributes_of("GET", "/api/v1/nodes?fieldSelector=metadata.name%3D%3Dpi-2").name,
            "pi-2");
  EXPECT_EQ(attributes_of("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dpi-2").name, "");
  EXPECT_EQ(attributes_of("GET", "/api/v1/pods?fieldSelector=metadata.name!%3Dweb").name, "");
  EXPECT_EQ(
      attributes_of("GET", "/api/v1/pods?fieldSelector=metadata.name%3Da,metadata.name%3Db").name,
      "");
}

TEST(SecurityRequestAttributes, NonResourcePaths) {
  for (const char* target :
       {"/healthz", "/version", "/cacerts", "/api", "/api/v1", "/apis", "/apis/apps/v1",
        "/openapi/v2", "/metrics", "/api/v1/widgets", "/apis/apps/v1/namespaces/x/pods/y"}) {
    RequestAttributes a = attributes_of("GET", target);
    EXPECT_FALSE(a.resource_request) << target;
    EXPECT_EQ(a.verb, "get") << target;
    EXPECT_EQ(a.path, target);
    EXPECT_EQ(a.resource, "") << target;
  }
  RequestAttributes post = attributes_of("POST", "/metrics");
  EXPECT_FALSE(post.resource_request);
  EXPECT_EQ(post.verb, "post");
}

TEST(SecurityRequestAttributes, PathsTheRouterRejectsAreNotResourceRequests) {
  // A subresource pods do not have, a namespaced resource by name without its namespace.
  EXPECT_FALSE(
      attributes_of("GET", "/api/v1/namespaces/default/pods/web/nonsense").resource_request);
  EXPECT_FALSE(attributes_of("GET", "/api/v1/pods/web").resource_request);
}

}  // namespace
}  // namespace skiff::security
