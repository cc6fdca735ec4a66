// The node service against the real API server in-process (memory store): registration, lease
// renewal, pod status, deletion confirmation, and errors an agent must be able to tell apart.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pkg/api/time.h"
#include "server/nodeservice/node_service.h"
#include "tests/unit/support/nodeservice_fixture.h"

namespace skiff::nodeservice {
namespace {

using namespace testing;
using controllers::leases_resource;
using controllers::nodes_resource;

class NodeServiceTest : public ApiFixture {
 protected:
  NodeServiceTest() : service(store, client, NodeServiceOptions{40s, {}}) {}

  Json register_node(const std::string& ready = "True",
                     std::map<std::string, std::string> labels = {}) {
    return service.register_node({"n1", std::move(labels), agent_node_status(ready)});
  }
  Json node() { return get("/api/v1/nodes/n1"); }
  Json lease() { return get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1"); }
  static Json ready_condition(const Json& node) {
    for (const auto& condition : node["status"]["conditions"]) {
      if (condition["type"] == "Ready") return condition;
    }
    return nullptr;
  }
  // Sets the stored Ready condition as the node lifecycle controller would.
  void set_ready(const std::string& status, const std::string& transition) {
    Json updated = node();
    for (auto& condition : updated["status"]["conditions"]) {
      if (condition["type"] == "Ready") {
        condition["status"] = status;
        condition["lastTransitionTime"] = transition;
      }
    }
    controllers::update_status(client, nodes_resource(), updated);
  }
  static int code_of(const std::function<void()>& call) {
    try {
      call();
    } catch (const api::ApiError& error) {
      return error.code();
    }
    return 0;
  }

  NodeService service;
};

TEST_F(NodeServiceTest, RegisterCreatesTheNodeAndItsLease) {
  Json created = register_node("True", {{"zone", "attic"}});
  Json stored = node();
  EXPECT_EQ(stored["metadata"]["uid"], created["metadata"]["uid"]);
  const Json& labels = stored["metadata"]["labels"];
  EXPECT_EQ(labels["kubernetes.io/hostname"], "n1");
  EXPECT_EQ(labels["kubernetes.io/os"], "linux");
  EXPECT_EQ(labels["kubernetes.io/arch"], "arm64");
  EXPECT_EQ(labels["zone"], "attic");
  EXPECT_EQ(stored["status"]["capacity"]["pods"], "110");
  EXPECT_EQ(stored["status"]["nodeInfo"]["kernelVersion"], "6.1.0");
  Json ready = ready_condition(stored);
  EXPECT_EQ(ready["status"], "True");
  EXPECT_TRUE(api::parse_rfc3339(ready.value("lastHeartbeatTime", "")));
  EXPECT_TRUE(api::parse_rfc3339(ready.value("lastTransitionTime", "")));

  Json lease_object = lease();
  EXPECT_EQ(lease_object["spec"]["holderIdentity"], "n1");
  EXPECT_EQ(lease_object["spec"]["leaseDurationSeconds"], 40);
  EXPECT_NE(lease_object["spec"].value("renewTime", "").find('.'), std::string::npos)
      << "renewTime is a MicroTime: " << lease_object["spec"];
  const Json& owner = lease_object["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "Node");
  EXPECT_EQ(owner["uid"], stored["metadata"]["uid"]);
}

TEST_F(NodeServiceTest, RegisterAgainKeepsSpecForeignLabelsAndUnchangedTransitions) {
  register_node();
  const Json label_patch = {{"metadata", {{"labels", {{"team", "infra"}}}}}};
  controllers::merge_patch(client, nodes_resource(), "", "n1", label_patch);
  controllers::merge_patch(client, nodes_resource(), "", "n1",
                           {{"spec", {{"unschedulable", true}}}});
  set_ready("True", "2020-01-01T00:00:00Z");

  register_node("True");
  Json stored = node();
  EXPECT_EQ(stored["metadata"]["labels"]["team"], "infra");
  EXPECT_EQ(stored["spec"]["unschedulable"], true);
  EXPECT_EQ(ready_condition(stored)["lastTransitionTime"], "2020-01-01T00:00:00Z");

  register_node("False");  // the agent's runtime went away
  stored = node();
  EXPECT_EQ(ready_condition(stored)["status"], "False");
  EXPECT_NE(ready_condition(stored)["lastTransitionTime"], "2020-01-01T00:00:00Z");
}

TEST_F(NodeServiceTest, RegisterRefusesBadInput) {
  EXPECT_EQ(code_of([&] { service.register_node({"Not_A_Name", {}, agent_node_status()}); }), 400);
  EXPECT_EQ(code_of([&] { service.register_node({"", {}, agent_node_status()}); }), 400);
  EXPECT_EQ(code_of([&] { service.register_node({"n1", {}, Json::array()}); }), 400);
  EXPECT_FALSE(store.get(nodes_resource().key("", "n1")));
}

TEST_F(NodeServiceTest, RenewMovesOnlyTheRenewTime) {
  register_node();
  Json before = lease();
  std::this_thread::sleep_for(2ms);  // MicroTime: two renewals a moment apart differ
  service.renew_lease("n1");
  Json after = lease();
  EXPECT_NE(after["spec"]["renewTime"], before["spec"]["renewTime"]);
  Json before_spec = before["spec"], after_spec = after["spec"];
  before_spec.erase("renewTime");
  after_spec.erase("renewTime");
  EXPECT_EQ(before_spec, after_spec);
  EXPECT_EQ(after["metadata"]["ownerReferences"], before["metadata"]["ownerReferences"]);
}

TEST_F(NodeServiceTest, RenewRecreatesADeletedLeaseButNotADeletedNode) {
  register_node();
  controllers::remove(client, leases_resource(), kLeaseNamespace, "n1");
  service.renew_lease("n1");
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "n1");

  controllers::remove(client, leases_resource(), kLeaseNamespace, "n1");
  controllers::remove(client, nodes_resource(), "", "n1");
  EXPECT_EQ(code_of([&] { service.renew_lease("n1"); }), 404);
}

TEST_F(NodeServiceTest, RenewRestoresReadyAfterTheNodeControllerMarkedItUnknown) {
  register_node();
  set_ready("Unknown", "2020-01-01T00:00:00Z");
  service.renew_lease("n1");
  Json ready = ready_condition(node());
  EXPECT_EQ(ready["status"], "True");
  EXPECT_NE(ready["lastTransitionTime"], "2020-01-01T00:00:00Z");
}

TEST_F(NodeServiceTest, ReportPodStatusWritesStatusAndKeepsOthersConditions) {
  register_node();
  Json created = create_pod("web", "n1");
  const std::string uid = created["metadata"]["uid"];
  controllers::merge_patch(
      client, pods_resource(), "default", "web",
      {{"status", {{"conditions", {{{"type", "PodScheduled"}, {"status", "True"}}}}}}}, "status");
  Json status = {{"phase", "Running"},
                 {"podIP", "10.42.0.5"},
                 {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  service.report_pod_status("n1", {"default", "web", uid}, status);
  Json stored = pod("web")["status"];
  EXPECT_EQ(stored["phase"], "Running");
  EXPECT_EQ(stored["podIP"], "10.42.0.5");
  std::set<std::string> types;
  for (const auto& condition : stored["conditions"]) types.insert(condition["type"]);
  EXPECT_EQ(types, (std::set<std::string>{"PodScheduled", "Ready"}));
}

TEST_F(NodeServiceTest, ReportPodStatusRefusesOtherNodesPodsReplacedPodsAndBadInput) {
  register_node();
  Json created = create_pod("web", "n2");
  const std::string uid = created["metadata"]["uid"];
  const Json status = {{"phase", "Running"}};
  EXPECT_EQ(code_of([&] {
              service.report_pod_status("n1", {"default", "web", uid}, status);
            }),
            403);
  EXPECT_EQ(code_of([&] {
              service.report_pod_status("n2", {"default", "web", "other"}, status);
            }),
            409);
  EXPECT_EQ(code_of([&] {
              service.report_pod_status("n2", {"default", "gone", ""}, status);
            }),
            404);
  EXPECT_EQ(code_of([&] { service.report_pod_status("n2", {"default", "web", uid}, "x"); }), 400);
  EXPECT_NE(pod("web").value("status", Json::object()).value("phase", ""), "Running");
}

TEST_F(NodeServiceTest, ConfirmDeletionRemovesOnlyAPodMarkedForDeletion) {
  register_node();
  Json created = create_pod("web", "n1");
  const PodRef ref{"default", "web", created["metadata"]["uid"]};
  EXPECT_EQ(code_of([&] { service.confirm_pod_deleted("n1", ref); }), 409);
  EXPECT_TRUE(pod_exists("web"));

  delete_pod("web");  // a bound pod is only marked
  ASSERT_TRUE(pod("web")["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(code_of([&] { service.confirm_pod_deleted("n2", ref); }), 403);
  service.confirm_pod_deleted("n1", ref);
  EXPECT_FALSE(pod_exists("web"));
  service.confirm_pod_deleted("n1", ref);  // idempotent
}

TEST_F(NodeServiceTest, ConfirmDeletionOfAReplacedPodLeavesTheNewOne) {
  register_node();
  Json created = create_pod("web", "n1");
  const PodRef old_ref{"default", "web", created["metadata"]["uid"]};
  controllers::remove(client, pods_resource(), "default", "web", "", 0);
  create_pod("web", "n1");
  service.confirm_pod_deleted("n1", old_ref);
  EXPECT_TRUE(pod_exists("web"));
}

// Forwards to a memory store and counts which kind of update the API server chose.
class CountingStore : public store::Store {
 public:
  store::ObjectPtr create(const std::string& key, Json object) override {
    return inner.create(key, std::move(object));
  }
  store::ObjectPtr update(const std::string& key, Json object, int64_t expected) override {
    ++durable_updates;
    return inner.update(key, std::move(object), expected);
  }
  store::ObjectPtr update_volatile(const std::string& key, Json object, int64_t expected) override {
    ++volatile_updates;
    return inner.update(key, std::move(object), expected);
  }
  store::ObjectPtr remove(const std::string& key, int64_t expected) override {
    return inner.remove(key, expected);
  }
  store::ObjectPtr get(const std::string& key) override { return inner.get(key); }
  store::ListResult list(const store::ListOptions& options) override { return inner.list(options); }
  int64_t current_revision() override { return inner.current_revision(); }
  store::WatchPtr watch(const std::string& prefix, int64_t from,
                        store::WatchCallback callback) override {
    return inner.watch(prefix, from, std::move(callback));
  }
  int64_t compacted_revision() override { return inner.compacted_revision(); }

  store::MemoryStore inner;
  std::atomic<int> durable_updates{0};
  std::atomic<int> volatile_updates{0};
};

TEST(NodeServiceDiskWrites, RenewalsAndUnchangedRegistrationsAreVolatile) {
  CountingStore store;
  apiserver::ApiServer api(store, apiserver::ApiServerOptions{.run_controllers = false});
  api.start();
  controllers::InProcessClient client([&api](http::Request& r) { return api.handle(r); });
  NodeService service(store, client);
  service.register_node({"n1", {}, agent_node_status()});
  const int durable_after_first_registration = store.durable_updates;

  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(2ms);  // a later MicroTime
    service.renew_lease("n1");
  }
  EXPECT_EQ(store.durable_updates, durable_after_first_registration);
  EXPECT_EQ(store.volatile_updates, 3);

  std::this_thread::sleep_for(1100ms);  // a later lastHeartbeatTime (second precision)
  service.register_node({"n1", {}, agent_node_status()});  // the agent reconnected
  EXPECT_EQ(store.durable_updates, durable_after_first_registration)
      << "a reconnect that changes nothing but heartbeats must not write the disk";
  EXPECT_EQ(store.volatile_updates, 5);  // the node's heartbeat and the lease's renewTime

  service.register_node({"n1", {}, agent_node_status("False")});
  EXPECT_EQ(store.durable_updates, durable_after_first_registration + 1) << "a real change";
  api.stop();
}

}  // namespace
}  // namespace skiff::nodeservice
