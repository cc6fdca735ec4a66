// PATCH (all four types), DELETE with finalizers and propagation, namespace deletion.
#include "tests/unit/apiserver_test_support.h"

namespace skiff::apiserver::testing {
namespace {

class PatchDeleteTest : public ApiTest {};

TEST_F(PatchDeleteTest, EachPatchType) {
  ASSERT_EQ(call("POST", kDeployments, deployment("p")).status, 201u);
  std::string url = std::string(kDeployments) + "/p";
  auto merge = call("PATCH", url, Json{{"metadata", {{"labels", {{"tier", "fe"}}}}}},
                    {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(merge.status, 200u) << merge.text;
  EXPECT_EQ(merge.body["metadata"]["labels"]["tier"], "fe");
  EXPECT_EQ(merge.body["metadata"]["labels"]["app"], "p");

  auto json_patch = call(
      "PATCH", url, Json::array({{{"op", "replace"}, {"path", "/spec/replicas"}, {"value", 4}}}),
      {{"Content-Type", "application/json-patch+json"}});
  ASSERT_EQ(json_patch.status, 200u) << json_patch.text;
  EXPECT_EQ(json_patch.body["spec"]["replicas"], 4);
  EXPECT_EQ(json_patch.body["metadata"]["generation"], 2);

  Json smp = {
      {"spec",
       {{"template", {{"spec", {{"containers", {{{"name", "web"}, {"image", "nginx:1.26"}}}}}}}}}}};
  auto strategic =
      call("PATCH", url, smp, {{"Content-Type", "application/strategic-merge-patch+json"}});
  ASSERT_EQ(strategic.status, 200u) << strategic.text;
  EXPECT_EQ(strategic.body["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.26");

  EXPECT_EQ(call("PATCH", url, Json::object(), {{"Content-Type", "application/xml"}}).status, 415u);
  EXPECT_EQ(
      call("PATCH", url, std::string("{nope"), {{"Content-Type", "application/merge-patch+json"}})
          .status,
      400u);
  EXPECT_EQ(call("PATCH", std::string(kDeployments) + "/missing", Json{{"a", 1}},
                 {{"Content-Type", "application/merge-patch+json"}})
                .status,
            404u);
}

TEST_F(PatchDeleteTest, PatchWithStaleResourceVersionConflicts) {
  auto created = call("POST", kConfigMaps, configmap("rv"));
  std::string old_rv = created.body["metadata"]["resourceVersion"];
  ASSERT_EQ(call("PATCH", std::string(kConfigMaps) + "/rv", Json{{"data", {{"a", "2"}}}},
                 {{"Content-Type", "application/merge-patch+json"}})
                .status,
            200u);
  auto stale = call("PATCH", std::string(kConfigMaps) + "/rv",
                    Json{{"metadata", {{"resourceVersion", old_rv}}}, {"data", {{"a", "3"}}}},
                    {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(stale.status, 409u);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/rv").body["data"]["a"], "2");
}

TEST_F(PatchDeleteTest, ServerSideApplyCreatesThenUpdates) {
  std::string url = std::string(kConfigMaps) + "/applied?fieldManager=tester";
  http::Headers apply = {{"Content-Type", "application/apply-patch+yaml"}};
  auto created = call("PATCH", url, configmap("applied"), apply);
  ASSERT_EQ(created.status, 201u) << created.text;
  auto managed = created.body["metadata"]["managedFields"];
  ASSERT_EQ(managed.size(), 1u);
  EXPECT_EQ(managed[0]["manager"], "tester");
  EXPECT_EQ(managed[0]["operation"], "Apply");
  auto updated = call("PATCH", url, configmap("applied", {{"a", "2"}, {"b", "3"}}), apply);
  ASSERT_EQ(updated.status, 200u) << updated.text;
  EXPECT_EQ(updated.body["data"]["b"], "3");
  EXPECT_EQ(updated.body["metadata"]["managedFields"].size(), 1u);
  EXPECT_EQ(
      call("PATCH", std::string(kConfigMaps) + "/applied", configmap("applied"), apply).status,
      400u);  // no fieldManager
}

TEST_F(PatchDeleteTest, DeleteReturnsObjectAndThen404) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("gone")).status, 201u);
  auto deleted =
      call("DELETE", std::string(kConfigMaps) + "/gone", Json{{"propagationPolicy", "Background"}});
  ASSERT_EQ(deleted.status, 200u) << deleted.text;
  EXPECT_EQ(deleted.body["metadata"]["name"], "gone");
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/gone").status, 404u);
  EXPECT_EQ(call("DELETE", std::string(kConfigMaps) + "/gone").status, 404u);
}

TEST_F(PatchDeleteTest, PreconditionMismatchConflicts) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("pre")).status, 201u);
  auto deleted = call("DELETE", std::string(kConfigMaps) + "/pre",
                      Json{{"preconditions", {{"uid", "not-the-uid"}}}});
  EXPECT_EQ(deleted.status, 409u);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/pre").status, 200u);
}

TEST_F(PatchDeleteTest, FinalizersKeepObjectUntilRemoved) {
  Json object = configmap("fin");
  object["metadata"]["finalizers"] = {"example.com/hold"};
  ASSERT_EQ(call("POST", kConfigMaps, object).status, 201u);
  auto marked = call("DELETE", std::string(kConfigMaps) + "/fin");
  ASSERT_EQ(marked.status, 200u);
  EXPECT_TRUE(marked.body["metadata"].contains("deletionTimestamp"));
  auto still = call("GET", std::string(kConfigMaps) + "/fin");
  ASSERT_EQ(still.status, 200u);
  Json release = still.body;
  release["metadata"]["finalizers"] = Json::array();
  EXPECT_EQ(call("PUT", std::string(kConfigMaps) + "/fin", release).status, 200u);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/fin").status, 404u);
}

TEST_F(PatchDeleteTest, BackgroundDeletionCollectsDependents) {
  auto owner = call("POST", kConfigMaps, configmap("owner"));
  std::string uid = owner.body["metadata"]["uid"];
  Json child = configmap("child");
  child["metadata"]["ownerReferences"] = {
      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "owner"}, {"uid", uid}}};
  ASSERT_EQ(call("POST", kConfigMaps, child).status, 201u);
  ASSERT_EQ(call("DELETE", std::string(kConfigMaps) + "/owner").status, 200u);
  EXPECT_TRUE(
      eventually([&] { return call("GET", std::string(kConfigMaps) + "/child").status == 404u; }));
}

