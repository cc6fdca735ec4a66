// `skiff kubectl` scale, set image, rollout (status, history, undo, restart, pause, resume),
// cordon, uncordon, drain and get events against a real `skiff server`, each compared with
// what the real kubectl (/usr/bin/kubectl v1.32) prints for the same step where the step can
// be repeated.
//
// The tests hold with and without the server's controllers running: the history they read is
// made of ReplicaSets created by hand (with the controller ownerReference and the revision
// annotation) on paused Deployments, which a Deployment controller leaves alone, and the
// rollout they watch is finished by scaling to zero, which both a controller and a hand-written
// status bring to "successfully rolled out".
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include "pkg/api/json.h"
#include "pkg/api/time.h"
#include "tests/integration/support/streaming_command.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

bool have_real_kubectl() {
  return access("/usr/bin/kubectl", X_OK) == 0;
}

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

class KubectlWorkloads : public ::testing::Test {
 protected:
  static TestServer& server() {
    static TestServer instance;
    return instance;
  }

  static CommandResult skiff(const std::vector<std::string>& args) {
    return server().skiff_kubectl(args);
  }

  // Runs `args` with both clients; a changing cluster (a controller at work) may make two runs
  // differ, so a difference is retried a few times before it counts.
  static void expect_same_output(const std::vector<std::string>& args) {
    if (!have_real_kubectl()) return;
    CommandResult mine, real;
    for (int attempt = 0; attempt < 5; ++attempt) {
      mine = server().skiff_kubectl(args);
      real = server().kubectl(args);
      if (mine.out == real.out && mine.err == real.err && mine.exit_code == real.exit_code) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::string command;
    for (const auto& a : args) command += " " + a;
    EXPECT_EQ(mine.out, real.out) << "stdout of" << command;
    EXPECT_EQ(mine.err, real.err) << "stderr of" << command;
    EXPECT_EQ(mine.exit_code, real.exit_code) << "exit code of" << command;
  }

  static Json api(const std::string& method, const std::string& path, const Json& body = nullptr,
                  const std::string& content_type = "application/json") {
    auto result = http(method, server().url() + path, body.is_null() ? "" : body.dump(),
                       {"Content-Type: " + content_type, "Accept: application/json"});
    EXPECT_LT(result.status, 300) << method << " " << path << ": " << result.body;
    return Json::parse(result.body, nullptr, false);
  }

  static Json deployment_manifest(const std::string& name, int replicas, const std::string& image,
                                  bool paused) {
    Json d = {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", name}}},
              {"spec",
               {{"replicas", replicas},
                {"selector", {{"matchLabels", {{"app", name}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", name}}}}},
                  {"spec", {{"containers", {{{"name", "web"}, {"image", image}}}}}}}}}}};
    if (paused) d["spec"]["paused"] = true;
    return d;
  }

  static Json create_deployment(const std::string& name, int replicas, const std::string& image,
                                bool paused) {
    return api("POST", "/apis/apps/v1/namespaces/default/deployments",
               deployment_manifest(name, replicas, image, paused));
  }

  // A ReplicaSet as a Deployment controller leaves it: owned (controller reference), with the
  // pod-template-hash label and the revision annotation.
  static void create_replicaset(const Json& deployment, const std::string& hash, int revision,
                                const std::string& image, const std::string& change_cause = "") {
    const std::string name = deployment["metadata"]["name"];
    Json labels = {{"app", name}, {"pod-template-hash", hash}};
    Json rs = {{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"metadata",
                {{"name", name + "-" + hash},
                 {"labels", labels},
                 {"annotations", {{"deployment.kubernetes.io/revision", std::to_string(revision)}}},
                 {"ownerReferences",
                  {{{"apiVersion", "apps/v1"},
                    {"kind", "Deployment"},
                    {"name", name},
                    {"uid", deployment["metadata"]["uid"]},
                    {"controller", true},
                    {"blockOwnerDeletion", true}}}}}},
               {"spec",
                {{"replicas", 0},
                 {"selector", {{"matchLabels", labels}}},
                 {"template",
                  {{"metadata", {{"labels", labels}}},
                   {"spec", {{"containers", {{{"name", "web"}, {"image", image}}}}}}}}}}};
    if (!change_cause.empty())
      rs["metadata"]["annotations"]["kubernetes.io/change-cause"] = change_cause;
    api("POST", "/apis/apps/v1/namespaces/default/replicasets", rs);
  }

  static Json get_deployment(const std::string& name) {
    return api("GET", "/apis/apps/v1/namespaces/default/deployments/" + name);
  }

  static void create_node(const std::string& name) {
    api("POST", "/api/v1/nodes",
        {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}});
  }

  static void create_pod(const std::string& name, const std::string& node, bool controlled,
                         const Json& finalizers = nullptr) {
    Json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}}},
        {"spec", {{"nodeName", node}, {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    if (controlled)
      pod["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                             {"kind", "ReplicaSet"},
                                             {"name", "some-rs"},
                                             {"uid", "0000-rs"},
                                             {"controller", true}}};
    if (!finalizers.is_null()) pod["metadata"]["finalizers"] = finalizers;
    api("POST", "/api/v1/namespaces/default/pods", pod);
  }

  static bool unschedulable(const std::string& node) {
    Json object = api("GET", "/api/v1/nodes/" + node);
    return object.contains("spec") && object["spec"].is_object() &&
           object["spec"].value("unschedulable", false);
  }

  static bool pod_exists(const std::string& name) {
    return http("GET", server().url() + "/api/v1/namespaces/default/pods/" + name).status == 200;
  }
};

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

// --- scale ---

TEST_F(KubectlWorkloads, ScaleSetsReplicasThroughTheScaleSubresource) {
  create_deployment("sc", 2, "nginx:1", true);
  auto scaled = skiff({"scale", "deployment", "sc", "--replicas=3"});
  EXPECT_OK(scaled);
  EXPECT_EQ(scaled.out, "deployment.apps/sc scaled\n");
  EXPECT_EQ(get_deployment("sc")["spec"]["replicas"], 3);

  auto precondition = skiff({"scale", "deployment/sc", "--current-replicas=3", "--replicas=4"});
  EXPECT_OK(precondition);
  EXPECT_EQ(get_deployment("sc")["spec"]["replicas"], 4);

  auto name_only = skiff({"scale", "deploy/sc", "--replicas=4", "-o", "name"});
  EXPECT_EQ(name_only.out, "deployment.apps/sc\n");

  if (have_real_kubectl()) {
    auto real = server().kubectl({"scale", "deployment", "sc", "--replicas=5"});
    EXPECT_EQ(real.out, "deployment.apps/sc scaled\n");
  }
  expect_same_output({"scale", "deployment/sc", "--current-replicas=2", "--replicas=6"});
  expect_same_output({"scale", "deployment/nope", "--replicas=2"});
  expect_same_output({"scale", "deployment/nope", "deployment/nope2", "--replicas=2"});
  expect_same_output({"scale", "deployment", "sc", "--replicas=-1"});
  expect_same_output({"scale", "deployment", "--replicas=2"});
  expect_same_output({"scale", "--replicas=2"});
  expect_same_output({"scale", "deployment/sc", "--replicas=7", "--dry-run=server"});
  EXPECT_EQ(get_deployment("sc")["spec"]["replicas"], 5);

  auto missing_flag = skiff({"scale", "deployment/sc"});
  EXPECT_EQ(missing_flag.exit_code, 1);
  EXPECT_EQ(missing_flag.err, "error: required flag(s) \"replicas\" not set\n");
}

TEST_F(KubectlWorkloads, ScaleReplicaSet) {
  // A ReplicaSet of its own (no Deployment selects it, so no Deployment controller resizes it).
  Json labels = {{"app", "lone"}};
  api("POST", "/apis/apps/v1/namespaces/default/replicasets",
      {{"apiVersion", "apps/v1"},
       {"kind", "ReplicaSet"},
       {"metadata", {{"name", "lone"}, {"labels", labels}}},
       {"spec",
        {{"replicas", 0},
         {"selector", {{"matchLabels", labels}}},
         {"template",
          {{"metadata", {{"labels", labels}}},
           {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}});
  auto scaled = skiff({"scale", "rs", "lone", "--replicas=2"});
  EXPECT_OK(scaled);
  EXPECT_EQ(scaled.out, "replicaset.apps/lone scaled\n");
  EXPECT_EQ(api("GET", "/apis/apps/v1/namespaces/default/replicasets/lone")["spec"]["replicas"], 2);
}

// --- set image ---

TEST_F(KubectlWorkloads, SetImage) {
  create_deployment("si", 1, "nginx:1", true);
  auto updated = skiff({"set", "image", "deployment/si", "web=nginx:2"});
  EXPECT_OK(updated);
  EXPECT_EQ(updated.out, "deployment.apps/si image updated\n");
  EXPECT_EQ(get_deployment("si")["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:2");

  // The same image again changes nothing and prints nothing, as kubectl does.
  expect_same_output({"set", "image", "deployment/si", "web=nginx:2"});
  auto again = skiff({"set", "image", "deployment/si", "web=nginx:2"});
  EXPECT_OK(again);
  EXPECT_EQ(again.out, "");

  auto wildcard = skiff({"set", "image", "deployment", "si", "*=nginx:3"});
  EXPECT_EQ(wildcard.out, "deployment.apps/si image updated\n");
  EXPECT_EQ(get_deployment("si")["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:3");

  if (have_real_kubectl()) {
    auto real = server().kubectl({"set", "image", "deployment/si", "web=nginx:4"});
    EXPECT_EQ(real.out, "deployment.apps/si image updated\n");
  }
  expect_same_output({"set", "image", "deployment/si", "nope=x:1"});
  expect_same_output({"set", "image", "deployment/si"});
  expect_same_output({"set", "image", "web=x:1"});
  expect_same_output({"set", "image", "deployment/nope", "web=x:1"});
}

// --- rollout restart, pause, resume ---

TEST_F(KubectlWorkloads, RolloutRestartPauseResume) {
  create_deployment("rr", 1, "nginx:1", false);
  auto restarted = skiff({"rollout", "restart", "deployment/rr"});
  EXPECT_OK(restarted);
  EXPECT_EQ(restarted.out, "deployment.apps/rr restarted\n");
  Json annotations = get_deployment("rr")["spec"]["template"]["metadata"]["annotations"];
  ASSERT_TRUE(annotations.contains("kubectl.kubernetes.io/restartedAt")) << annotations;
  EXPECT_TRUE(
      api::parse_rfc3339(annotations["kubectl.kubernetes.io/restartedAt"].get<std::string>()))
      << annotations;

  auto paused = skiff({"rollout", "pause", "deployment/rr"});
  EXPECT_EQ(paused.out, "deployment.apps/rr paused\n");
  EXPECT_EQ(get_deployment("rr")["spec"]["paused"], true);
  expect_same_output({"rollout", "pause", "deployment/rr"});
  expect_same_output({"rollout", "restart", "deployment/rr"});
  expect_same_output({"rollout", "undo", "deployment/rr"});

  auto resumed = skiff({"rollout", "resume", "deploy/rr"});
  EXPECT_EQ(resumed.out, "deployment.apps/rr resumed\n");
  EXPECT_FALSE(get_deployment("rr")["spec"].value("paused", false));
  expect_same_output({"rollout", "resume", "deployment/rr"});

  expect_same_output({"rollout", "restart", "deployment/nope", "deployment/nope2"});
  expect_same_output({"rollout", "restart"});
  expect_same_output({"rollout", "restart", "--dry-run=client", "deployment/rr"});
  expect_same_output({"rollout", "nonsense"});
}

// --- rollout history and undo ---

TEST_F(KubectlWorkloads, RolloutHistory) {
  Json d = create_deployment("hist", 2, "nginx:3", true);
  create_replicaset(d, "11111", 1, "nginx:1");
  create_replicaset(d, "22222", 2, "nginx:2", "kubectl set image deployment/hist web=nginx:2");
  create_replicaset(d, "33333", 3, "nginx:3");
  // Selected by the Deployment's selector but controlled by another owner: not its history.
  Json stray_labels = {{"app", "hist"}, {"pod-template-hash", "99999"}};
  api("POST", "/apis/apps/v1/namespaces/default/replicasets",
      {{"apiVersion", "apps/v1"},
       {"kind", "ReplicaSet"},
       {"metadata",
        {{"name", "hist-stray"},
         {"labels", stray_labels},
         {"annotations", {{"deployment.kubernetes.io/revision", "9"}}},
         {"ownerReferences",
          {{{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"name", "someone-else"},
            {"uid", "0000-other"},
            {"controller", true}}}}}},
       {"spec",
        {{"replicas", 0},
         {"selector", {{"matchLabels", stray_labels}}},
         {"template",
          {{"metadata", {{"labels", stray_labels}}},
           {"spec", {{"containers", {{{"name", "web"}, {"image", "x"}}}}}}}}}}});

  auto history = skiff({"rollout", "history", "deployment/hist"});
  EXPECT_OK(history);
  EXPECT_EQ(history.out,
            "deployment.apps/hist \n"
            "REVISION  CHANGE-CAUSE\n"
            "1         <none>\n"
            "2         kubectl set image deployment/hist web=nginx:2\n"
            "3         <none>\n\n");
  auto one = skiff({"rollout", "history", "deployment/hist", "--revision=1"});
  EXPECT_OK(one);
  EXPECT_EQ(one.out.rfind("deployment.apps/hist with revision #1\nPod Template:\n", 0), 0u)
      << one.out;
  EXPECT_NE(one.out.find("    Image:\tnginx:1\n"), std::string::npos) << one.out;

  expect_same_output({"rollout", "history", "deployment/hist"});
  expect_same_output({"rollout", "history", "deployment/hist", "--revision=2"});
  expect_same_output({"rollout", "history", "deployment/hist", "--revision=7"});
  expect_same_output({"rollout", "history", "deployment/hist", "--revision=-1"});
  expect_same_output({"rollout", "history", "rs/hist-11111"});
  expect_same_output({"rollout", "history", "deployment/nope"});

  create_deployment("nohist", 1, "nginx:1", true);
  auto none = skiff({"rollout", "history", "deployment/nohist"});
  EXPECT_EQ(none.out, "deployment.apps/nohist \nNo rollout history found.\n");
  expect_same_output({"rollout", "history", "deployment/nohist"});
  expect_same_output({"rollout", "history", "deployment/nohist", "--revision=1"});
  expect_same_output({"rollout", "undo", "deployment/nohist"});
}

TEST_F(KubectlWorkloads, RolloutUndo) {
  // The revision annotation a Deployment controller keeps on the Deployment (kubectl's undo
  // patch replaces /metadata/annotations, which must exist).
  Json manifest = deployment_manifest("undo", 1, "nginx:2", true);
  manifest["metadata"]["annotations"] = {{"deployment.kubernetes.io/revision", "2"}};
  Json d = api("POST", "/apis/apps/v1/namespaces/default/deployments", manifest);
  create_replicaset(d, "11111", 1, "nginx:1");
  create_replicaset(d, "22222", 2, "nginx:2");
  // Refused while paused, with kubectl's words.
  expect_same_output({"rollout", "undo", "deployment/undo"});
  EXPECT_OK(skiff({"rollout", "resume", "deployment/undo"}));

  expect_same_output({"rollout", "undo", "deployment/undo", "--to-revision=2"});
  auto skipped = skiff({"rollout", "undo", "deployment/undo", "--to-revision=2"});
  EXPECT_EQ(skipped.out,
            "deployment.apps/undo skipped rollback (current template already matches revision "
            "2)\n");
  expect_same_output({"rollout", "undo", "deployment/undo", "--to-revision=9"});
  expect_same_output({"rollout", "undo", "rs/undo-11111"});

  auto undone = skiff({"rollout", "undo", "deployment/undo"});
  EXPECT_OK(undone);
  EXPECT_EQ(undone.out, "deployment.apps/undo rolled back\n");
  Json template_now = get_deployment("undo")["spec"]["template"];
  EXPECT_EQ(template_now["spec"]["containers"][0]["image"], "nginx:1");
  EXPECT_FALSE(template_now["metadata"]["labels"].contains("pod-template-hash")) << template_now;

  // Revision 2 is still in the history (a controller renumbers only the ReplicaSet it brings
  // back): the real kubectl rolls back to it the same way.
  if (have_real_kubectl()) {
    auto real = server().kubectl({"rollout", "undo", "deployment/undo", "--to-revision=2"});
    EXPECT_EQ(real.out, "deployment.apps/undo rolled back\n") << real.err;
    EXPECT_EQ(get_deployment("undo")["spec"]["template"]["spec"]["containers"][0]["image"],
              "nginx:2");
  }
}

// --- rollout status ---

TEST_F(KubectlWorkloads, RolloutStatusWatchesUntilTheRolloutIsDone) {
  create_deployment("st", 1, "nginx:1", false);
  std::vector<std::unique_ptr<StreamingCommand>> watchers;
  TempDir cache;
  watchers.push_back(std::make_unique<StreamingCommand>(
      std::vector<std::string>{SKIFF_BINARY, "kubectl", "--kubeconfig", server().kubeconfig(),
                               "rollout", "status", "deployment/st", "--timeout=90s"}));
  if (have_real_kubectl())
    watchers.push_back(std::make_unique<StreamingCommand>(
        std::vector<std::string>{"/usr/bin/kubectl", "--kubeconfig", server().kubeconfig(),
                                 "--cache-dir", cache.path(), "rollout", "status", "deployment/st",
                                 "--timeout=90s"},
        std::vector<std::string>{"HOME=" + cache.path()}));
  // A pod that no node runs never becomes available: the rollout waits.
  for (auto& watcher : watchers) {
    auto first = watcher->read_line(std::chrono::seconds(30));
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->rfind("Waiting for deployment ", 0), 0u) << *first;
  }
  // Scaling to zero finishes the rollout: a Deployment controller reports it, and without one
  // the test writes the status the controller would.
  EXPECT_OK(skiff({"scale", "deployment/st", "--replicas=0"}));
  for (int attempt = 0; attempt < 10; ++attempt) {
    Json d = get_deployment("st");
    d["status"] = {{"observedGeneration", d["metadata"]["generation"]},
                   {"replicas", 0},
                   {"updatedReplicas", 0},
                   {"readyReplicas", 0},
                   {"availableReplicas", 0}};
    auto put =
        http("PUT", server().url() + "/apis/apps/v1/namespaces/default/deployments/st/status",
             d.dump(), {"Content-Type: application/json"});
    if (put.status == 200) break;
    ASSERT_EQ(put.status, 409) << put.body;
  }
  for (auto& watcher : watchers) {
    std::vector<std::string> lines;
    std::string err;
    int code = watcher->finish(std::chrono::seconds(60), lines, err);
    EXPECT_EQ(code, 0) << err;
    ASSERT_FALSE(lines.empty()) << err;
    EXPECT_EQ(lines.back(), "deployment \"st\" successfully rolled out");
  }
}

TEST_F(KubectlWorkloads, RolloutStatusOnceTimeoutAndErrors) {
  create_deployment("st2", 1, "nginx:1", false);
  auto once = skiff({"rollout", "status", "deployment/st2", "--watch=false"});
  EXPECT_OK(once);
  EXPECT_EQ(once.out.rfind("Waiting for deployment ", 0), 0u) << once.out;
  EXPECT_EQ(std::count(once.out.begin(), once.out.end(), '\n'), 1) << once.out;
  expect_same_output({"rollout", "status", "deployment/st2", "--watch=false"});

  auto timed_out = skiff({"rollout", "status", "deployment/st2", "--timeout=1s"});
  EXPECT_EQ(timed_out.exit_code, 1);
  EXPECT_EQ(timed_out.err, "error: timed out waiting for the condition\n");
  if (have_real_kubectl()) {
    auto real = server().kubectl({"rollout", "status", "deployment/st2", "--timeout=1s"});
    EXPECT_EQ(real.err, timed_out.err);
    EXPECT_EQ(real.exit_code, 1);
  }
  expect_same_output({"rollout", "status", "deployment/nope"});
  expect_same_output({"rollout", "status", "deployment/st2", "--revision=-1"});
  Json d = create_deployment("st3", 0, "nginx:1", true);
  create_replicaset(d, "aaaaa", 1, "nginx:1");
  expect_same_output({"rollout", "status", "rs/st3-aaaaa"});
}

// --- nodes ---

TEST_F(KubectlWorkloads, CordonAndUncordon) {
  create_node("cn1");
  create_node("cn2");
  auto cordoned = skiff({"cordon", "cn1"});
  EXPECT_OK(cordoned);
  EXPECT_EQ(cordoned.out, "node/cn1 cordoned\n");
  EXPECT_TRUE(unschedulable("cn1"));
  expect_same_output({"cordon", "cn1"});
  expect_same_output({"cordon", "cn1", "cn2", "--dry-run=server"});
  EXPECT_FALSE(unschedulable("cn2"));

  auto uncordoned = skiff({"uncordon", "node/cn1"});
  EXPECT_EQ(uncordoned.out, "node/cn1 uncordoned\n");
  EXPECT_FALSE(unschedulable("cn1"));
  expect_same_output({"uncordon", "cn1"});
  expect_same_output({"cordon"});
  expect_same_output({"cordon", "nope", "nope2"});
}

TEST_F(KubectlWorkloads, DrainRefusesUncontrolledPodsThenEvictsWithForce) {
  for (const std::string node : {"dn1", "dn2"}) {
    create_node(node);
    create_pod("bare-" + node, node, false);
    create_pod("owned-" + node, node, true);
  }
  // Refused without --force: the node is cordoned, nothing is evicted.
  auto refused = skiff({"drain", "dn1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out, "node/dn1 cordoned\n");
  EXPECT_EQ(refused.err,
            "error: unable to drain node \"dn1\" due to error: cannot delete cannot delete Pods "
            "that declare no controller (use --force to override): default/bare-dn1, continuing "
            "command...\n"
            "There are pending nodes to be drained:\n"
            " dn1\n"
            "cannot delete cannot delete Pods that declare no controller (use --force to "
            "override): default/bare-dn1\n");
  EXPECT_TRUE(pod_exists("bare-dn1"));
  EXPECT_TRUE(pod_exists("owned-dn1"));
  expect_same_output({"drain", "dn1"});
  expect_same_output({"drain", "dn2", "--dry-run=client"});

  auto drained = skiff({"drain", "dn1", "--force", "--grace-period=0", "--timeout=60s"});
  EXPECT_OK(drained);
  EXPECT_EQ(sorted_lines(drained.out), sorted_lines("node/dn1 already cordoned\n"
                                                    "evicting pod default/bare-dn1\n"
                                                    "evicting pod default/owned-dn1\n"
                                                    "pod/bare-dn1 evicted\n"
                                                    "pod/owned-dn1 evicted\n"
                                                    "node/dn1 drained\n"));
  EXPECT_EQ(drained.err, "Warning: deleting Pods that declare no controller: default/bare-dn1\n");
  EXPECT_FALSE(pod_exists("bare-dn1"));
  EXPECT_FALSE(pod_exists("owned-dn1"));

  // The real kubectl drains the other node the same way (its eviction order varies).
  if (have_real_kubectl()) {
    auto real = server().kubectl({"drain", "dn2", "--force", "--grace-period=0", "--timeout=60s"});
    EXPECT_EQ(real.exit_code, 0) << real.err;
    EXPECT_EQ(sorted_lines(real.out), sorted_lines("node/dn2 cordoned\n"
                                                   "evicting pod default/bare-dn2\n"
                                                   "evicting pod default/owned-dn2\n"
                                                   "pod/bare-dn2 evicted\n"
                                                   "pod/owned-dn2 evicted\n"
                                                   "node/dn2 drained\n"));
    EXPECT_EQ(real.err, "Warning: deleting Pods that declare no controller: default/bare-dn2\n");
  }
  expect_same_output({"drain", "dn1"});  // nothing left: "already cordoned", "drained"
  expect_same_output({"drain", "nope"});
  expect_same_output({"drain"});
}

TEST_F(KubectlWorkloads, DrainGivesUpAfterTheTimeout) {
  create_node("dn3");
  // A finalizer nobody removes keeps the evicted pod terminating.
  create_pod("held", "dn3", true, Json::array({"example.com/hold"}));
  const auto started = Clock::now();
  auto stuck = skiff({"drain", "dn3", "--timeout=2s"});
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(20));
  EXPECT_EQ(stuck.exit_code, 1);
  EXPECT_EQ(stuck.out, "node/dn3 cordoned\nevicting pod default/held\n");
  const std::string waited =
      "error when waiting for pod \"held\" in namespace \"default\" to terminate: context "
      "deadline exceeded";
  EXPECT_EQ(stuck.err, "There are pending pods in node \"dn3\" when an error occurred: " + waited +
                           "\npod/held\n"
                           "error: unable to drain node \"dn3\" due to error: " +
                           waited +
                           ", continuing command...\n"
                           "There are pending nodes to be drained:\n"
                           " dn3\n" +
                           waited + "\n");
  expect_same_output({"drain", "dn3", "--timeout=2s"});
}

// --- events ---

TEST_F(KubectlWorkloads, GetEvents) {
  api("POST", "/api/v1/namespaces",
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "evns"}}}});
  const std::string hour_ago = api::format_rfc3339(api::Clock::now() - std::chrono::hours(1));
  auto event = [&](const std::string& name, const std::string& type, const std::string& reason,
                   const std::string& kind, const std::string& object, const std::string& message) {
    api("POST", "/api/v1/namespaces/evns/events",
        {{"apiVersion", "v1"},
         {"kind", "Event"},
         {"metadata", {{"name", name}, {"namespace", "evns"}}},
         {"involvedObject", {{"kind", kind}, {"name", object}, {"namespace", "evns"}}},
         {"reason", reason},
         {"message", message},
         {"type", type},
         {"count", 1},
         {"firstTimestamp", hour_ago},
         {"lastTimestamp", hour_ago},
         {"source", {{"component", "test"}}}});
  };
  event("e1", "Normal", "Scheduled", "Pod", "web-1", "Successfully assigned evns/web-1 to n1");
  event("e2", "Warning", "FailedScheduling", "Pod", "web-2",
        "0/2 nodes are available: 2 node(s) were unschedulable.");
  auto events = skiff({"get", "events", "-n", "evns"});
  EXPECT_OK(events);
  EXPECT_EQ(events.out,
            "LAST SEEN   TYPE      REASON             OBJECT      MESSAGE\n"
            "60m         Normal    Scheduled          pod/web-1   Successfully assigned evns/web-1 "
            "to n1\n"
            "60m         Warning   FailedScheduling   pod/web-2   0/2 nodes are available: 2 "
            "node(s) were unschedulable.\n");
  expect_same_output({"get", "events", "-n", "evns"});
  expect_same_output({"get", "ev", "-n", "evns", "-o", "wide"});

  auto all = skiff({"get", "events", "-A"});
  EXPECT_OK(all);
  EXPECT_EQ(all.out.rfind("NAMESPACE", 0), 0u) << all.out;
  EXPECT_NE(all.out.find("LAST SEEN   TYPE"), std::string::npos) << all.out;
  // Other namespaces may hold events of the server's controllers; ours are there, prefixed.
  int ours = 0;
  for (const auto& line : sorted_lines(all.out))
    if (line.rfind("evns ", 0) == 0 && (line.find(" Scheduled ") != std::string::npos ||
                                        line.find(" FailedScheduling ") != std::string::npos))
      ++ours;
  EXPECT_EQ(ours, 2) << all.out;
}

}  // namespace
}  // namespace skiff::testing
