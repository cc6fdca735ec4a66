// The patch bodies kubectl sends (KUBECTL.md sections 6 and 8), applied to stored objects.
#include <gtest/gtest.h>

#include <functional>

#include "pkg/api/errors.h"
#include "pkg/api/patch.h"
#include "pkg/api/resources.h"
#include "tests/unit/support/api_helpers.h"

namespace skiff::api {
namespace {

using test_support::info;

Json smp(std::string_view api_version, std::string_view kind, const char* target,
         const char* patch) {
  return apply_strategic_merge_patch(info(api_version, kind), Json::parse(target),
                                     Json::parse(patch));
}

bool contains_directive(const Json& value) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) {
      if (!k.empty() && k[0] == '$') return true;
      if (contains_directive(v)) return true;
    }
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (contains_directive(v)) return true;
    }
  }
  return false;
}

using test_support::error_code;

const char* kDeployment = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"web","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"}},
  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
    "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{
      "containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
                     "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                    {"name":"sidecar","image":"busybox"}]}}}})";

TEST(MergePatch, Rfc7386) {
  Json target = Json::parse(R"({"a":"b","c":{"d":"e","f":"g"},"list":[1,2]})");
  Json result = apply_merge_patch(target, Json::parse(R"({"a":"z","c":{"f":null},"list":[3]})"));
  EXPECT_EQ(result, Json::parse(R"({"a":"z","c":{"d":"e"},"list":[3]})"));
  // kubectl label/annotate
  Json labelled = apply_merge_patch(Json::parse(R"({"metadata":{"name":"x"}})"),
                                    Json::parse(R"({"metadata":{"labels":{"tier":"fe"}}})"));
  EXPECT_EQ(labelled["metadata"]["labels"]["tier"], "fe");
  Json unlabelled =
      apply_merge_patch(labelled, Json::parse(R"({"metadata":{"labels":{"tier":null}}})"));
  EXPECT_EQ(unlabelled["metadata"]["labels"], Json::object());
  EXPECT_EQ(error_code([] { apply_merge_patch(Json::object(), Json::array()); }), 400);
}

TEST(JsonPatch, RolloutUndoReplacesTemplate) {
  Json undo = Json::parse(R"([
    {"op":"replace","path":"/spec/template","value":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"nginx","image":"nginx:1.24","ports":[{"containerPort":80}],"resources":{}}]}}},
    {"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"2"}}])");
  Json result = apply_json_patch(Json::parse(kDeployment), undo);
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"].size(), 1u);
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.24");
  EXPECT_EQ(result["metadata"]["annotations"],
            Json::parse(R"({"deployment.kubernetes.io/revision":"2"})"));
  EXPECT_EQ(result["spec"]["replicas"], 2);
}

TEST(JsonPatch, AllOperations) {
  Json doc = Json::parse(R"({"a":{"b":[1,2,3]},"k/e~y":1})");
  Json result = apply_json_patch(doc, Json::parse(R"([
    {"op":"add","path":"/a/b/1","value":9},
    {"op":"add","path":"/a/b/-","value":4},
    {"op":"remove","path":"/a/b/0"},
    {"op":"replace","path":"/k~1e~0y","value":2},
    {"op":"copy","from":"/a/b","path":"/c"},
    {"op":"move","from":"/c","path":"/d"},
    {"op":"test","path":"/d/0","value":9},
    {"op":"add","path":"/a/new","value":{"x":true}}])"));
  EXPECT_EQ(result,
            Json::parse(R"({"a":{"b":[9,2,3,4],"new":{"x":true}},"k/e~y":2,"d":[9,2,3,4]})"));
}

