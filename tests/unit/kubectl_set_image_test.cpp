// `set image` argument parsing and the patch it sends (image_update.h).
#include <gtest/gtest.h>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/image_update.h"

namespace skiff::kubectl {
namespace {

Json deployment() {
  return {{"kind", "Deployment"},
          {"spec",
           {{"template",
             {{"spec",
               {{"initContainers", {{{"name", "init"}, {"image", "busybox:1"}}}},
                {"containers",
                 {{{"name", "web"}, {"image", "nginx:1"}},
                  {{"name", "sidecar"}, {"image", "envoy:1"}}}}}}}}}}};
}

TEST(KubectlSetImage, ArgumentsSplitIntoResourcesAndPairs) {
  auto parsed = parse_image_args({"deployment", "web", "web=nginx:2", "sidecar=envoy:2"});
  EXPECT_EQ(parsed.resources, (std::vector<std::string>{"deployment", "web"}));
  ASSERT_EQ(parsed.images.size(), 2u);
  EXPECT_EQ(parsed.images[1], (std::pair<std::string, std::string>{"sidecar", "envoy:2"}));
}

TEST(KubectlSetImage, BadArguments) {
  try {
    parse_image_args({"web=nginx:2", "deployment/web"});
    FAIL() << "expected an error";
  } catch (const KubectlError& e) {
    EXPECT_STREQ(e.what(),
                 "error: all resources must be specified before image changes: deployment/web");
  }
  EXPECT_THROW(parse_image_args({"deployment/web", "=nginx"}), KubectlError);
  EXPECT_THROW(parse_image_args({"deployment/web", "web="}), KubectlError);
}

TEST(KubectlSetImage, PatchSetsOneContainerWithElementOrder) {
  auto update = image_patch(deployment(), {{"web", "nginx:2"}});
  EXPECT_TRUE(update.errors.empty());
  EXPECT_EQ(update.patch, Json::parse(R"({"spec":{"template":{"spec":{
              "$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
              "containers":[{"image":"nginx:2","name":"web"}]}}}})"));
}

TEST(KubectlSetImage, WildcardSetsEveryContainerIncludingInit) {
  auto update = image_patch(deployment(), {{"*", "busybox:2"}});
  const Json& spec = update.patch["spec"]["template"]["spec"];
  EXPECT_EQ(spec["containers"].size(), 2u);
  EXPECT_EQ(spec["initContainers"], Json::parse(R"([{"image":"busybox:2","name":"init"}])"));
}

TEST(KubectlSetImage, UnchangedImageGivesEmptyPatch) {
  auto update = image_patch(deployment(), {{"web", "nginx:1"}});
  EXPECT_TRUE(update.errors.empty());
  EXPECT_TRUE(update.patch.empty());
}

TEST(KubectlSetImage, UnknownContainerIsReportedOthersStillPatched) {
  auto update = image_patch(deployment(), {{"nope", "x:1"}, {"web", "nginx:3"}});
  ASSERT_EQ(update.errors.size(), 1u);
  EXPECT_EQ(update.errors[0], "unable to find container named \"nope\"");
  EXPECT_EQ(update.patch["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:3");
}

TEST(KubectlSetImage, PodsKeepContainersDirectlyUnderSpec) {
  Json pod = {{"kind", "Pod"}, {"spec", {{"containers", {{{"name", "c"}, {"image", "a"}}}}}}};
  auto update = image_patch(pod, {{"c", "b"}});
  EXPECT_EQ(update.patch["spec"]["containers"][0]["image"], "b");
  EXPECT_EQ(pod_spec_path("CronJob").size(), 5u);
}

}  // namespace
}  // namespace skiff::kubectl
