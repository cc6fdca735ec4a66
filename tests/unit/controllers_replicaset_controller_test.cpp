// The ReplicaSet controller against the real API server in-process (memory store), driven one
// sync at a time (no worker threads): creation, naming, scale-down order, adoption and
// release, status, and a 409 becoming a retry.
#include <gtest/gtest.h>

#include <optional>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"
#include "server/apiserver/api_server.h"
#include "server/controllers/client.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"
#include "server/controllers/replicaset_controller.h"
#include "server/store/memory_store.h"

namespace skiff::controllers {
namespace {

// Passes requests through, but answers the next `conflicts` status writes with 409 Conflict,
// as the API does when someone else wrote the object since the controller read it, and, once
// `pod_creates_allowed` is set, refuses every pod create beyond that many (as a quota would).
class ConflictingClient : public Client {
 public:
  explicit ConflictingClient(Client& inner) : inner_(inner) {}
  Json request(std::string_view method, const std::string& path, const Json* body,
               std::string_view content_type = "application/json") override {
    if (conflicts > 0 && method == "PUT" && path.ends_with("/status")) {
      --conflicts;
      throw api::conflict_modified("replicasets.apps", "web");
    }
    if (pod_creates_allowed && method == "POST" && path.ends_with("/pods")) {
      if (*pod_creates_allowed == 0) throw api::ApiError(403, "Forbidden", "exceeded quota: pods");
      --*pod_creates_allowed;
    }
    return inner_.request(method, path, body, content_type);
  }
  int conflicts = 0;
  std::optional<int> pod_creates_allowed;

 private:
  Client& inner_;
};

class ReplicaSetControllerTest : public ::testing::Test {
 protected:
  ReplicaSetControllerTest()
      : api(store, apiserver::ApiServerOptions{.run_controllers = false}),
        inner([this](http::Request& r) { return api.handle(r); }),
        client(inner),
        events(client),
        replicasets(store, replicasets_resource()),
        pods(store, pods_resource()),
        controller(replicasets, pods, client, events, clock) {
    api.start();
    pods.add_index("controller", controller_uid_index);
    pods.add_index("orphans", orphan_namespace_index);
    replicasets.add_index("controller", controller_uid_index);
    replicasets.start();
    pods.start();
    events.start();
  }
  ~ReplicaSetControllerTest() override {
    events.stop();
    pods.stop();
    replicasets.stop();
    api.stop();
  }

