#include "server/apiserver/openapi.h"

#include <gtest/gtest.h>

#include "pkg/api/resources.h"

namespace skiff::apiserver {
namespace {

bool has_query_parameter(const Json& operation, const std::string& name) {
  for (const auto& parameter : operation["parameters"])
    if (parameter["name"] == name && parameter["in"] == "query") return true;
  return false;
}

TEST(OpenApiIndex, ListsEveryServedGroupVersionWithAHash) {
  Json index = openapi_v3_index();
  for (const auto& gv : api::served_group_versions()) {
    const std::string path = gv == "v1" ? "api/v1" : "apis/" + gv;
    ASSERT_TRUE(index["paths"].contains(path)) << path;
    const std::string url = index["paths"][path]["serverRelativeURL"];
    EXPECT_EQ(url.rfind("/openapi/v3/" + path + "?hash=", 0), 0u) << url;
    EXPECT_GT(url.size(), ("/openapi/v3/" + path + "?hash=").size());
  }
  EXPECT_EQ(index["paths"].size(), api::served_group_versions().size());
  // Stable across calls so kubectl's cache stays valid.
  EXPECT_EQ(openapi_v3_index(), index);
}

TEST(OpenApiDocument, AppsHasDeploymentPatchWithFieldValidation) {
  Json doc = openapi_v3_document("apis/apps/v1");
  ASSERT_FALSE(doc.is_null());
  EXPECT_EQ(doc["openapi"], "3.0.0");
  const Json& item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  ASSERT_TRUE(item.contains("patch"));
  EXPECT_EQ(item["patch"]["x-kubernetes-group-version-kind"],
            (Json{{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}));
  EXPECT_TRUE(has_query_parameter(item["patch"], "fieldValidation"));
  EXPECT_TRUE(item.contains("get"));
  EXPECT_TRUE(item.contains("put"));
  EXPECT_TRUE(item.contains("delete"));
  const Json& collection = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"];
  EXPECT_TRUE(has_query_parameter(collection["post"], "fieldValidation"));
  // Nothing from other groups leaks in.
  EXPECT_FALSE(doc["paths"].contains("/api/v1/nodes/{name}"));
}

TEST(OpenApiDocument, CoreUsesClusterPathsForClusterScopedKinds) {
  Json doc = openapi_v3_document("api/v1");
  ASSERT_FALSE(doc.is_null());
  const Json& node = doc["paths"]["/api/v1/nodes/{name}"]["patch"];
  EXPECT_EQ(node["x-kubernetes-group-version-kind"]["kind"], "Node");
  EXPECT_EQ(node["x-kubernetes-group-version-kind"]["group"], "");
  EXPECT_TRUE(has_query_parameter(node, "fieldValidation"));
  EXPECT_TRUE(doc["paths"].contains("/api/v1/namespaces/{namespace}/pods/{name}"));
  EXPECT_FALSE(doc["paths"].contains("/api/v1/namespaces/{namespace}/nodes/{name}"));
}

TEST(OpenApiDocument, UnknownGroupVersionsAreNull) {
  EXPECT_TRUE(openapi_v3_document("apis/batch/v1").is_null());
  EXPECT_TRUE(openapi_v3_document("api/v2").is_null());
  EXPECT_TRUE(openapi_v3_document("api/apps/v1").is_null());
  EXPECT_TRUE(openapi_v3_document("apis/apps").is_null());
  EXPECT_TRUE(openapi_v3_document("").is_null());
}

}  // namespace
}  // namespace skiff::apiserver
