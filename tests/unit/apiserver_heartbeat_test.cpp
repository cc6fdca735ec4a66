// classify_update (server/apiserver/heartbeat.h): which updates are no-ops, which only move a
// heartbeat timestamp (stored volatile) and which are state changes (stored durably); and that
// PUT, PATCH and apply store them that way.
#include "server/apiserver/heartbeat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>

#include "server/apiserver/api_server.h"
#include "server/store/memory_store.h"

namespace skiff::apiserver {
namespace {

Json lease() {
  return Json::parse(R"({
    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
    "metadata": {"name": "node-1", "namespace": "kube-node-lease", "resourceVersion": "41",
                 "generation": 7,
                 "managedFields": [{"manager": "kubelet", "operation": "Update",
                                    "time": "2024-05-01T10:00:00Z"}]},
    "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40,
             "renewTime": "2024-05-01T10:00:00.000000Z"}})");
}

Json node() {
  return Json::parse(R"({
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "node-1", "resourceVersion": "42", "labels": {"role": "worker"}},
    "spec": {"podCIDR": "10.42.1.0/24"},
    "status": {"conditions": [
      {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
       "lastHeartbeatTime": "2024-05-01T10:00:00Z", "lastTransitionTime": "2024-05-01T09:00:00Z"},
      {"type": "Ready", "status": "True", "reason": "KubeletReady",
       "lastHeartbeatTime": "2024-05-01T10:00:00Z", "lastTransitionTime": "2024-05-01T09:00:00Z"}
    ], "capacity": {"cpu": "4", "pods": "110"}}})");
}

Json configmap() {
  return Json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "c", "namespace": "default", "resourceVersion": "5"},
    "data": {"renewTime": "x"}})");
}

struct Case {
  std::string name;
  std::function<Json()> current;
  std::function<void(Json&)> change;  // applied to a copy of current to make `desired`
  UpdateKind expected;
};

const char* kind_name(UpdateKind kind) {
  switch (kind) {
    case UpdateKind::NoOp:
      return "NoOp";
    case UpdateKind::Heartbeat:
      return "Heartbeat";
    case UpdateKind::StateChange:
      return "StateChange";
  }
  return "?";
}

