#include "server/security/store_node_graph.h"

#include <gtest/gtest.h>

#include "pkg/api/resources.h"
#include "server/store/memory_store.h"

namespace skiff::security {
namespace {

class StoreNodeGraphTest : public ::testing::Test {
 protected:
  // Stores a pod bound to `node` ("" = not scheduled) with `spec` merged into its spec.
  void add_pod(const std::string& namespace_name, const std::string& name, const std::string& node,
               Json spec = Json::object()) {
    if (!node.empty()) spec["nodeName"] = node;
    if (!spec.contains("containers"))
      spec["containers"] = Json::parse(R"([{"name": "main", "image": "nginx"}])");
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", namespace_name}}},
                {"spec", spec}};
    store_->create(api::find_resource("", "v1", "pods")->key(namespace_name, name), pod);
  }

  store::StorePtr store_ = store::make_memory_store();
  StoreNodeGraph graph_{*store_};
};

TEST_F(StoreNodeGraphTest, PodOnNodeReadsSpecNodeName) {
  add_pod("default", "web", "pi-1");
  add_pod("default", "pending", "");
  EXPECT_TRUE(graph_.pod_on_node("pi-1", "default", "web"));
  EXPECT_FALSE(graph_.pod_on_node("pi-2", "default", "web"));
  EXPECT_FALSE(graph_.pod_on_node("pi-1", "shop", "web"));
  EXPECT_FALSE(graph_.pod_on_node("pi-1", "default", "missing"));
  EXPECT_FALSE(graph_.pod_on_node("pi-1", "default", "pending"));
  EXPECT_FALSE(graph_.pod_on_node("", "default", "pending"));
}

struct ReferenceCase {
  std::string description;
  std::string spec;  // JSON
  std::string kind;
  std::string name;
};

TEST_F(StoreNodeGraphTest, EveryKindOfReference) {
  const std::vector<ReferenceCase> cases = {
      {"secret volume", R"({"volumes": [{"name": "v", "secret": {"secretName": "s-volume"}}]})",
       "secrets", "s-volume"},
      {"config map volume", R"({"volumes": [{"name": "v", "configMap": {"name": "c-volume"}}]})",
       "configmaps", "c-volume"},
      {"projected secret",
       R"({"volumes": [{"name": "v", "projected": {"sources": [
           {"serviceAccountToken": {"path": "t"}}, {"secret": {"name": "s-projected"}}]}}]})",
       "secrets", "s-projected"},
      {"projected config map",
       R"({"volumes": [{"name": "v", "projected": {"sources": [
           {"configMap": {"name": "c-projected"}}]}}]})",
       "configmaps", "c-projected"},
      {"env secretKeyRef",
       R"({"containers": [{"name": "main", "image": "nginx", "env": [{"name": "A", "value": "x"},
           {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s-env", "key": "k"}}}]}]})",
       "secrets", "s-env"},
      {"init container configMapKeyRef",
       R"({"initContainers": [{"name": "init", "env": [
           {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c-env", "key": "k"}}}]}]})",
       "configmaps", "c-env"},
      {"envFrom secretRef",
       R"({"containers": [{"name": "main", "envFrom": [{"secretRef": {"name": "s-from"}}]}]})",
       "secrets", "s-from"},
      {"init envFrom configMapRef",
       R"({"initContainers": [{"name": "i", "envFrom": [{"configMapRef": {"name": "c-from"}}]}]})",
       "configmaps", "c-from"},
      {"imagePullSecrets", R"({"imagePullSecrets": [{"name": "s-pull"}]})", "secrets", "s-pull"},
  };
  int index = 0;
  for (const auto& c : cases) {
    const std::string pod = "pod-" + std::to_string(index++);
    add_pod("default", pod, "pi-1", Json::parse(c.spec));
    EXPECT_TRUE(graph_.node_references("pi-1", c.kind, "default", c.name)) << c.description;
    EXPECT_FALSE(graph_.node_references("pi-2", c.kind, "default", c.name)) << c.description;
    EXPECT_FALSE(graph_.node_references("pi-1", c.kind, "other", c.name)) << c.description;
    // A secret's name does not reach the config map of the same name, nor the other way.
    const std::string other_kind = c.kind == "secrets" ? "configmaps" : "secrets";
    EXPECT_FALSE(graph_.node_references("pi-1", other_kind, "default", c.name)) << c.description;
  }
}

TEST_F(StoreNodeGraphTest, OnlyPodsBoundToTheNodeCount) {
  Json uses_db = Json::parse(R"({"volumes": [{"name": "v", "secret": {"secretName": "db"}}]})");
  add_pod("default", "on-pi-2", "pi-2", uses_db);
  add_pod("default", "unscheduled", "", uses_db);
  add_pod("default", "on-pi-1", "pi-1");
  EXPECT_FALSE(graph_.node_references("pi-1", "secrets", "default", "db"));
  EXPECT_TRUE(graph_.node_references("pi-2", "secrets", "default", "db"));
  EXPECT_FALSE(graph_.node_references("pi-2", "secrets", "default", "other"));
  EXPECT_FALSE(graph_.node_references("pi-2", "widgets", "default", "db"));
  EXPECT_FALSE(graph_.node_references("pi-2", "secrets", "default", ""));
}

TEST_F(StoreNodeGraphTest, NamespacePrefixesDoNotOverlap) {
  Json uses_db = Json::parse(R"({"volumes": [{"name": "v", "secret": {"secretName": "db"}}]})");
  add_pod("default-2", "web", "pi-1", uses_db);
  EXPECT_FALSE(graph_.node_references("pi-1", "secrets", "default", "db"));
  EXPECT_TRUE(graph_.node_references("pi-1", "secrets", "default-2", "db"));
}

TEST(PodReferences, MistypedFieldsReferenceNothing) {
  Json pod = Json::parse(R"({"spec": {
      "volumes": [3, {"secret": "db"}, {"secret": {"secretName": 7}}, {"projected": {"sources": 1}}],
      "containers": [{"env": [{"valueFrom": null}], "envFrom": "x"}, "c"],
      "initContainers": {"a": 1},
      "imagePullSecrets": [null, {"name": ["db"]}]}})");
  EXPECT_FALSE(pod_references(pod, "secrets", "db"));
  EXPECT_FALSE(pod_references(Json(), "secrets", "db"));
  EXPECT_FALSE(pod_references(Json::array(), "configmaps", "db"));
}

}  // namespace
}  // namespace skiff::security
