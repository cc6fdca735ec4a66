// Client-side apply's patch computation and manifest reading.
#include <gtest/gtest.h>

#include "pkg/kubectl/apply_patch.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/resource_builder.h"

namespace skiff::kubectl {
namespace {

Json deployment(int replicas, const std::string& image) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}, {"labels", {{"app", "web"}}}}},
          {"spec",
           {{"replicas", replicas},
            {"template", {{"spec", {{"containers", {{{"name", "web"}, {"image", image}}}}}}}}}}};
}

// What the server would hold after creating `manifest`: defaults and status added.
Json live_from(const Json& manifest) {
  Json live = with_last_applied(manifest);
  live["metadata"]["uid"] = "u1";
  live["metadata"]["resourceVersion"] = "7";
  live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always";
  live["spec"]["strategy"] = {{"type", "RollingUpdate"}};
  live["status"] = {{"replicas", 3}};
  return live;
}

TEST(KubectlApplyPatch, SameManifestIsUnchangedDespiteServerDefaults) {
  Json manifest = deployment(3, "nginx:1");
  Json live = live_from(manifest);
  EXPECT_TRUE(three_way_merge_patch(recorded_last_applied(live), with_last_applied(manifest), live)
                  .empty());
}

TEST(KubectlApplyPatch, ChangedFieldIsPatchedWithNewAnnotation) {
  Json live = live_from(deployment(3, "nginx:1"));
  Json desired = with_last_applied(deployment(5, "nginx:1"));
  Json patch = three_way_merge_patch(recorded_last_applied(live), desired, live);
  EXPECT_EQ(patch["spec"], Json({{"replicas", 5}}));
  EXPECT_EQ(patch["metadata"]["annotations"][kLastAppliedAnnotation],
            last_applied_value(deployment(5, "nginx:1")));
  EXPECT_FALSE(patch.contains("status"));
}

TEST(KubectlApplyPatch, ListChangeReplacesTheList) {
  Json live = live_from(deployment(3, "nginx:1"));
  Json desired = with_last_applied(deployment(3, "nginx:2"));
  Json patch = three_way_merge_patch(recorded_last_applied(live), desired, live);
  EXPECT_EQ(patch["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:2");
}

TEST(KubectlApplyPatch, FieldRemovedFromManifestIsDeleted) {
  Json old_manifest = deployment(3, "nginx:1");
  Json live = live_from(old_manifest);
  Json new_manifest = old_manifest;
  new_manifest["metadata"].erase("labels");
  Json patch =
      three_way_merge_patch(recorded_last_applied(live), with_last_applied(new_manifest), live);
  ASSERT_TRUE(patch["metadata"].contains("labels"));
  EXPECT_TRUE(patch["metadata"]["labels"].is_null());
  // Fields the server added (strategy) are not touched even though the manifest lacks them.
  EXPECT_FALSE(patch.contains("spec"));
}

TEST(KubectlApplyPatch, NestedKeyRemovalOnlyDeletesThatKey) {
  Json old_manifest = deployment(3, "nginx:1");
  old_manifest["metadata"]["labels"]["tier"] = "fe";
  Json live = live_from(old_manifest);
  live["metadata"]["labels"]["added-by-someone"] = "x";
  Json new_manifest = deployment(3, "nginx:1");
  Json patch =
      three_way_merge_patch(recorded_last_applied(live), with_last_applied(new_manifest), live);
  EXPECT_EQ(patch["metadata"]["labels"], Json({{"tier", nullptr}}));
}

TEST(KubectlApplyPatch, ObjectWithoutAnnotationGetsIt) {
  Json manifest = deployment(3, "nginx:1");
  Json live = manifest;  // created by `create`, no annotation
  Json patch =
      three_way_merge_patch(recorded_last_applied(live), with_last_applied(manifest), live);
  EXPECT_EQ(patch.size(), 1u);
  EXPECT_TRUE(patch["metadata"]["annotations"].contains(kLastAppliedAnnotation));
}

TEST(KubectlApplyPatch, AnnotationIsCompactJsonWithNewline) {
  Json manifest = with_last_applied(deployment(1, "x"));
  std::string value = manifest["metadata"]["annotations"][kLastAppliedAnnotation];
  EXPECT_EQ(value.back(), '\n');
  EXPECT_EQ(Json::parse(value), deployment(1, "x"));
}

TEST(KubectlManifests, MultiDocumentAndListExpansion) {
  auto objects = parse_manifest_text(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: b}
- apiVersion: v1
  kind: Service
  metadata: {name: c}
)",
                                     "app.yaml");
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[1].object["kind"], "Secret");
  EXPECT_EQ(objects[2].source, "app.yaml");
}

TEST(KubectlManifests, ParseErrorsNameFileAndLine) {
  try {
    parse_manifest_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n", "app.yaml");
    FAIL();
  } catch (const KubectlError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("error: error parsing app.yaml: line ", 0), 0u)
        << e.what();
  }
}

TEST(KubectlManifests, MissingKindIsAnError) {
  EXPECT_THROW(parse_manifest_text("metadata: {name: a}\n", "x.yaml"), KubectlError);
}

}  // namespace
}  // namespace skiff::kubectl
