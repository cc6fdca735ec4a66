#include "pkg/api/resources.h"

#include <gtest/gtest.h>

#include "pkg/api/errors.h"

namespace skiff::api {
namespace {

TEST(Resources, FindsByUserNames) {
  for (const char* name :
       {"deploy", "deployment", "deployments", "deployments.apps", "Deployment"}) {
    const ResourceInfo* info = find_by_user_name(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->kind, "Deployment");
  }
  EXPECT_EQ(find_by_user_name("po")->plural, "pods");
  EXPECT_EQ(find_by_user_name("widgets"), nullptr);
}

TEST(Resources, KeysSeparateNamespaces) {
  const ResourceInfo* pods = find_resource("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->key("default", "web"), "/registry/core/pods/default/web");
  const ResourceInfo* nodes = find_resource("", "v1", "nodes");
  EXPECT_EQ(nodes->key("ignored", "n1"), "/registry/core/nodes/n1");
  EXPECT_EQ(find_by_kind("apps/v1", "ReplicaSet")->qualified(), "replicasets.apps");
}

TEST(Errors, NotFoundIsAKubernetesStatus) {
  Json status = not_found("deployments.apps", "nope").to_status();
  EXPECT_EQ(status["code"], 404);
  EXPECT_EQ(status["reason"], "NotFound");
  EXPECT_EQ(status["message"], "deployments.apps \"nope\" not found");
  EXPECT_EQ(status["details"]["group"], "apps");
  EXPECT_EQ(status["details"]["kind"], "deployments");
}

}  // namespace
}  // namespace skiff::api