TEST(JsonPatch, Errors) {
  Json doc = Json::parse(R"({"spec":{"replicas":3}})");
  try {
    apply_json_patch(doc, Json::parse(R"([{"op":"test","path":"/spec/replicas","value":2}])"));
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
    EXPECT_NE(std::string(e.what()).find("test operation failed at \"/spec/replicas\""),
              std::string::npos)
        << e.what();
  }
  try {
    apply_json_patch(doc, Json::parse(R"([{"op":"replace","path":"/spec/missing","value":2}])"));
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
    EXPECT_NE(std::string(e.what()).find(
                  "replace operation does not apply: doc is missing path: \"/spec/missing\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(error_code(
                [&] { apply_json_patch(doc, Json::parse(R"([{"op":"remove","path":"/nope"}])")); }),
            422);
  EXPECT_EQ(error_code([&] {
              apply_json_patch(doc, Json::parse(R"([{"op":"add","path":"/x/y","value":1}])"));
            }),
            422);
  EXPECT_EQ(
      error_code([&] { apply_json_patch(doc, Json::parse(R"([{"op":"jump","path":"/x"}])")); }),
      400);
  EXPECT_EQ(
      error_code([&] { apply_json_patch(doc, Json::parse(R"([{"op":"add","path":"/x"}])")); }),
      400);
  EXPECT_EQ(error_code([&] { apply_json_patch(doc, Json::parse(R"({"op":"add"})")); }), 400);
  EXPECT_EQ(error_code([&] {
              apply_json_patch(doc, Json::parse(R"([{"op":"add","path":"x","value":1}])"));
            }),
            400);
}

TEST(StrategicMergePatch, ApplyUpdateWithSetElementOrder) {
  Json result = smp("apps/v1", "Deployment", kDeployment, R"({
    "metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},
    "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}],
      "containers":[{"image":"nginx:1.26","name":"nginx"}]}}}})");
  const Json& containers = result["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["name"], "sidecar");
  EXPECT_EQ(containers[1]["name"], "nginx");
  EXPECT_EQ(containers[1]["image"], "nginx:1.26");
  EXPECT_EQ(containers[1]["ports"][0]["containerPort"], 80);  // merged, not replaced
  EXPECT_EQ(containers[1]["env"].size(), 2u);
  EXPECT_EQ(result["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
            "new");
  EXPECT_FALSE(contains_directive(result));
}

TEST(StrategicMergePatch, SetImage) {
  Json result = smp("apps/v1", "Deployment", kDeployment, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
      "containers":[{"image":"busybox:1.36","name":"sidecar"}]}}}})");
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"][1]["image"], "busybox:1.36");
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.25");
  EXPECT_FALSE(contains_directive(result));
}

TEST(StrategicMergePatch, CordonAndUncordon) {
  Json cordoned =
      smp("v1", "Node", R"({"metadata":{"name":"n1"},"spec":{"podCIDR":"10.42.0.0/24"}})",
          R"({"spec":{"unschedulable":true}})");
  EXPECT_EQ(cordoned["spec"]["unschedulable"], true);
  Json uncordoned = apply_strategic_merge_patch(info("v1", "Node"), cordoned,
                                                Json::parse(R"({"spec":{"unschedulable":null}})"));
  EXPECT_EQ(uncordoned["spec"], Json::parse(R"({"podCIDR":"10.42.0.0/24"})"));
}

TEST(StrategicMergePatch, DeleteEnvEntryAndAddPort) {
  Json result = smp("apps/v1", "Deployment", kDeployment, R"({"spec":{"template":{"spec":{
      "containers":[{"name":"nginx","env":[{"name":"A","$patch":"delete"},{"name":"C","value":"3"}],
                     "ports":[{"containerPort":443}]}]}}}})");
  const Json& nginx = result["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(nginx["env"], Json::parse(R"([{"name":"B","value":"2"},{"name":"C","value":"3"}])"));
  EXPECT_EQ(nginx["ports"].size(), 2u);
  EXPECT_EQ(result["spec"]["template"]["spec"]["containers"].size(), 2u);
  EXPECT_FALSE(contains_directive(result));
}

TEST(StrategicMergePatch, RolloutRestartAndPause) {
  Json result =
      smp("apps/v1", "Deployment", kDeployment, R"({"spec":{"template":{"metadata":{"annotations":
      {"kubectl.kubernetes.io/restartedAt":"2026-11-26T08:27:42Z"}}}}})");
  EXPECT_EQ(
      result["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
      "2026-11-26T08:27:42Z");
  EXPECT_EQ(result["spec"]["template"]["metadata"]["labels"]["app"], "web");
  Json paused = apply_strategic_merge_patch(info("apps/v1", "Deployment"), result,
                                            Json::parse(R"({"spec":{"paused":true}})"));
  EXPECT_EQ(paused["spec"]["paused"], true);
}

TEST(StrategicMergePatch, ServicePortsMergeByPort) {
  Json result = smp(
      "v1", "Service",
      R"({"spec":{"ports":[{"port":80,"targetPort":8080,"name":"http"},{"port":443,"name":"https"}]}})",
      R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})");
  EXPECT_EQ(
      result["spec"]["ports"],
      Json::parse(R"([{"port":80,"targetPort":9090,"name":"http"},{"port":443,"name":"https"}])"));
}