  Json make_replicaset(int replicas) {
    Json rs = {{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"metadata", {{"name", "web"}, {"namespace", "default"}}},
               {"spec",
                {{"replicas", replicas},
                 {"selector", {{"matchLabels", {{"app", "web"}}}}},
                 {"template",
                  {{"metadata", {{"labels", {{"app", "web"}}}}},
                   {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
    return create(client, replicasets_resource(), rs);
  }
  // Runs syncs until the queue is empty.
  void settle() {
    for (int i = 0; i < 100 && controller.loop().process_one(); ++i) {
    }
  }
  std::vector<Json> live_pods() {
    std::vector<Json> out;
    for (const auto& pod : pods.list("default")) {
      if (!pod->at("metadata").contains("deletionTimestamp")) out.push_back(*pod);
    }
    return out;
  }
  void mark(const std::string& name, const std::string& node, bool ready) {
    Json patch = {{"status",
                   {{"phase", node.empty() ? "Pending" : "Running"},
                    {"conditions",
                     {{{"type", "Ready"},
                       {"status", ready ? "True" : "False"},
                       {"lastTransitionTime", api::now_rfc3339()}}}}}}};
    if (!node.empty()) {
      Json binding = {{"apiVersion", "v1"},
                      {"kind", "Binding"},
                      {"metadata", {{"name", name}}},
                      {"target", {{"kind", "Node"}, {"name", node}}}};
      client.request("POST", object_path(pods_resource(), "default", name, "binding"), &binding);
    }
    merge_patch(client, pods_resource(), "default", name, patch, "status");
  }

  store::MemoryStore store;
  apiserver::ApiServer api;
  InProcessClient inner;
  ConflictingClient client;
  EventRecorder events;
  FakeClock clock;
  Informer replicasets, pods;
  ReplicaSetController controller;
};

TEST_F(ReplicaSetControllerTest, CreatesNamedOwnedPodsAndReportsStatus) {
  Json rs = make_replicaset(3);
  settle();
  auto created = live_pods();
  ASSERT_EQ(created.size(), 3u);
  for (const auto& pod : created) {
    std::string name = pod["metadata"]["name"];
    EXPECT_EQ(name.size(), std::string("web-").size() + 5) << name;
    EXPECT_EQ(name.rfind("web-", 0), 0u);
    EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], rs["metadata"]["uid"]);
    EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["controller"], true);
    EXPECT_EQ(pod["metadata"]["labels"]["app"], "web");
  }
  auto status = replicasets.get("default/web")->at("status");
  EXPECT_EQ(status["replicas"], 3);
  EXPECT_EQ(status["readyReplicas"], 0);
  EXPECT_EQ(status["observedGeneration"], 1);
  // Two become ready: the status follows.
  mark(created[0]["metadata"]["name"], "n1", true);
  mark(created[1]["metadata"]["name"], "n1", true);
  settle();
  status = replicasets.get("default/web")->at("status");
  EXPECT_EQ(status["readyReplicas"], 2);
  EXPECT_EQ(status["availableReplicas"], 2);
  events.flush();
  auto listed = client.request("GET", "/api/v1/namespaces/default/events", nullptr);
  int creates = 0;
  for (const auto& event : listed["items"]) creates += event["reason"] == "SuccessfulCreate";
  EXPECT_EQ(creates, 3);
}

TEST_F(ReplicaSetControllerTest, ScaleDownDeletesUnscheduledThenNotReadyFirst) {
  make_replicaset(4);
  settle();
  auto created = live_pods();
  ASSERT_EQ(created.size(), 4u);
  std::string unscheduled = created[0]["metadata"]["name"];
  std::string not_ready = created[1]["metadata"]["name"];
  mark(not_ready, "n1", false);
  mark(created[2]["metadata"]["name"], "n1", true);
  mark(created[3]["metadata"]["name"], "n2", true);
  merge_patch(client, replicasets_resource(), "default", "web", {{"spec", {{"replicas", 2}}}});
  settle();
  std::set<std::string> left;
  for (const auto& pod : live_pods()) left.insert(pod["metadata"]["name"]);
  EXPECT_EQ(left.size(), 2u);
  EXPECT_FALSE(left.count(unscheduled));
  EXPECT_FALSE(left.count(not_ready));
}

TEST_F(ReplicaSetControllerTest, AdoptsMatchingOrphansAndReleasesRelabelledPods) {
  Json orphan = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "orphan"}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}},
      {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  create(client, pods_resource(), orphan);
  Json rs = make_replicaset(2);
  settle();
  ASSERT_EQ(live_pods().size(), 2u) << "the orphan counts as one of the two";
  auto adopted = pods.get("default/orphan");
  EXPECT_EQ(adopted->at("metadata")["ownerReferences"][0]["uid"], rs["metadata"]["uid"]);

  // Relabel it: released, and replaced.
  merge_patch(client, pods_resource(), "default", "orphan",
              {{"metadata", {{"labels", {{"app", "other"}}}}}});
  settle();
  auto released = pods.get("default/orphan");
  EXPECT_FALSE(released->at("metadata").contains("ownerReferences") &&
               !released->at("metadata")["ownerReferences"].empty());
  EXPECT_EQ(live_pods().size(), 3u) << "two owned + the released one";
}

TEST_F(ReplicaSetControllerTest, ARefusedCreateEndsTheBurstWithAnEventAndIsRetried) {
  client.pod_creates_allowed = 2;
  make_replicaset(10);
  ASSERT_TRUE(controller.loop().process_one());
  // Slow start: a batch of 1, then one of 2 whose second create is refused; no batch after it.
  EXPECT_EQ(live_pods().size(), 2u);
  events.flush();
  auto listed = client.request("GET", "/api/v1/namespaces/default/events", nullptr);
  std::vector<std::string> failures;
  for (const auto& event : listed["items"]) {
    if (event["reason"] == "FailedCreate") failures.push_back(event["message"]);
  }
  ASSERT_EQ(failures.size(), 1u) << listed.dump(2);
  EXPECT_EQ(failures[0], "Error creating: exceeded quota: pods");
  EXPECT_GE(controller.loop().queue().num_requeues("default/web"), 1) << "retried with backoff";

  client.pod_creates_allowed.reset();
  clock.advance(std::chrono::seconds(1));
  settle();
  EXPECT_EQ(live_pods().size(), 10u);
  EXPECT_EQ(replicasets.get("default/web")->at("status")["replicas"], 10);
}

TEST_F(ReplicaSetControllerTest, ConflictIsRetriedWithBackoff) {
  // Two conflicts: the first sync's status write (its pod creations requeue the key at once)
  // and the second one's; then the key waits for its backoff.
  client.conflicts = 2;
  make_replicaset(2);
  settle();
  EXPECT_EQ(live_pods().size(), 2u);
  EXPECT_EQ(controller.loop().queue().num_requeues("default/web"), 2);
  EXPECT_FALSE(replicasets.get("default/web")->contains("status") &&
               replicasets.get("default/web")->at("status").contains("replicas"));
  clock.advance(std::chrono::seconds(1));
  settle();
  EXPECT_EQ(replicasets.get("default/web")->at("status")["replicas"], 2) << "written on retry";
  EXPECT_EQ(controller.loop().queue().num_requeues("default/web"), 0) << "backoff reset";
  EXPECT_EQ(live_pods().size(), 2u) << "and no pod was created twice";
}

}  // namespace
}  // namespace skiff::controllers