TEST(ClassifyUpdate, Table) {
  const std::string later = "2024-05-01T10:00:10Z";
  const std::vector<Case> cases = {
      // No-ops: nothing changes but what the store and the API rewrite anyway.
      {"lease unchanged", lease, [](Json&) {}, UpdateKind::NoOp},
      {"lease without resourceVersion", lease,
       [](Json& o) { o["metadata"].erase("resourceVersion"); }, UpdateKind::NoOp},
      {"lease, other resourceVersion", lease,
       [](Json& o) { o["metadata"]["resourceVersion"] = "40"; }, UpdateKind::NoOp},
      {"managedFields time only", configmap,
       [&](Json& o) {
         o["metadata"]["managedFields"] =
             Json::array({{{"manager", "m"}, {"operation", "Apply"}, {"time", later}}});
       },
       UpdateKind::StateChange},  // a new managedFields entry is a change
      {"lease, managedFields time only", lease,
       [&](Json& o) { o["metadata"]["managedFields"][0]["time"] = later; }, UpdateKind::NoOp},
      {"node unchanged", node, [](Json&) {}, UpdateKind::NoOp},
      {"configmap unchanged", configmap, [](Json&) {}, UpdateKind::NoOp},
      {"configmap, other resourceVersion", configmap,
       [](Json& o) { o["metadata"]["resourceVersion"] = "99"; }, UpdateKind::NoOp},
      {"configmap without resourceVersion", configmap,
       [](Json& o) { o["metadata"].erase("resourceVersion"); }, UpdateKind::NoOp},
      {"configmap gains a member", configmap, [](Json& o) { o["immutable"] = true; },
       UpdateKind::StateChange},
      {"configmap loses a member", configmap, [](Json& o) { o.erase("data"); },
       UpdateKind::StateChange},
      {"configmap gains a label", configmap,
       [](Json& o) {
         o["metadata"]["labels"] = {{"a", "b"}};
       },
       UpdateKind::StateChange},
      {"configmap loses its metadata", configmap, [](Json& o) { o.erase("metadata"); },
       UpdateKind::StateChange},

      // Heartbeats.
      {"lease renewTime", lease, [&](Json& o) { o["spec"]["renewTime"] = later; },
       UpdateKind::Heartbeat},
      {"lease renewTime, generation bumped, new managedFields time", lease,
       [&](Json& o) {
         o["spec"]["renewTime"] = later;
         o["metadata"]["generation"] = 8;
         o["metadata"]["managedFields"][0]["time"] = later;
         o["metadata"].erase("resourceVersion");
       },
       UpdateKind::Heartbeat},
      {"lease renewTime set for the first time", lease,
       [](Json& o) { o["spec"].erase("renewTime"); }, UpdateKind::Heartbeat},
      {"node lastHeartbeatTime of every condition", node,
       [&](Json& o) {
         for (auto& c : o["status"]["conditions"]) c["lastHeartbeatTime"] = later;
       },
       UpdateKind::Heartbeat},
      {"node lastHeartbeatTime of one condition", node,
       [&](Json& o) { o["status"]["conditions"][1]["lastHeartbeatTime"] = later; },
       UpdateKind::Heartbeat},

      // State changes.
      {"lease holder changes", lease,
       [&](Json& o) {
         o["spec"]["renewTime"] = later;
         o["spec"]["holderIdentity"] = "node-2";
       },
       UpdateKind::StateChange},
      {"lease duration changes", lease, [](Json& o) { o["spec"]["leaseDurationSeconds"] = 30; },
       UpdateKind::StateChange},
      {"lease gains a label", lease,
       [&](Json& o) {
         o["spec"]["renewTime"] = later;
         o["metadata"]["labels"] = {{"a", "b"}};
       },
       UpdateKind::StateChange},
      {"node becomes NotReady", node,
       [&](Json& o) {
         auto& ready = o["status"]["conditions"][1];
         ready["lastHeartbeatTime"] = later;
         ready["status"] = "False";
         ready["lastTransitionTime"] = later;
       },
       UpdateKind::StateChange},
      {"node condition reason changes", node,
       [](Json& o) { o["status"]["conditions"][0]["reason"] = "KubeletHasInsufficientMemory"; },
       UpdateKind::StateChange},
      {"node conditions reordered", node,
       [](Json& o) {
         auto& c = o["status"]["conditions"];
         std::swap(c[0], c[1]);
       },
       UpdateKind::StateChange},
      {"node gains a condition", node,
       [&](Json& o) {
         o["status"]["conditions"].push_back(
             {{"type", "DiskPressure"}, {"status", "False"}, {"lastHeartbeatTime", later}});
       },
       UpdateKind::StateChange},
      {"node heartbeat and cordon", node,
       [&](Json& o) {
         o["status"]["conditions"][1]["lastHeartbeatTime"] = later;
         o["spec"]["unschedulable"] = true;
       },
       UpdateKind::StateChange},
      {"node heartbeat and a taint", node,
       [&](Json& o) {
         o["status"]["conditions"][1]["lastHeartbeatTime"] = later;
         o["spec"]["taints"] = Json::array({{{"key", "k"}, {"effect", "NoSchedule"}}});
       },
       UpdateKind::StateChange},
      {"node capacity changes", node, [](Json& o) { o["status"]["capacity"]["cpu"] = "8"; },
       UpdateKind::StateChange},
      {"a renewTime in another kind is data", configmap,
       [&](Json& o) { o["data"]["renewTime"] = later; }, UpdateKind::StateChange},
      {"a Lease of another group is not a coordination lease",
       [] {
         Json o = lease();
         o["apiVersion"] = "example.com/v1";
         return o;
       },
       [&](Json& o) { o["spec"]["renewTime"] = later; }, UpdateKind::StateChange},
  };
  for (const auto& c : cases) {
    Json current = c.current();
    Json desired = current;
    c.change(desired);
    EXPECT_STREQ(kind_name(classify_update(current, desired)), kind_name(c.expected)) << c.name;
  }
}

TEST(ClassifyUpdate, OddShapesAreStateChangesNotCrashes) {
  Json current = node();
  Json desired = current;
  desired["status"]["conditions"] = "not a list";
  EXPECT_EQ(classify_update(current, desired), UpdateKind::StateChange);
  desired = current;
  desired["metadata"] = 5;
  EXPECT_EQ(classify_update(current, desired), UpdateKind::StateChange);
  EXPECT_EQ(classify_update(Json::array(), Json::object()), UpdateKind::StateChange);
  EXPECT_EQ(classify_update(Json(), Json()), UpdateKind::NoOp);
}

// --- the update path: what reaches the store ---

// Counts the writes that reach it, by kind of write.
class CountingStore : public store::MemoryStore {
 public:
  store::ObjectPtr update(const std::string& key, Json object, int64_t expected) override {
    ++durable_updates;
    return MemoryStore::update(key, std::move(object), expected);
  }
  store::ObjectPtr update_volatile(const std::string& key, Json object, int64_t expected) override {
    ++volatile_updates;
    return MemoryStore::update(key, std::move(object), expected);
  }
  std::atomic<int> durable_updates{0};
  std::atomic<int> volatile_updates{0};
};

class HeartbeatWritesTest : public ::testing::Test {
 protected:
  HeartbeatWritesTest() {
    ApiServerOptions options;
    options.run_controllers = false;
    api_ = std::make_unique<ApiServer>(store_, options);
    api_->start();
  }
  ~HeartbeatWritesTest() override { api_->stop(); }

  struct Reply {
    unsigned status = 0;
    Json body;
  };
  Reply call(const std::string& method, const std::string& target, const Json& body,
             const std::string& content_type = "application/json") {
    http::Request request;
    request.method = method;
    request.target = target;
    http::parse_target(target, request);
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.emplace_back("Content-Type", content_type);
    }
    auto response = http::settle(api_->handle(request));
    if (!response) {
      ADD_FAILURE() << "expected a complete response for " << method << " " << target;
      return {};
    }
    return {response->status, Json::parse(response->body, nullptr, false)};
  }
  // Resets the counters and returns the writes made by `action`, as "durable/volatile".
  std::string writes_of(const std::function<void()>& action) {
    store_.durable_updates = 0;
    store_.volatile_updates = 0;
    action();
    return std::to_string(store_.durable_updates.load()) + "/" +
           std::to_string(store_.volatile_updates.load());
  }

  CountingStore store_;
  std::unique_ptr<ApiServer> api_;
};