TEST_F(PatchDeleteTest, CollectedPodsANodeRunsTerminateGracefully) {
  auto owner = call("POST", kConfigMaps, configmap("owner"));
  const std::string uid = owner.body["metadata"]["uid"];
  const char* kPods = "/api/v1/namespaces/default/pods";
  for (const char* name : {"bound", "pending"}) {
    Json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata",
         {{"name", name},
          {"ownerReferences",
           {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "owner"}, {"uid", uid}}}}}},
        {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    if (std::string(name) == "bound") pod["spec"]["nodeName"] = "n1";
    ASSERT_EQ(call("POST", kPods, pod).status, 201u);
  }
  ASSERT_EQ(call("DELETE", std::string(kConfigMaps) + "/owner").status, 200u);
  // The unscheduled pod has no node to confirm it: it goes at once. The bound one waits for
  // its node with the pod's grace period, as a DELETE of it would.
  EXPECT_TRUE(
      eventually([&] { return call("GET", std::string(kPods) + "/pending").status == 404u; }));
  EXPECT_TRUE(eventually([&] {
    auto bound = call("GET", std::string(kPods) + "/bound");
    return bound.status == 200u && bound.body["metadata"].contains("deletionTimestamp");
  }));
  auto bound = call("GET", std::string(kPods) + "/bound");
  EXPECT_EQ(bound.body["metadata"]["deletionGracePeriodSeconds"], 30);
}

TEST_F(PatchDeleteTest, OrphanDeletionKeepsDependents) {
  auto owner = call("POST", kConfigMaps, configmap("owner"));
  std::string uid = owner.body["metadata"]["uid"];
  Json child = configmap("child");
  child["metadata"]["ownerReferences"] = {
      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "owner"}, {"uid", uid}}};
  ASSERT_EQ(call("POST", kConfigMaps, child).status, 201u);
  auto marked =
      call("DELETE", std::string(kConfigMaps) + "/owner", Json{{"propagationPolicy", "Orphan"}});
  ASSERT_EQ(marked.status, 200u);
  EXPECT_TRUE(
      eventually([&] { return call("GET", std::string(kConfigMaps) + "/owner").status == 404u; }));
  auto kept = call("GET", std::string(kConfigMaps) + "/child");
  ASSERT_EQ(kept.status, 200u);
  EXPECT_FALSE(kept.body["metadata"].contains("ownerReferences"));
}

