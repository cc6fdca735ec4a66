// rollout status text and the rollout history/undo decisions (rollout_status.h,
// deployment_history.h), as kubectl words and decides them.
#include <gtest/gtest.h>

#include "pkg/kubectl/deployment_history.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/pod_template_text.h"
#include "pkg/kubectl/rollout_status.h"

namespace skiff::kubectl {
namespace {

Json deployment(Json status, int generation = 2, int replicas = 3) {
  return {{"kind", "Deployment"},
          {"metadata",
           {{"name", "web"},
            {"generation", generation},
            {"uid", "d-uid"},
            {"annotations", {{kRevisionAnnotation, "2"}}}}},
          {"spec", {{"replicas", replicas}}},
          {"status", std::move(status)}};
}

TEST(KubectlRolloutStatus, SpecNotYetObserved) {
  auto s = deployment_rollout_status(deployment({{"observedGeneration", 1}}), 0);
  EXPECT_EQ(s.message, "Waiting for deployment spec update to be observed...");
  EXPECT_FALSE(s.done);
  EXPECT_TRUE(s.error.empty());
}

TEST(KubectlRolloutStatus, NewReplicasNotYetUpdated) {
  auto s = deployment_rollout_status(
      deployment({{"observedGeneration", 2}, {"updatedReplicas", 1}, {"replicas", 3}}), 0);
  EXPECT_EQ(s.message,
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been "
            "updated...");
}

TEST(KubectlRolloutStatus, MissingCountersCountAsZero) {
  auto s = deployment_rollout_status(deployment({{"observedGeneration", 2}}), 0);
  EXPECT_EQ(s.message,
            "Waiting for deployment \"web\" rollout to finish: 0 out of 3 new replicas have been "
            "updated...");
}

TEST(KubectlRolloutStatus, OldReplicasPendingTermination) {
  auto s = deployment_rollout_status(
      deployment({{"observedGeneration", 2}, {"updatedReplicas", 3}, {"replicas", 4}}), 0);
  EXPECT_EQ(s.message,
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending "
            "termination...");
}

TEST(KubectlRolloutStatus, UpdatedReplicasNotYetAvailable) {
  auto s = deployment_rollout_status(deployment({{"observedGeneration", 2},
                                                 {"updatedReplicas", 3},
                                                 {"replicas", 3},
                                                 {"availableReplicas", 1}}),
                                     0);
  EXPECT_EQ(s.message,
            "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are "
            "available...");
  EXPECT_FALSE(s.done);
}

TEST(KubectlRolloutStatus, Done) {
  auto s = deployment_rollout_status(deployment({{"observedGeneration", 2},
                                                 {"updatedReplicas", 3},
                                                 {"replicas", 3},
                                                 {"availableReplicas", 3}}),
                                     0);
  EXPECT_EQ(s.message, "deployment \"web\" successfully rolled out");
  EXPECT_TRUE(s.done);
}

TEST(KubectlRolloutStatus, ProgressDeadlineExceededIsAnError) {
  Json status = {
      {"observedGeneration", 2},
      {"conditions",
       {{{"type", "Available"}, {"status", "True"}},
        {{"type", "Progressing"}, {"status", "False"}, {"reason", "ProgressDeadlineExceeded"}}}}};
  auto s = deployment_rollout_status(deployment(status), 0);
  EXPECT_EQ(s.error, "deployment \"web\" exceeded its progress deadline");
  EXPECT_TRUE(s.message.empty());
}

TEST(KubectlRolloutStatus, DeadlineIgnoredUntilGenerationObserved) {
  Json status = {
      {"observedGeneration", 1},
      {"conditions", {{{"type", "Progressing"}, {"reason", "ProgressDeadlineExceeded"}}}}};
  auto s = deployment_rollout_status(deployment(status), 0);
  EXPECT_TRUE(s.error.empty());
  EXPECT_EQ(s.message, "Waiting for deployment spec update to be observed...");
}

TEST(KubectlRolloutStatus, RevisionMustMatch) {
  Json d = deployment({{"observedGeneration", 2}});
  EXPECT_EQ(deployment_rollout_status(d, 3).error,
            "desired revision (3) is different from the running revision (2)");
  EXPECT_TRUE(deployment_rollout_status(d, 2).error.empty());
  d["metadata"]["annotations"][kRevisionAnnotation] = "x";
  EXPECT_EQ(deployment_rollout_status(d, 2).error,
            "cannot get the revision of deployment \"web\": strconv.ParseInt: parsing \"x\": "
            "invalid syntax");
}

TEST(KubectlRolloutStatus, NoSpecReplicasSkipsTheUpdatedCheck) {
  Json d = deployment({{"observedGeneration", 2}});
  d["spec"].erase("replicas");
  EXPECT_EQ(deployment_rollout_status(d, 0).message, "deployment \"web\" successfully rolled out");
}

// --- history ---

Json replicaset(const std::string& name, const std::string& revision, const std::string& owner,
                const std::string& image, bool controller = true) {
  Json rs = {{"metadata",
              {{"name", name},
               {"annotations", Json::object()},
               {"ownerReferences",
                {{{"kind", "Deployment"}, {"uid", owner}, {"controller", controller}}}}}},
             {"spec",
              {{"template",
                {{"metadata", {{"labels", {{"app", "web"}, {kPodTemplateHashLabel, name}}}}},
                 {"spec", {{"containers", {{{"name", "web"}, {"image", image}}}}}}}}}}};
  if (!revision.empty()) rs["metadata"]["annotations"][kRevisionAnnotation] = revision;
  return rs;
}

TEST(KubectlRolloutHistory, OnlyReplicaSetsControlledByTheDeploymentCount) {
  Json items = Json::array(
      {replicaset("a", "1", "d-uid", "v1"), replicaset("b", "2", "other", "v2"),
       replicaset("c", "3", "d-uid", "v3", false), Json{{"metadata", {{"name", "orphan"}}}}});
  auto owned = controlled_replicasets(items, "d-uid");
  ASSERT_EQ(owned.size(), 1u);
  EXPECT_EQ(owned[0]["metadata"]["name"], "a");
  EXPECT_TRUE(controlled_replicasets(items, "").empty());
  EXPECT_TRUE(controlled_replicasets(Json(), "d-uid").empty());
}

TEST(KubectlRolloutHistory, RevisionAnnotation) {
  EXPECT_EQ(revision_of(replicaset("a", "7", "u", "v")), 7);
  EXPECT_EQ(revision_of(replicaset("a", "", "u", "v")), 0);  // absent counts as 0
  EXPECT_EQ(revision_of(replicaset("a", "7x", "u", "v")), std::nullopt);
  EXPECT_EQ(revision_of(Json()), 0);
}

TEST(KubectlRolloutHistory, TableSortedByRevisionWithChangeCause) {
  auto a = replicaset("a", "10", "u", "v1");
  auto b = replicaset("b", "2", "u", "v2");
  b["metadata"]["annotations"][kChangeCauseAnnotation] = "kubectl set image deployment/web";
  auto broken = replicaset("c", "zz", "u", "v3");
  auto history = revision_templates({a, b, broken});
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history_table(history),
            "REVISION  CHANGE-CAUSE\n"
            "2         kubectl set image deployment/web\n"
            "10        <none>\n");
  EXPECT_EQ(history.at(2)["metadata"]["annotations"][kChangeCauseAnnotation],
            "kubectl set image deployment/web");
  EXPECT_EQ(history_table({}), "No rollout history found.");
}

TEST(KubectlRolloutUndo, PreviousRevisionIsTheSecondNewest) {
  std::vector<Json> owned = {replicaset("r3", "3", "u", "v3"), replicaset("r1", "1", "u", "v1"),
                             replicaset("r2", "2", "u", "v2")};
  EXPECT_EQ(rollback_target(owned, 0, "web")["metadata"]["name"], "r2");
  EXPECT_EQ(rollback_target(owned, 1, "web")["metadata"]["name"], "r1");
}

TEST(KubectlRolloutUndo, ErrorsAreWordedLikeKubectl) {
  std::vector<Json> one = {replicaset("r1", "1", "u", "v1")};
  try {
    rollback_target(one, 0, "web");
    FAIL() << "expected an error";
  } catch (const KubectlError& e) {
    EXPECT_STREQ(e.what(), "error: no rollout history found for deployment \"web\"");
  }
  try {
    rollback_target(one, 5, "web");
    FAIL() << "expected an error";
  } catch (const KubectlError& e) {
    EXPECT_STREQ(e.what(), "error: unable to find specified revision 5 in history");
  }
  EXPECT_THROW(rollback_target(one, -1, "web"), KubectlError);
  EXPECT_THROW(rollback_target({}, 0, "web"), KubectlError);
}

TEST(KubectlRolloutUndo, TemplatesCompareWithoutHashAndEmptyFields) {
  Json rs_template = replicaset("r1", "1", "u", "v1")["spec"]["template"];
  Json deployment_template = rs_template;
  deployment_template["metadata"]["labels"].erase(kPodTemplateHashLabel);
  deployment_template["metadata"]["creationTimestamp"] = nullptr;
  deployment_template["spec"]["containers"][0]["resources"] = Json::object();
  EXPECT_TRUE(same_template_ignoring_hash(rs_template, deployment_template));
  deployment_template["spec"]["containers"][0]["image"] = "v2";
  EXPECT_FALSE(same_template_ignoring_hash(rs_template, deployment_template));
}

TEST(KubectlRolloutUndo, PatchRestoresTemplateAndKeepsDeploymentBookkeeping) {
  Json d = deployment({});
  d["metadata"]["annotations"] = {{kRevisionAnnotation, "3"},
                                  {"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                                  {"team", "blue"}};
  Json rs = replicaset("r1", "1", "u", "v1");
  rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = "3";
  rs["metadata"]["annotations"][kChangeCauseAnnotation] = "first";
  Json patch = rollback_patch(d, rs);
  ASSERT_EQ(patch.size(), 2u);
  EXPECT_EQ(patch[0]["op"], "replace");
  EXPECT_EQ(patch[0]["path"], "/spec/template");
  EXPECT_EQ(patch[0]["value"]["metadata"]["labels"], Json({{"app", "web"}}));
  EXPECT_EQ(patch[0]["value"]["spec"]["containers"][0]["image"], "v1");
  EXPECT_EQ(patch[1]["path"], "/metadata/annotations");
  EXPECT_EQ(patch[1]["value"], Json({{kRevisionAnnotation, "3"},
                                     {"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                                     {kChangeCauseAnnotation, "first"}}));
}

TEST(KubectlRolloutHistory, PodTemplateTextIsKubectlsUnalignedDescribe) {
  Json pod_template = Json::parse(R"({
    "metadata": {"labels": {"pod-template-hash": "abc", "app": "web"},
                 "annotations": {"kubernetes.io/change-cause": "set image"}},
    "spec": {"containers": [{"name": "web", "image": "nginx:1",
                             "ports": [{"containerPort": 80, "protocol": "TCP"}],
                             "command": ["nginx", "-g"],
                             "env": [{"name": "MODE", "value": "prod"}],
                             "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
             "volumes": [{"name": "data", "emptyDir": {}}]}})");
  EXPECT_EQ(pod_template_text(pod_template),
            "Pod Template:\n"
            "  Labels:\tapp=web\n"
            "\tpod-template-hash=abc\n"
            "  Annotations:\tkubernetes.io/change-cause: set image\n"
            "  Containers:\n"
            "   web:\n"
            "    Image:\tnginx:1\n"
            "    Port:\t80/TCP\n"
            "    Host Port:\t0/TCP\n"
            "    Command:\n"
            "      nginx\n"
            "      -g\n"
            "    Environment:\n"
            "      MODE:\tprod\n"
            "    Mounts:\n"
            "      /data from data (rw)\n"
            "  Volumes:\n"
            "   data:\n"
            "    Type:\temptyDir\n"
            "  Node-Selectors:\t<none>\n"
            "  Tolerations:\t<none>\n");
  EXPECT_EQ(pod_template_text(Json()).rfind("Pod Template:\n  Labels:\t<none>\n  Containers:\n", 0),
            0u);
}

}  // namespace
}  // namespace skiff::kubectl
