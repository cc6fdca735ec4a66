// Deployment helpers: template hashing that survives `kubectl rollout undo`, ReplicaSet naming,
// maxSurge/maxUnavailable, revisions, the new-ReplicaSet builder and history cleanup.
#include <gtest/gtest.h>

#include "pkg/api/errors.h"
#include "server/controllers/deployment_util.h"

namespace skiff::controllers {
namespace {

Json web_template(const std::string& image = "nginx:1.25") {
  return {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec",
           {{"containers",
             {{{"name", "nginx"}, {"image", image}, {"ports", {{{"containerPort", 80}}}}}}}}}};
}

Json deployment(Json spec_extra = Json::object()) {
  Json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata",
             {{"name", "web"}, {"namespace", "default"}, {"uid", "uid-web"}, {"generation", 1}}},
            {"spec",
             {{"replicas", 10},
              {"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template", web_template()}}}};
  for (const auto& [k, v] : spec_extra.items()) d["spec"][k] = v;
  return d;
}

Json rs(const std::string& name, std::int64_t revision, Json tmpl = web_template(),
        const std::string& created = "2026-01-01T00:00:00Z") {
  return {{"metadata",
           {{"name", name},
            {"creationTimestamp", created},
            {"annotations", {{kRevisionAnnotation, std::to_string(revision)}}}}},
          {"spec", {{"replicas", 0}, {"template", tmpl}}},
          {"status", {{"replicas", 0}}}};
}

