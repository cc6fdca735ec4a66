// NodeNetwork: pods wait for the settings and this node's podCIDR, the pod network is brought
// up once (retried when it fails), and bursts of Service/EndpointSlice/Node changes become
// hook calls with the newest objects.
#include "agent/node_network.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "tests/integration/support/wait.h"

namespace skiff::agent {
namespace {

using namespace std::chrono_literals;
using nodeclient::ClusterSettings;
using nodeclient::ObjectKind;
using skiff::testing::eventually;

Json node(const std::string& name, const std::string& pod_cidr) {
  Json object = {{"metadata", {{"name", name}}}, {"spec", Json::object()}};
  if (!pod_cidr.empty()) object["spec"]["podCIDR"] = pod_cidr;
  return object;
}

ClusterSettings settings(const std::string& backend = "vxlan") {
  ClusterSettings s;
  s.cluster_cidr = "10.42.0.0/16";
  s.cluster_dns = "10.43.0.10";
  s.network_backend = backend;
  return s;
}

// The node connection's cache, as NodeNetwork reads it, and what the hooks saw.
class NodeNetworkTest : public ::testing::Test {
 protected:
  NodeNetworkTest() { network = make(); }

  std::unique_ptr<NodeNetwork> make() {
    NodeNetworkHooks hooks;
    hooks.bring_up_pod_network = [this](const ClusterSettings&, const std::string& cidr) {
      ++bring_ups;
      if (fail_bring_up) throw std::runtime_error("bridge busy");
      std::lock_guard lock(mutex);
      brought_up_cidr = cidr;
      return std::string("skiff");
    };
    hooks.pods_may_start = [this](const ClusterSettings&, const std::string& network_name) {
      std::lock_guard lock(mutex);
      started_with = network_name;
      ++pod_starts;
    };
    hooks.services_changed = [this](const ClusterSettings&, const Json& services, const Json&) {
      std::lock_guard lock(mutex);
      last_services = services;
      ++service_syncs;
    };
    hooks.nodes_changed = [this](const ClusterSettings&, const Json& nodes) {
      std::lock_guard lock(mutex);
      last_nodes = nodes;
    };
    NodeNetworkOptions options;
    options.node_name = "n1";
    options.retry_delay = 50ms;
    auto made = std::make_unique<NodeNetwork>(options, hooks, [this](ObjectKind kind) {
      std::lock_guard lock(mutex);
      return objects[kind];
    });
    made->start();
    return made;
  }

  void put(ObjectKind kind, std::vector<Json> list) {
    {
      std::lock_guard lock(mutex);
      objects[kind] = std::move(list);
    }
    network->object_changed(kind, Json::object());
  }
  std::string started() {
    std::lock_guard lock(mutex);
    return started_with;
  }

  std::mutex mutex;
  std::map<ObjectKind, std::vector<Json>> objects;
  std::atomic<int> bring_ups{0}, pod_starts{0}, service_syncs{0};
  std::atomic<bool> fail_bring_up{false};
  std::string brought_up_cidr, started_with = "(not started)";
  Json last_services, last_nodes;
  std::unique_ptr<NodeNetwork> network;
};

TEST_F(NodeNetworkTest, PodsWaitForTheSettingsAndThisNodesPodSubnet) {
  put(ObjectKind::Node, {node("n1", "")});
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pod_starts, 0) << "no settings yet";
  network->settings_received(settings());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pod_starts, 0) << "no podCIDR yet";
  EXPECT_EQ(bring_ups, 0);
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(last_nodes.is_null()) << "routes wait for the pod network";
  }

  put(ObjectKind::Node, {node("n2", "10.42.7.0/24"), node("n1", "10.42.3.0/24")});
  ASSERT_TRUE(eventually([&] { return pod_starts == 1; }, 5s));
  EXPECT_EQ(started(), "skiff");
  EXPECT_EQ(brought_up_cidr, "10.42.3.0/24");
  ASSERT_TRUE(eventually(
      [&] {
        std::lock_guard lock(mutex);
        return last_nodes.size() == 2;
      },
      5s));

  put(ObjectKind::Node, {node("n1", "10.42.3.0/24")});
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(pod_starts, 1) << "pods start once";
  EXPECT_EQ(bring_ups, 1);
}

TEST_F(NodeNetworkTest, WithoutAManagedNetworkPodsStartOnTheRuntimesDefault) {
  network->settings_received(settings("none"));
  ASSERT_TRUE(eventually([&] { return pod_starts == 1; }, 5s));
  EXPECT_EQ(started(), "");
  EXPECT_EQ(bring_ups, 0);
}

TEST_F(NodeNetworkTest, AFailedBringUpIsRetried) {
  fail_bring_up = true;
  put(ObjectKind::Node, {node("n1", "10.42.3.0/24")});
  network->settings_received(settings());
  ASSERT_TRUE(eventually([&] { return bring_ups >= 2; }, 5s));
  EXPECT_EQ(pod_starts, 0);
  fail_bring_up = false;
  ASSERT_TRUE(eventually([&] { return pod_starts == 1; }, 5s));
}

TEST_F(NodeNetworkTest, ServiceChangesReachTheHookWithTheNewestObjects) {
  network->settings_received(settings("none"));
  ASSERT_TRUE(eventually([&] { return service_syncs >= 1; }, 5s));
  const int before = service_syncs;
  for (int i = 0; i < 50; ++i) put(ObjectKind::Service, {Json{{"n", i}}});
  ASSERT_TRUE(eventually(
      [&] {
        std::lock_guard lock(mutex);
        return last_services == Json::array({Json{{"n", 49}}});
      },
      5s));
  EXPECT_LT(service_syncs - before, 50) << "a burst is applied in fewer rounds than changes";
  put(ObjectKind::ConfigMap, {Json::object()});  // not a network kind
  std::this_thread::sleep_for(50ms);
  const int settled = service_syncs;
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(service_syncs, settled);
}

TEST(NodeNetworkPodCidr, FindsThisNodesSubnetOnly) {
  EXPECT_EQ(NodeNetwork::pod_cidr_of({node("a", "10.42.1.0/24"), node("b", "10.42.2.0/24")}, "b"),
            "10.42.2.0/24");
  EXPECT_EQ(NodeNetwork::pod_cidr_of({node("a", "")}, "a"), "");
  EXPECT_EQ(NodeNetwork::pod_cidr_of({Json("junk"), Json{{"spec", 5}}}, "a"), "");
}

}  // namespace
}  // namespace skiff::agent