const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

TEST_F(HeartbeatWritesTest, LeaseRenewalsAreVolatileAndOtherChangesDurable) {
  Json created = lease();
  created["metadata"].erase("resourceVersion");
  auto reply = call("POST", kLeases, created);
  ASSERT_EQ(reply.status, 201u) << reply.body.dump();
  Json stored = reply.body;

  // PUT of a renewal, as kubelets do: volatile, and readers see the new value and version.
  Json renewed = stored;
  renewed["spec"]["renewTime"] = "2024-05-01T10:00:10.000000Z";
  EXPECT_EQ(writes_of([&] { reply = call("PUT", kLeases + "/node-1", renewed); }), "0/1");
  ASSERT_EQ(reply.status, 200u) << reply.body.dump();
  EXPECT_NE(reply.body["metadata"]["resourceVersion"], stored["metadata"]["resourceVersion"]);
  auto read = call("GET", kLeases + "/node-1", nullptr);
  EXPECT_EQ(read.body["spec"]["renewTime"], "2024-05-01T10:00:10.000000Z");
  EXPECT_EQ(read.body["metadata"]["resourceVersion"], reply.body["metadata"]["resourceVersion"]);

  // A stale resourceVersion is still a conflict.
  EXPECT_EQ(call("PUT", kLeases + "/node-1", renewed).status, 409u);

  // The same object again changes nothing: not written, same resourceVersion.
  const Json current = reply.body;
  EXPECT_EQ(writes_of([&] { reply = call("PUT", kLeases + "/node-1", current); }), "0/0");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body["metadata"]["resourceVersion"], current["metadata"]["resourceVersion"]);

  // PATCH and server-side apply of a renewal: volatile too.
  Json patch = {{"spec", {{"renewTime", "2024-05-01T10:00:20.000000Z"}}}};
  EXPECT_EQ(writes_of([&] {
              reply = call("PATCH", kLeases + "/node-1", patch, "application/merge-patch+json");
            }),
            "0/1");
  EXPECT_EQ(reply.status, 200u);
  Json applied = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", "node-1"}}},
                  {"spec", {{"renewTime", "2024-05-01T10:00:30.000000Z"}}}};
  EXPECT_EQ(writes_of([&] {
              reply = call("PATCH", kLeases + "/node-1?fieldManager=kubelet", applied,
                           "application/apply-patch+yaml");
            }),
            "1/0");  // the first apply adds a managedFields entry: a change
  EXPECT_EQ(reply.status, 200u);
  applied["spec"]["renewTime"] = "2024-05-01T10:00:40.000000Z";
  EXPECT_EQ(writes_of([&] {
              reply = call("PATCH", kLeases + "/node-1?fieldManager=kubelet", applied,
                           "application/apply-patch+yaml");
            }),
            "0/1");  // later ones only move renewTime (and the entry's time)
  EXPECT_EQ(reply.status, 200u);

  // Another holder is a state change.
  patch = {{"spec", {{"holderIdentity", "node-2"}, {"renewTime", "2024-05-01T10:00:50Z"}}}};
  EXPECT_EQ(writes_of([&] {
              reply = call("PATCH", kLeases + "/node-1", patch, "application/merge-patch+json");
            }),
            "1/0");
  EXPECT_EQ(reply.body["spec"]["holderIdentity"], "node-2");
}

TEST_F(HeartbeatWritesTest, NodeStatusHeartbeatsAreVolatileAndTransitionsDurable) {
  Json created = node();
  created["metadata"].erase("resourceVersion");
  ASSERT_EQ(call("POST", "/api/v1/nodes", created).status, 201u);
  Json status = {{"status", node()["status"]}};
  auto reply = call("PATCH", "/api/v1/nodes/node-1/status", status,
                    "application/strategic-merge-patch+json");
  ASSERT_EQ(reply.status, 200u) << reply.body.dump();

  for (auto& condition : status["status"]["conditions"])
    condition["lastHeartbeatTime"] = "2024-05-01T10:00:10Z";
  EXPECT_EQ(writes_of([&] {
              reply = call("PATCH", "/api/v1/nodes/node-1/status", status,
                           "application/strategic-merge-patch+json");
            }),
            "0/1");
  EXPECT_EQ(reply.body["status"]["conditions"][1]["lastHeartbeatTime"], "2024-05-01T10:00:10Z");

  status["status"]["conditions"][1]["status"] = "False";
  EXPECT_EQ(writes_of([&] {
              reply = call("PATCH", "/api/v1/nodes/node-1/status", status,
                           "application/strategic-merge-patch+json");
            }),
            "1/0");
  EXPECT_EQ(reply.body["status"]["conditions"][1]["status"], "False");
}

}  // namespace
}  // namespace skiff::apiserver
