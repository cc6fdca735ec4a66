// The Ingress plane's pure decisions: which Ingresses skiff serves, the addresses it gives
// them, when a write is due, which node changes matter, and the IngressClass it creates.
#include <gtest/gtest.h>

#include "server/controllers/ingress_class_bootstrap.h"
#include "server/controllers/ingress_status.h"

namespace skiff::controllers {
namespace {

Json ingress(Json spec, Json annotations = nullptr) {
  Json metadata = {{"name", "web"}, {"namespace", "default"}};
  if (!annotations.is_null()) metadata["annotations"] = std::move(annotations);
  return {{"metadata", metadata}, {"spec", std::move(spec)}};
}

store::ObjectPtr node(const std::string& name, Json addresses, bool ready = true,
                      Json labels = Json::object()) {
  return std::make_shared<const Json>(
      Json{{"metadata", {{"name", name}, {"labels", labels}}},
           {"status",
            {{"addresses", std::move(addresses)},
             {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}});
}

Json internal(const std::string& ip) {
  return {{"type", "InternalIP"}, {"address", ip}};
}

TEST(IngressStatus, WhichIngressesAreSkiffs) {
  const Json empty_spec = Json::object();
  EXPECT_TRUE(is_skiff_ingress(ingress({{"ingressClassName", "skiff"}})));
  EXPECT_TRUE(is_skiff_ingress(ingress(empty_spec)));
  EXPECT_TRUE(is_skiff_ingress(ingress(empty_spec, {{"kubernetes.io/ingress.class", "skiff"}})));
  EXPECT_FALSE(is_skiff_ingress(ingress({{"ingressClassName", "nginx"}})));
  EXPECT_FALSE(is_skiff_ingress(ingress(empty_spec, {{"kubernetes.io/ingress.class", "nginx"}})));
  EXPECT_FALSE(is_skiff_ingress(ingress(empty_spec, {{"kubernetes.io/ingress.class", ""}})));
  // The field wins over the legacy annotation.
  EXPECT_TRUE(is_skiff_ingress(
      ingress({{"ingressClassName", "skiff"}}, {{"kubernetes.io/ingress.class", "nginx"}})));
  EXPECT_FALSE(is_skiff_ingress(
      ingress({{"ingressClassName", "nginx"}}, {{"kubernetes.io/ingress.class", "skiff"}})));
}

TEST(IngressStatus, PointsAreTheReadyNodesAddressesSorted) {
  std::vector<store::ObjectPtr> nodes = {
      node("b", {internal("10.0.0.9")}),
      node("a", {internal("10.0.0.10"), {{"type", "ExternalIP"}, {"address", "203.0.113.5"}}}),
      node("c", {internal("10.0.0.3")}, /*ready=*/false), node("d", {internal("10.0.0.9")})};
  EXPECT_EQ(ingress_load_balancer_points(nodes),
            Json::parse(R"([{"ip":"10.0.0.9"},{"ip":"203.0.113.5"}])"));
  EXPECT_EQ(ingress_load_balancer_points({}), Json::array());
  // ServiceLB's enablelb label narrows the nodes for Ingresses too.
  nodes.push_back(
      node("e", {internal("10.0.0.7")}, true, {{"svccontroller.skiff.io/enablelb", "true"}}));
  EXPECT_EQ(ingress_load_balancer_points(nodes), Json::parse(R"([{"ip":"10.0.0.7"}])"));
}

TEST(IngressStatus, PatchOnlyWhenItDiffers) {
  const Json points = Json::parse(R"([{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}])");
  Json fresh = ingress(Json::object());
  auto patch = ingress_status_patch(fresh, points);
  ASSERT_TRUE(patch);
  EXPECT_EQ(*patch, (Json{{"status", {{"loadBalancer", {{"ingress", points}}}}}}));

  Json written = fresh;
  written["status"] = {{"loadBalancer", {{"ingress", points}}}};
  EXPECT_FALSE(ingress_status_patch(written, points));
  // Another order is another value: the controller always writes sorted.
  EXPECT_TRUE(
      ingress_status_patch(written, Json::parse(R"([{"ip":"10.0.0.2"},{"ip":"10.0.0.1"}])")));
  // No eligible node: clear what was written; nothing to do when nothing was.
  auto clear = ingress_status_patch(written, Json::array());
  ASSERT_TRUE(clear);
  EXPECT_EQ(*clear, Json::parse(R"({"status":{"loadBalancer":{"ingress":null}}})"));
  EXPECT_FALSE(ingress_status_patch(fresh, Json::array()));
  Json empty_list = fresh;
  empty_list["status"] = {{"loadBalancer", {{"ingress", Json::array()}}}};
  EXPECT_FALSE(ingress_status_patch(empty_list, Json::array()));
}

TEST(IngressStatus, NodeChangesThatMatter) {
  auto a = node("a", {internal("10.0.0.1")});
  Json heartbeat = *a;
  heartbeat["status"]["conditions"][0]["lastHeartbeatTime"] = "2026-11-26T22:00:00Z";
  EXPECT_FALSE(node_change_matters(a.get(), &heartbeat));
  EXPECT_TRUE(node_change_matters(nullptr, a.get()));
  EXPECT_TRUE(node_change_matters(a.get(), nullptr));
  EXPECT_TRUE(node_change_matters(a.get(), node("a", {internal("10.0.0.1")}, false).get()));
  EXPECT_TRUE(node_change_matters(a.get(), node("a", {internal("10.0.0.2")}).get()));
  EXPECT_TRUE(node_change_matters(a.get(), node("a", {internal("10.0.0.1")}, true,
                                                {{"svccontroller.skiff.io/enablelb", "true"}})
                                               .get()));
  Json deleting = *a;
  deleting["metadata"]["deletionTimestamp"] = "2026-11-26T22:00:00Z";
  EXPECT_TRUE(node_change_matters(a.get(), &deleting));
}

TEST(IngressClassBootstrap, TheSkiffClass) {
  EXPECT_EQ(skiff_ingress_class(), Json::parse(R"({
    "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
    "metadata": {"name": "skiff",
                 "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
    "spec": {"controller": "skiff.io/ingress"}})"));
}

}  // namespace
}  // namespace skiff::controllers
