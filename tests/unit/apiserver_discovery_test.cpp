#include "server/apiserver/discovery.h"

#include <gtest/gtest.h>

namespace skiff::apiserver {
namespace {

const Json* find_by(const Json& array, const std::string& key, const std::string& value) {
  for (const auto& item : array)
    if (item.value(key, "") == value) return &item;
  return nullptr;
}

const Json& group_item(const Json& list, const std::string& group) {
  for (const auto& item : list["items"])
    if (item["metadata"].value("name", "") == group) return item;
  static const Json missing;
  ADD_FAILURE() << "group " << group << " missing";
  return missing;
}

TEST(AggregatedDiscovery, NegotiatesFromAcceptHeader) {
  EXPECT_TRUE(wants_aggregated_discovery(
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;"
      "g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"));
  EXPECT_TRUE(wants_aggregated_discovery(
      "application/json; as=APIGroupDiscoveryList; v=v2beta1; g=apidiscovery.k8s.io"));
  EXPECT_FALSE(wants_aggregated_discovery("application/json, */*"));
  EXPECT_FALSE(wants_aggregated_discovery(""));
  EXPECT_FALSE(wants_aggregated_discovery(
      "application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList"));
  EXPECT_FALSE(wants_aggregated_discovery("application/json;as=Table;v=v1;g=meta.k8s.io"));
}

TEST(AggregatedDiscovery, DeploymentsCarryShortNamesCategoriesAndScale) {
  Json list = aggregated_groups_discovery();
  EXPECT_EQ(list["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(list["apiVersion"], "apidiscovery.k8s.io/v2");
  const Json& apps = group_item(list, "apps");
  ASSERT_EQ(apps["versions"].size(), 1u);
  EXPECT_EQ(apps["versions"][0]["version"], "v1");
  EXPECT_EQ(apps["versions"][0]["freshness"], "Current");
  const Json* deployments = find_by(apps["versions"][0]["resources"], "resource", "deployments");
  ASSERT_NE(deployments, nullptr);
  EXPECT_EQ((*deployments)["responseKind"],
            (Json{{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}));
  EXPECT_EQ((*deployments)["scope"], "Namespaced");
  EXPECT_EQ((*deployments)["singularResource"], "deployment");
  EXPECT_EQ((*deployments)["shortNames"], Json::array({"deploy"}));
  EXPECT_EQ((*deployments)["categories"], Json::array({"all"}));
  EXPECT_NE(std::find((*deployments)["verbs"].begin(), (*deployments)["verbs"].end(), "watch"),
            (*deployments)["verbs"].end());
  const Json* scale = find_by((*deployments)["subresources"], "subresource", "scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ((*scale)["responseKind"],
            (Json{{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}));
  EXPECT_EQ((*scale)["verbs"], (Json{"get", "patch", "update"}));
  const Json* status = find_by((*deployments)["subresources"], "subresource", "status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ((*status)["responseKind"]["kind"], "Deployment");
}

TEST(AggregatedDiscovery, CoreHasOneUnnamedItemWithPodSubresources) {
  Json list = aggregated_core_discovery();
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_FALSE(list["items"][0]["metadata"].contains("name"));
  const Json& resources = list["items"][0]["versions"][0]["resources"];
  const Json* nodes = find_by(resources, "resource", "nodes");
  ASSERT_NE(nodes, nullptr);
  EXPECT_EQ((*nodes)["scope"], "Cluster");
  EXPECT_EQ((*nodes)["responseKind"]["group"], "");
  const Json* pods = find_by(resources, "resource", "pods");
  ASSERT_NE(pods, nullptr);
  const Json& subs = (*pods)["subresources"];
  EXPECT_EQ((*find_by(subs, "subresource", "eviction"))["responseKind"],
            (Json{{"group", "policy"}, {"version", "v1"}, {"kind", "Eviction"}}));
  EXPECT_EQ((*find_by(subs, "subresource", "exec"))["responseKind"]["kind"], "PodExecOptions");
  EXPECT_EQ((*find_by(subs, "subresource", "binding"))["verbs"], Json::array({"create"}));
  EXPECT_EQ((*find_by(subs, "subresource", "log"))["verbs"], Json::array({"get"}));
  // Resources without short names leave the field out, as kube-apiserver does.
  EXPECT_FALSE((*find_by(resources, "resource", "secrets")).contains("shortNames"));
}

TEST(LegacyDiscovery, ListsVersionsAndGroups) {
  Json versions = legacy_api_versions("10.0.0.1:6443");
  EXPECT_EQ(versions["kind"], "APIVersions");
  EXPECT_EQ(versions["versions"], Json::array({"v1"}));
  EXPECT_EQ(versions["serverAddressByClientCIDRs"][0]["serverAddress"], "10.0.0.1:6443");

  Json groups = legacy_api_group_list();
  EXPECT_EQ(groups["kind"], "APIGroupList");
  const Json* apps = find_by(groups["groups"], "name", "apps");
  ASSERT_NE(apps, nullptr);
  EXPECT_EQ((*apps)["preferredVersion"], (Json{{"groupVersion", "apps/v1"}, {"version", "v1"}}));
  for (const char* group : {"networking.k8s.io", "coordination.k8s.io", "discovery.k8s.io"})
    EXPECT_NE(find_by(groups["groups"], "name", group), nullptr) << group;
  EXPECT_EQ(find_by(groups["groups"], "name", ""), nullptr);

  Json group = legacy_api_group("networking.k8s.io");
  EXPECT_EQ(group["kind"], "APIGroup");
  EXPECT_EQ(group["versions"][0]["groupVersion"], "networking.k8s.io/v1");
  EXPECT_TRUE(legacy_api_group("batch").is_null());
}

TEST(LegacyDiscovery, ResourceListsIncludeSubresources) {
  Json core = api_resource_list("", "v1");
  EXPECT_EQ(core["kind"], "APIResourceList");
  EXPECT_EQ(core["groupVersion"], "v1");
  const Json* pods = find_by(core["resources"], "name", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ((*pods)["shortNames"], Json::array({"po"}));
  EXPECT_EQ((*pods)["namespaced"], true);
  const Json* pod_status = find_by(core["resources"], "name", "pods/status");
  ASSERT_NE(pod_status, nullptr);
  EXPECT_EQ((*pod_status)["kind"], "Pod");
  EXPECT_EQ((*pod_status)["singularName"], "");
  EXPECT_NE(find_by(core["resources"], "name", "pods/log"), nullptr);
  EXPECT_NE(find_by(core["resources"], "name", "namespaces/finalize"), nullptr);

  Json apps = api_resource_list("apps", "v1");
  EXPECT_EQ(apps["groupVersion"], "apps/v1");
  const Json* scale = find_by(apps["resources"], "name", "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ((*scale)["group"], "autoscaling");
  EXPECT_EQ((*scale)["version"], "v1");
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_FALSE(find_by(apps["resources"], "name", "deployments/status")->contains("group"));

  EXPECT_TRUE(api_resource_list("apps", "v2").is_null());
  EXPECT_TRUE(api_resource_list("batch", "v1").is_null());
}

}  // namespace
}  // namespace skiff::apiserver
