// Deployment status: counters from ReplicaSets and the Available/Progressing conditions with
// the reasons and messages kubectl rollout status and wait read.
#include <gtest/gtest.h>

#include "server/controllers/deployment_status.h"

namespace skiff::controllers {
namespace {

const api::Clock::time_point kNow = *api::parse_rfc3339("2026-01-01T12:00:00Z");
const std::string kNowText = "2026-01-01T12:00:00Z";

Json deployment(int replicas, Json status = Json::object()) {
  return {{"metadata", {{"name", "web"}, {"generation", 2}}},
          {"spec", {{"replicas", replicas}}},
          {"status", status}};
}

Json rs(const std::string& name, int spec, int replicas, int ready, int available) {
  return {{"metadata", {{"name", name}}},
          {"spec", {{"replicas", spec}}},
          {"status",
           {{"replicas", replicas}, {"readyReplicas", ready}, {"availableReplicas", available}}}};
}

std::string reason(const Json& status, const std::string& type) {
  const Json* c = find_condition(status, type);
  return c ? (*c)["status"].get<std::string>() + "/" + (*c)["reason"].get<std::string>() + ": " +
                 (*c)["message"].get<std::string>()
           : "none";
}

TEST(DeploymentStatus, CountersFromReplicaSets) {
  const Json new_rs = rs("web-new", 5, 5, 3, 2);
  const std::vector<Json> all = {rs("web-old", 7, 7, 7, 7), new_rs};
  const Json status = calculate_status(deployment(10), all, &all[1], kNowText);
  EXPECT_EQ(status["observedGeneration"], 2);
  EXPECT_EQ(status["replicas"], 12);
  EXPECT_EQ(status["updatedReplicas"], 5);
  EXPECT_EQ(status["readyReplicas"], 10);
  EXPECT_EQ(status["availableReplicas"], 9);
  EXPECT_EQ(status["unavailableReplicas"], 3);
  EXPECT_EQ(reason(status, "Available"),
            "True/MinimumReplicasAvailable: Deployment has minimum availability.");

  const Json short_status =
      calculate_status(deployment(10), {rs("a", 10, 10, 7, 7)}, nullptr, kNowText);
  EXPECT_EQ(reason(short_status, "Available"),
            "False/MinimumReplicasUnavailable: Deployment does not have minimum availability.");
  EXPECT_EQ(short_status["updatedReplicas"], 0);
  EXPECT_EQ(calculate_status(deployment(1), {rs("a", 1, 3, 3, 3)}, nullptr,
                             kNowText)["unavailableReplicas"],
            0)
      << "never negative";
}

TEST(DeploymentStatus, ConditionsKeepTransitionTimeWhileStatusHolds) {
  Json status = Json::object();
  set_condition(status, "Progressing", "True", "A", "a", "2026-01-01T10:00:00Z");
  set_condition(status, "Progressing", "True", "A", "changed", "2026-01-01T11:00:00Z");
  EXPECT_EQ((*find_condition(status, "Progressing"))["message"], "a") << "same status+reason";
  set_condition(status, "Progressing", "True", "B", "b", "2026-01-01T11:00:00Z");
  EXPECT_EQ((*find_condition(status, "Progressing"))["lastTransitionTime"], "2026-01-01T10:00:00Z");
  EXPECT_EQ((*find_condition(status, "Progressing"))["lastUpdateTime"], "2026-01-01T11:00:00Z");
  set_condition(status, "Progressing", "False", "C", "c", "2026-01-01T12:00:00Z");
  EXPECT_EQ((*find_condition(status, "Progressing"))["lastTransitionTime"], "2026-01-01T12:00:00Z");
  EXPECT_EQ(status["conditions"].size(), 1u);
}

TEST(DeploymentStatus, NewReplicaSetConditions) {
  Json status = Json::object();
  mark_found_new_replicaset(deployment(3), status, "web-abc", kNowText);
  EXPECT_EQ(reason(status, "Progressing"),
            "True/FoundNewReplicaSet: Found new replica set \"web-abc\"");
  mark_found_new_replicaset(deployment(3), status, "web-def", kNowText);
  EXPECT_EQ(reason(status, "Progressing"),
            "True/FoundNewReplicaSet: Found new replica set \"web-abc\"")
      << "only when there is no Progressing condition yet";
  mark_new_replicaset_created(deployment(3), status, "web-def", kNowText);
  EXPECT_EQ(reason(status, "Progressing"),
            "True/NewReplicaSetCreated: Created new replica set \"web-def\"");
  Json no_deadline = deployment(3);
  no_deadline["spec"]["progressDeadlineSeconds"] = 2147483647;
  Json untouched = Json::object();
  mark_new_replicaset_created(no_deadline, untouched, "web-def", kNowText);
  EXPECT_EQ(find_condition(untouched, "Progressing"), nullptr);
  mark_paused(status, kNowText);
  EXPECT_EQ(reason(status, "Progressing"), "Unknown/DeploymentPaused: Deployment is paused");
  mark_resumed(status, kNowText);
  EXPECT_EQ(reason(status, "Progressing"), "Unknown/DeploymentResumed: Deployment is resumed");
}

TEST(SyncRolloutStatus, ProgressingCompleteAndTimedOut) {
  const Json progressing = {{"type", "Progressing"},
                            {"status", "True"},
                            {"reason", "NewReplicaSetCreated"},
                            {"message", "Created new replica set \"web-new\""},
                            {"lastUpdateTime", "2026-01-01T11:55:00Z"},
                            {"lastTransitionTime", "2026-01-01T11:55:00Z"}};
  const Json old_status = {{"replicas", 4},
                           {"updatedReplicas", 1},
                           {"readyReplicas", 3},
                           {"availableReplicas", 3},
                           {"conditions", {progressing}}};

  // More new replicas than last time: progressing, and the deadline clock restarts.
  std::vector<Json> all = {rs("web-old", 2, 2, 2, 2), rs("web-new", 2, 2, 1, 1)};
  Json status = sync_rollout_status(deployment(3, old_status), all, &all[1], kNow);
  EXPECT_EQ(reason(status, "Progressing"),
            "True/ReplicaSetUpdated: ReplicaSet \"web-new\" is progressing.");
  EXPECT_EQ((*find_condition(status, "Progressing"))["lastUpdateTime"], kNowText);
  EXPECT_EQ((*find_condition(status, "Progressing"))["lastTransitionTime"], "2026-01-01T11:55:00Z");

  // Everything new and available: complete.
  all = {rs("web-old", 0, 0, 0, 0), rs("web-new", 3, 3, 3, 3)};
  status = sync_rollout_status(deployment(3, old_status), all, &all[1], kNow);
  EXPECT_EQ(reason(status, "Progressing"),
            "True/NewReplicaSetAvailable: ReplicaSet \"web-new\" has successfully progressed.");
  EXPECT_TRUE(deployment_complete(deployment(3), status));
  EXPECT_EQ(time_until_progress_deadline(deployment(3, status), status, kNow), std::nullopt);

  // No progress for longer than the deadline (600s by default): timed out.
  all = {rs("web-old", 3, 3, 3, 3), rs("web-new", 1, 1, 0, 0)};
  Json stuck = {{"replicas", 4},
                {"updatedReplicas", 1},
                {"readyReplicas", 3},
                {"availableReplicas", 3},
                {"conditions", {progressing}}};
  status = sync_rollout_status(deployment(3, stuck), all, &all[1], kNow);
  EXPECT_EQ(reason(status, "Progressing"), reason(stuck, "Progressing")) << "5 minutes: not yet";
  EXPECT_EQ(time_until_progress_deadline(deployment(3, stuck), stuck, kNow),
            std::chrono::seconds(301));
  const auto later = kNow + std::chrono::seconds(301);
  status = sync_rollout_status(deployment(3, stuck), all, &all[1], later);
  EXPECT_EQ(reason(status, "Progressing"),
            "False/ProgressDeadlineExceeded: ReplicaSet \"web-new\" has timed out progressing.");
  EXPECT_TRUE(deployment_timed_out(deployment(3), status, later));

  // Without a deadline the condition goes away.
  Json no_deadline = deployment(3, stuck);
  no_deadline["spec"]["progressDeadlineSeconds"] = 2147483647;
  EXPECT_EQ(find_condition(sync_rollout_status(no_deadline, all, &all[1], later), "Progressing"),
            nullptr);
}

}  // namespace
}  // namespace skiff::controllers
