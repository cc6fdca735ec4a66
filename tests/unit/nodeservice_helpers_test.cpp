// The node service's pure helpers: which objects a pod needs on its node, which store keys a
// node sees, and how an agent's report becomes the stored status.
#include <gtest/gtest.h>

#include "server/nodeservice/node_objects.h"
#include "server/nodeservice/status_merge.h"

namespace skiff::nodeservice {
namespace {

TEST(PodDependencies, EveryPlaceAPodNamesAConfigMapOrSecret) {
  Json pod = Json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
      "volumes": [
        {"name": "a", "configMap": {"name": "cm-volume"}},
        {"name": "b", "secret": {"secretName": "secret-volume"}},
        {"name": "c", "projected": {"sources": [
          {"configMap": {"name": "cm-projected"}}, {"secret": {"name": "secret-projected"}},
          {"downwardAPI": {"items": []}}]}},
        {"name": "d", "emptyDir": {}}],
      "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "secret-envfrom"}}]}],
      "containers": [{"name": "app",
        "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm-env", "key": "k"}}},
                {"name": "B", "valueFrom": {"secretKeyRef": {"name": "secret-env", "key": "k"}}},
                {"name": "C", "value": "plain"},
                {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "envFrom": [{"configMapRef": {"name": "cm-envfrom"}}]}],
      "ephemeralContainers": [{"name": "debug", "envFrom": [{"configMapRef": {"name": "cm-debug"}}]}],
      "imagePullSecrets": [{"name": "registry"}]
    }})");
  std::set<std::string> expected = {
      "/registry/core/configmaps/shop/cm-volume",    "/registry/core/secrets/shop/secret-volume",
      "/registry/core/configmaps/shop/cm-projected", "/registry/core/secrets/shop/secret-projected",
      "/registry/core/secrets/shop/secret-envfrom",  "/registry/core/configmaps/shop/cm-env",
      "/registry/core/secrets/shop/secret-env",      "/registry/core/configmaps/shop/cm-envfrom",
      "/registry/core/configmaps/shop/cm-debug",     "/registry/core/secrets/shop/registry"};
  EXPECT_EQ(pod_dependency_keys(pod), expected);
}

TEST(PodDependencies, MalformedPodsNeedNothingAndDoNotThrow) {
  EXPECT_TRUE(pod_dependency_keys(Json()).empty());
  EXPECT_TRUE(pod_dependency_keys(Json::parse(R"({"spec": {"volumes": "x"}})")).empty());
  EXPECT_TRUE(
      pod_dependency_keys(Json::parse(R"({"spec": {"containers": [{"env": [{"valueFrom": 3}]}]}})"))
          .empty());
}

TEST(NodeObjects, KindOfKey) {
  EXPECT_EQ(kind_of_key("/registry/core/pods/default/web"), NodeObjectKind::Pod);
  EXPECT_EQ(kind_of_key("/registry/core/configmaps/default/x"), NodeObjectKind::ConfigMap);
  EXPECT_EQ(kind_of_key("/registry/core/secrets/default/x"), NodeObjectKind::Secret);
  EXPECT_EQ(kind_of_key("/registry/core/nodes/n1"), NodeObjectKind::Node);
  EXPECT_EQ(kind_of_key("/registry/core/services/default/web"), NodeObjectKind::Service);
  EXPECT_EQ(kind_of_key("/registry/discovery.k8s.io/endpointslices/default/web-1"),
            NodeObjectKind::EndpointSlice);
  EXPECT_EQ(kind_of_key("/registry/core/endpoints/default/web"), std::nullopt);
  EXPECT_EQ(kind_of_key("/registry/core/podtemplates/default/x"), std::nullopt);
}

TEST(StampNodeStatus, HeartbeatAlwaysTransitionOnlyOnChange) {
  Json previous = Json::parse(R"({"conditions": [
      {"type": "Ready", "status": "True", "lastTransitionTime": "2020-01-01T00:00:00Z"},
      {"type": "MemoryPressure", "status": "False", "lastTransitionTime": "2020-01-01T00:00:00Z"}]})");
  Json reported = Json::parse(R"({"capacity": {"cpu": "4"}, "conditions": [
      {"type": "Ready", "status": "True", "reason": "KubeletReady"},
      {"type": "MemoryPressure", "status": "True"},
      {"type": "DiskPressure", "status": "False"}]})");
  Json stamped = stamp_node_status(reported, previous, "2026-01-01T00:00:00Z");
  EXPECT_EQ(stamped["capacity"]["cpu"], "4");
  const Json& conditions = stamped["conditions"];
  ASSERT_EQ(conditions.size(), 3u);
  for (const auto& condition : conditions) {
    EXPECT_EQ(condition["lastHeartbeatTime"], "2026-01-01T00:00:00Z");
  }
  EXPECT_EQ(conditions[0]["lastTransitionTime"], "2020-01-01T00:00:00Z");  // unchanged
  EXPECT_EQ(conditions[1]["lastTransitionTime"], "2026-01-01T00:00:00Z");  // False -> True
  EXPECT_EQ(conditions[2]["lastTransitionTime"], "2026-01-01T00:00:00Z");  // new
  EXPECT_EQ(conditions[0]["reason"], "KubeletReady");
}

TEST(NodeLabels, ServerLabelsThenTheAgents) {
  Json status = Json::parse(R"({"nodeInfo": {"operatingSystem": "linux", "architecture": "arm"}})");
  auto labels = node_labels("pi", status, {{"zone", "attic"}, {"kubernetes.io/arch", "arm64"}});
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{"kubernetes.io/hostname", "pi"},
                                                        {"kubernetes.io/os", "linux"},
                                                        {"kubernetes.io/arch", "arm64"},
                                                        {"zone", "attic"}}));
  EXPECT_EQ(node_labels("pi", Json::object(), {}).size(), 1u);
}

TEST(MergePodStatus, KeepsConditionsTheAgentDoesNotReport) {
  Json stored = Json::parse(R"({"phase": "Pending", "reason": "Old", "conditions": [
      {"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]})");
  Json reported = Json::parse(R"({"phase": "Running", "conditions": [
      {"type": "Ready", "status": "True"}, {"type": "ContainersReady", "status": "True"}]})");
  Json merged = merge_pod_status(reported, stored);
  EXPECT_EQ(merged["phase"], "Running");
  EXPECT_FALSE(merged.contains("reason")) << "the agent's status replaces the stored one";
  ASSERT_EQ(merged["conditions"].size(), 3u);
  EXPECT_EQ(merged["conditions"][0]["type"], "PodScheduled");
  EXPECT_EQ(merged["conditions"][1]["type"], "Ready");
  EXPECT_EQ(merged["conditions"][1]["status"], "True");
  EXPECT_EQ(condition_status(merged, "ContainersReady"), "True");
  EXPECT_EQ(condition_status(merged, "Initialized"), "");
}

}  // namespace
}  // namespace skiff::nodeservice