TEST(StrategicMergePatch, ListsWithoutStrategyAreReplaced) {
  Json result =
      smp("v1", "Pod",
          R"({"spec":{"tolerations":[{"key":"a"}],"containers":[{"name":"c","args":["1","2"]}]}})",
          R"({"spec":{"tolerations":[{"key":"b"}],"containers":[{"name":"c","args":["3"]}]}})");
  EXPECT_EQ(result["spec"]["tolerations"], Json::parse(R"([{"key":"b"}])"));
  EXPECT_EQ(result["spec"]["containers"][0]["args"], Json::parse(R"(["3"])"));
}

TEST(StrategicMergePatch, FinalizersAndPrimitiveDirectives) {
  const char* target = R"({"metadata":{"finalizers":["a","b"]}})";
  EXPECT_EQ(smp("v1", "ConfigMap", target,
                R"({"metadata":{"finalizers":["c"]}})")["metadata"]["finalizers"],
            Json::parse(R"(["a","b","c"])"));
  Json removed = smp("v1", "ConfigMap", target,
                     R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  EXPECT_EQ(removed["metadata"]["finalizers"], Json::parse(R"(["b"])"));
  EXPECT_FALSE(contains_directive(removed));
  EXPECT_EQ(smp("v1", "ConfigMap", target, R"({"metadata":{"finalizers":null}})")["metadata"],
            Json::object());
}

TEST(StrategicMergePatch, PatchReplaceDeleteAndRetainKeys) {
  // Switching to Recreate as kubectl apply does it: $retainKeys drops rollingUpdate.
  Json recreate = smp("apps/v1", "Deployment", kDeployment,
                      R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})");
  EXPECT_EQ(recreate["spec"]["strategy"], Json::parse(R"({"type":"Recreate"})"));
  Json replaced = smp("apps/v1", "Deployment", kDeployment,
                      R"({"spec":{"selector":{"$patch":"replace","matchLabels":{"x":"y"}}}})");
  EXPECT_EQ(replaced["spec"]["selector"], Json::parse(R"({"matchLabels":{"x":"y"}})"));
  Json deleted =
      smp("apps/v1", "Deployment", kDeployment, R"({"spec":{"strategy":{"$patch":"delete"}}})");
  EXPECT_FALSE(deleted["spec"].contains("strategy"));
  Json list_replaced = smp("apps/v1", "Deployment", kDeployment, R"({"spec":{"template":{"spec":{
      "containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}})");
  EXPECT_EQ(list_replaced["spec"]["template"]["spec"]["containers"],
            Json::parse(R"([{"name":"only","image":"x"}])"));
  Json removed_container =
      smp("apps/v1", "Deployment", kDeployment, R"({"spec":{"template":{"spec":{
      "containers":[{"name":"sidecar","$patch":"delete"}]}}}})");
  EXPECT_EQ(removed_container["spec"]["template"]["spec"]["containers"].size(), 1u);
  for (const auto& r : {recreate, replaced, deleted, list_replaced, removed_container}) {
    EXPECT_FALSE(contains_directive(r));
  }
}

TEST(StrategicMergePatch, OwnerReferencesAndConditions) {
  Json result = smp("apps/v1", "ReplicaSet",
                    R"({"metadata":{"ownerReferences":[{"uid":"u1","name":"a"}]},
                        "status":{"conditions":[{"type":"Ready","status":"False"}]}})",
                    R"({"metadata":{"ownerReferences":[{"uid":"u2","name":"b"}]},
                        "status":{"conditions":[{"type":"Ready","status":"True"}]}})");
  EXPECT_EQ(result["metadata"]["ownerReferences"].size(), 2u);
  EXPECT_EQ(result["status"]["conditions"], Json::parse(R"([{"type":"Ready","status":"True"}])"));
}

TEST(StrategicMergePatch, BadPatches) {
  EXPECT_EQ(error_code([] { smp("v1", "Pod", "{}", R"([1])"); }), 400);
  EXPECT_EQ(error_code([] {
              smp("v1", "Pod", R"({"spec":{"containers":[]}})",
                  R"({"spec":{"containers":[{"image":"x"}]}})");
            }),
            400);
  EXPECT_EQ(error_code([] { smp("v1", "Pod", "{}", R"({"spec":{"$patch":"explode"}})"); }), 400);
}

}  // namespace
}  // namespace skiff::api
