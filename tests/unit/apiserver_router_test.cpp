// Resource paths as the API server reads them: which resource, namespace, name and subresource a
// URL addresses; nothing for paths outside /api and /apis; a 404 for paths that name no served
// resource.
#include <gtest/gtest.h>

#include "pkg/api/errors.h"
#include "server/apiserver/router.h"

namespace skiff::apiserver {
namespace {

struct Expected {
  std::string plural;
  std::string group;
  std::string namespace_name;
  std::string name;
  std::string subresource;
};

void expect_path(const std::string& url, const Expected& expected) {
  SCOPED_TRACE(url);
  const auto path = parse_resource_path(url);
  ASSERT_TRUE(path.has_value());
  ASSERT_NE(path->resource, nullptr);
  EXPECT_EQ(path->resource->plural, expected.plural);
  EXPECT_EQ(path->resource->group, expected.group);
  EXPECT_EQ(path->namespace_name, expected.namespace_name);
  EXPECT_EQ(path->name, expected.name);
  EXPECT_EQ(path->subresource, expected.subresource);
}

int status_of(const std::string& url) {
  try {
    parse_resource_path(url);
  } catch (const api::ApiError& error) {
    return error.code();
  }
  return 0;
}

TEST(ResourcePaths, NamespacedCollectionsObjectsAndSubresources) {
  expect_path("/api/v1/namespaces/default/configmaps", {"configmaps", "", "default", "", ""});
  expect_path("/api/v1/namespaces/default/pods/web-1", {"pods", "", "default", "web-1", ""});
  expect_path("/api/v1/namespaces/default/pods/web-1/status",
              {"pods", "", "default", "web-1", "status"});
  expect_path("/apis/apps/v1/namespaces/shop/deployments/front/scale",
              {"deployments", "apps", "shop", "front", "scale"});
  // Across all namespaces.
  expect_path("/api/v1/pods", {"pods", "", "", "", ""});
  expect_path("/apis/apps/v1/replicasets", {"replicasets", "apps", "", "", ""});
}

TEST(ResourcePaths, ClusterScopedResources) {
  expect_path("/api/v1/nodes/n1/status", {"nodes", "", "", "n1", "status"});
  expect_path("/api/v1/namespaces", {"namespaces", "", "", "", ""});
  // A Namespace by name, and its status: "namespaces/<name>/status" is not a resource in it.
  expect_path("/api/v1/namespaces/shop", {"namespaces", "", "", "shop", ""});
  expect_path("/api/v1/namespaces/shop/status", {"namespaces", "", "", "shop", "status"});
}

TEST(ResourcePaths, EmptySegmentsAreSkipped) {
  expect_path("/api/v1//namespaces/default//pods/", {"pods", "", "default", "", ""});
}

TEST(ResourcePaths, PathsOutsideTheResourceTreeAreNotResourcePaths) {
  EXPECT_FALSE(parse_resource_path("/healthz").has_value());
  EXPECT_FALSE(parse_resource_path("/api/v1").has_value());
  EXPECT_FALSE(parse_resource_path("/apis/apps/v1").has_value());
  EXPECT_FALSE(parse_resource_path("/").has_value());
  EXPECT_FALSE(parse_resource_path("/version/a/b/c/d/e/f/g/h/i/j").has_value());
}

TEST(ResourcePaths, UnservedResourcesAndShapesAreNotFound) {
  EXPECT_EQ(status_of("/api/v1/namespaces/default/widgets"), 404);
  EXPECT_EQ(status_of("/api/v1/namespaces/default/pods/web/nosuchsub"), 404);
  EXPECT_EQ(status_of("/api/v1/namespaces/default/pods/web/status/extra"), 404);
  // A namespaced resource by name needs its namespace.
  EXPECT_EQ(status_of("/api/v1/pods/web"), 404);
  EXPECT_EQ(status_of("/apis/apps/v1/namespaces/shop/deployments/front/scale/x/y/z"), 404);
  EXPECT_EQ(status_of("/api/v1/a/b/c/d/e/f/g/h/i/j/k"), 404);
}

}  // namespace
}  // namespace skiff::apiserver