TEST(PodTemplateHash, RolloutUndoTemplateHashesLikeTheOriginal) {
  const Json original = web_template();
  // What kubectl rollout undo sends back: the ReplicaSet's template with the hash label removed,
  // creationTimestamp null and resources {}.
  Json undo = original;
  undo["metadata"]["creationTimestamp"] = nullptr;
  undo["spec"]["containers"][0]["resources"] = Json::object();
  Json with_hash_label = original;
  with_hash_label["metadata"]["labels"][kPodTemplateHashLabel] = "abc";

  const std::string hash = pod_template_hash(original);
  EXPECT_EQ(pod_template_hash(undo), hash);
  EXPECT_EQ(pod_template_hash(with_hash_label), hash);
  EXPECT_TRUE(templates_equal_ignoring_hash(undo, with_hash_label));

  EXPECT_NE(pod_template_hash(web_template("nginx:1.26")), hash);
  Json restarted = original;
  restarted["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] =
      "2026-11-26T08:27:42Z";
  EXPECT_NE(pod_template_hash(restarted), hash) << "rollout restart must roll out";
  Json empty_label = original;
  empty_label["metadata"]["labels"]["tier"] = "";
  EXPECT_NE(pod_template_hash(empty_label), hash) << "an empty label value is still a label";
  EXPECT_NE(pod_template_hash(original, 1), hash) << "collision count changes the hash";
}

TEST(PodTemplateHash, IsShortNameSafeAndStableAcrossVersions) {
  const std::string hash = pod_template_hash(web_template());
  EXPECT_GE(hash.size(), 1u);
  EXPECT_LE(hash.size(), 10u);
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << hash;
  // Pinned: changing this value would make every existing Deployment roll out after an upgrade.
  EXPECT_EQ(hash, pod_template_hash(Json::parse(web_template().dump())));
  EXPECT_EQ(hash, "7c7c947bd7");
  EXPECT_EQ(replicaset_name("web", hash), "web-" + hash);
}

TEST(Fenceposts, IntsAndPercentsAsKubernetesRoundsThem) {
  struct Case {
    Json surge;
    Json unavailable;
    std::int32_t desired;
    std::int32_t want_surge;
    std::int32_t want_unavailable;
  };
  const std::vector<Case> cases = {
      {nullptr, nullptr, 10, 3, 2},  // 25%/25% defaults: 2.5 -> up 3, down 2
      {"25%", "25%", 4, 1, 1},      {"25%", "25%", 3, 1, 0},
      {"25%", "25%", 1, 1, 0},      {0, 0, 5, 0, 1},  // both zero: unavailable becomes 1
      {"0%", "10%", 5, 0, 1},       {2, 1, 10, 2, 1},
      {"100%", "0%", 3, 3, 0},      {"50%", "50%", 5, 3, 2},
  };
  for (const auto& c : cases) {
    const Fenceposts f = resolve_fenceposts(c.surge, c.unavailable, c.desired);
    EXPECT_EQ(f.max_surge, c.want_surge) << c.surge << " of " << c.desired;
    EXPECT_EQ(f.max_unavailable, c.want_unavailable) << c.unavailable << " of " << c.desired;
  }
  EXPECT_THROW(scaled_int_or_percent("25", 10, true), api::ApiError);
  EXPECT_THROW(scaled_int_or_percent("x%", 10, true), api::ApiError);
  EXPECT_THROW(scaled_int_or_percent(true, 10, true), api::ApiError);
}

TEST(Fenceposts, DeploymentBounds) {
  EXPECT_EQ(max_surge(deployment()), 3);
  EXPECT_EQ(max_unavailable(deployment()), 2);
  const Json recreate = deployment({{"strategy", {{"type", "Recreate"}}}});
  EXPECT_EQ(max_surge(recreate), 0);
  EXPECT_EQ(max_unavailable(recreate), 0);
  EXPECT_EQ(max_unavailable(deployment({{"replicas", 0}})), 0);
  EXPECT_EQ(max_unavailable(deployment(
                {{"replicas", 2}, {"strategy", {{"rollingUpdate", {{"maxUnavailable", 5}}}}}})),
            2)
      << "capped at replicas";
}

TEST(Revisions, MaxPlusOneAndNeverBackwards) {
  const std::vector<Json> old = {rs("a", 1), rs("b", 3), rs("c", 2)};
  EXPECT_EQ(max_revision(old), 3);
  EXPECT_EQ(next_revision(old), 4);
  EXPECT_EQ(next_revision({}), 1);
  Json bad = rs("d", 0);
  bad["metadata"]["annotations"][kRevisionAnnotation] = "x";
  EXPECT_EQ(revision_of(bad), 0);

  // Rollback: the reused ReplicaSet (revision 1) moves to max(old) + 1.
  Json reused = rs("a", 1);
  EXPECT_TRUE(set_revision(reused, next_revision({rs("b", 3), rs("c", 2)})));
  EXPECT_EQ(reused["metadata"]["annotations"][kRevisionAnnotation], "4");
  EXPECT_FALSE(set_revision(reused, 4));
  EXPECT_FALSE(set_revision(reused, 2)) << "never goes backwards";
  Json unannotated = {{"metadata", Json::object()}};
  EXPECT_TRUE(set_revision(unannotated, 1));
}

TEST(FindNewReplicaSet, MatchesTemplateIgnoringHashAndPrefersTheOldest) {
  Json hashed = web_template();
  hashed["metadata"]["labels"][kPodTemplateHashLabel] = "zzz";
  const std::vector<Json> rss = {rs("web-v2", 2, web_template("nginx:1.26")),
                                 rs("web-b", 1, hashed, "2026-01-02T00:00:00Z"),
                                 rs("web-a", 1, hashed, "2026-01-01T00:00:00Z")};
  EXPECT_EQ(find_new_replicaset(deployment(), rss), 2);
  EXPECT_EQ(find_new_replicaset(deployment(), {rss[0]}), -1);
}

TEST(BuildNewReplicaSet, CarriesHashOwnerAndAnnotations) {
  Json d = deployment({{"minReadySeconds", 5}});
  d["metadata"]["annotations"] = {{kChangeCauseAnnotation, "kubectl set image"}};
  const Json r = build_new_replicaset(d, 3, 7);
  const std::string hash = pod_template_hash(d["spec"]["template"]);
  EXPECT_EQ(r["metadata"]["name"], "web-" + hash);
  EXPECT_EQ(r["metadata"]["namespace"], "default");
  EXPECT_EQ(r["metadata"]["labels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(r["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(r["spec"]["selector"]["matchLabels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(r["spec"]["selector"]["matchLabels"]["app"], "web");
  EXPECT_EQ(r["spec"]["template"]["metadata"]["labels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(r["spec"]["replicas"], 3);
  EXPECT_EQ(r["spec"]["minReadySeconds"], 5);
  EXPECT_EQ(r["metadata"]["annotations"][kRevisionAnnotation], "7");
  EXPECT_EQ(r["metadata"]["annotations"][kChangeCauseAnnotation], "kubectl set image");
  EXPECT_EQ(r["metadata"]["annotations"][kDesiredReplicasAnnotation], "10");
  EXPECT_EQ(r["metadata"]["annotations"][kMaxReplicasAnnotation], "13");
  const Json owner = r["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "Deployment");
  EXPECT_EQ(owner["uid"], "uid-web");
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(owner["blockOwnerDeletion"], true);
  // The built template still hashes to the name it carries.
  EXPECT_EQ(pod_template_hash(r["spec"]["template"]), hash);
}

TEST(HistoryCleanup, DeletesTheOldestBeyondTheLimitThatAreScaledDown) {
  const Json d = deployment({{"revisionHistoryLimit", 2}});
  std::vector<Json> old = {rs("r1", 1), rs("r2", 2), rs("r3", 3), rs("r4", 4), rs("r5", 5)};
  old[1]["status"]["replicas"] = 1;                                  // still has pods: kept
  old[4]["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";  // already going
  // Alive: r1..r4 (4) -> 2 over the limit -> r1 and r2 are candidates; r2 has pods.
  EXPECT_EQ(replicasets_to_clean_up(d, old), (std::vector<std::string>{"r1"}));
  EXPECT_TRUE(replicasets_to_clean_up(deployment(), old).empty()) << "default limit 10";
  EXPECT_EQ(replicasets_to_clean_up(deployment({{"revisionHistoryLimit", 0}}), {rs("a", 1)}),
            (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace skiff::controllers