TEST_F(PatchDeleteTest, ForegroundDeletionWaitsForDependents) {
  auto owner = call("POST", kConfigMaps, configmap("owner"));
  std::string uid = owner.body["metadata"]["uid"];
  Json child = configmap("child");
  child["metadata"]["ownerReferences"] = {
      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "owner"}, {"uid", uid}}};
  ASSERT_EQ(call("POST", kConfigMaps, child).status, 201u);
  auto marked = call("DELETE", std::string(kConfigMaps) + "/owner",
                     Json{{"propagationPolicy", "Foreground"}});
  ASSERT_EQ(marked.status, 200u);
  EXPECT_EQ(marked.body["metadata"]["finalizers"][0], "foregroundDeletion");
  EXPECT_TRUE(eventually([&] {
    return call("GET", std::string(kConfigMaps) + "/owner").status == 404u &&
           call("GET", std::string(kConfigMaps) + "/child").status == 404u;
  }));
}

TEST_F(PatchDeleteTest, NamespaceDeletion) {
  auto created =
      call("POST", "/api/v1/namespaces",
           Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "doomed"}}}});
  ASSERT_EQ(created.status, 201u) << created.text;
  ASSERT_EQ(call("POST", "/api/v1/namespaces/doomed/configmaps", configmap("c")).status, 201u);
  auto deleting = call("DELETE", "/api/v1/namespaces/doomed");
  ASSERT_EQ(deleting.status, 200u);
  EXPECT_EQ(deleting.body["status"]["phase"], "Terminating");
  EXPECT_TRUE(eventually([&] { return call("GET", "/api/v1/namespaces/doomed").status == 404u; }));
  EXPECT_EQ(call("GET", "/api/v1/namespaces/doomed/configmaps/c").status, 404u);
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/default").status, 403u);
}

TEST_F(PatchDeleteTest, TerminatingNamespaceRefusesNewContent) {
  ASSERT_EQ(
      call("POST", "/api/v1/namespaces",
           Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "ending"}}}})
          .status,
      201u);
  Json held = configmap("held");
  held["metadata"]["finalizers"] = {"example.com/hold"};
  ASSERT_EQ(call("POST", "/api/v1/namespaces/ending/configmaps", held).status, 201u);
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/ending").status, 200u);
  auto refused = call("POST", "/api/v1/namespaces/ending/configmaps", configmap("late"));
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(refused.body["message"],
            "unable to create new content in namespace ending because it is being terminated");
}

TEST_F(PatchDeleteTest, DeleteCollectionWithSelector) {
  for (const char* name : {"a", "b", "c"}) {
    Json object = configmap(name);
    object["metadata"]["labels"] = {{"group", std::string(name) == "c" ? "keep" : "drop"}};
    ASSERT_EQ(call("POST", kConfigMaps, object).status, 201u);
  }
  auto deleted = call("DELETE", std::string(kConfigMaps) + "?labelSelector=group%3Ddrop");
  ASSERT_EQ(deleted.status, 200u) << deleted.text;
  EXPECT_EQ(deleted.body["items"].size(), 2u);
  EXPECT_EQ(call("GET", kConfigMaps).body["items"].size(), 1u);
}

TEST_F(PatchDeleteTest, PodBindingAndNodeStreams) {
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx"}}}}}}};
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods", pod).status, 201u);
  Json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", "p"}}},
                  {"target", {{"kind", "Node"}, {"name", "node1"}}}};
  EXPECT_EQ(call("POST", "/api/v1/namespaces/default/pods/p/binding", binding).status, 201u);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/pods/p").body["spec"]["nodeName"], "node1");
  auto again = call("POST", "/api/v1/namespaces/default/pods/p/binding", binding);
  EXPECT_EQ(again.status, 409u);
  EXPECT_NE(again.body["message"].get<std::string>().find("already assigned to node \"node1\""),
            std::string::npos);
  auto missing = call("POST", "/api/v1/namespaces/default/pods/nope/binding", binding);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body["message"], "pods \"nope\" not found");
  // A dry run checks and writes nothing.
  auto dry = call("POST", "/api/v1/namespaces/default/pods/p/binding?dryRun=All", binding);
  EXPECT_EQ(dry.status, 409u);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/pods/p/log").status, 503u);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/pods/nope/log").status, 404u);
}

}  // namespace
}  // namespace skiff::apiserver::testing
