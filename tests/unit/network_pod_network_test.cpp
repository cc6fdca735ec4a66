// The podman bridge network of the pod network on a fake podman: created on the podCIDR with
// the first address as gateway and podman's DNS off; kept when it matches; recreated when the
// podCIDR changed and nothing uses it; refused with the users named when something does.
// And the libpod JSON both ways.
#include <gtest/gtest.h>

#include <map>

#include "agent/network/pod_network.h"

namespace skiff::agent::network {
namespace {

namespace podman = runtime::podman;

class FakeNetworks : public podman::BridgeNetworks {
 public:
  std::map<std::string, podman::BridgeNetwork> networks;
  std::map<std::string, std::vector<std::string>> users;
  std::vector<std::string> calls;

  std::optional<podman::BridgeNetwork> inspect(const std::string& name) override {
    calls.push_back("inspect " + name);
    auto found = networks.find(name);
    if (found == networks.end()) return std::nullopt;
    return found->second;
  }
  void create(const podman::BridgeNetwork& network) override {
    calls.push_back("create " + network.name + " " + network.subnet);
    networks[network.name] = network;
  }
  void remove(const std::string& name) override {
    calls.push_back("remove " + name);
    networks.erase(name);
  }
  std::vector<std::string> containers_on(const std::string& name) override {
    calls.push_back("containers " + name);
    return users[name];
  }
};

TEST(NetworkPodNetworkTest, CreatesABridgeOnThePodCidrWithoutPodmanDns) {
  FakeNetworks podman;
  EXPECT_EQ(ensure_pod_network(podman, {.pod_cidr = "10.42.3.0/24"}), "skiff");
  ASSERT_EQ(podman.networks.count("skiff"), 1u);
  EXPECT_EQ(podman.networks["skiff"],
            (podman::BridgeNetwork{"skiff", "skiff0", "10.42.3.0/24", "10.42.3.1", false, 0}));
}

TEST(NetworkPodNetworkTest, KeepsAMatchingNetwork) {
  FakeNetworks podman;
  ensure_pod_network(podman, {.pod_cidr = "10.42.3.0/24", .mtu = 1450});
  podman.calls.clear();
  podman.users["skiff"] = {"k8s_web"};
  EXPECT_EQ(ensure_pod_network(podman, {.pod_cidr = "10.42.3.0/24", .mtu = 1450}), "skiff");
  EXPECT_EQ(podman.calls, (std::vector<std::string>{"inspect skiff"}));
}

TEST(NetworkPodNetworkTest, RecreatesANetworkOnAnotherSubnetWhenUnused) {
  FakeNetworks podman;
  ensure_pod_network(podman, {.pod_cidr = "10.42.3.0/24"});
  podman.calls.clear();
  EXPECT_EQ(ensure_pod_network(podman, {.pod_cidr = "10.42.7.0/24"}), "skiff");
  EXPECT_EQ(podman.calls, (std::vector<std::string>{"inspect skiff", "containers skiff",
                                                    "remove skiff", "create skiff 10.42.7.0/24"}));
  EXPECT_EQ(podman.networks["skiff"].gateway, "10.42.7.1");
}

TEST(NetworkPodNetworkTest, RefusesToMoveANetworkContainersUse) {
  FakeNetworks podman;
  ensure_pod_network(podman, {.pod_cidr = "10.42.3.0/24"});
  podman.users["skiff"] = {"k8s_web_default", "k8s_db_default"};
  try {
    ensure_pod_network(podman, {.pod_cidr = "10.42.7.0/24"});
    FAIL() << "expected PodNetworkError";
  } catch (const PodNetworkError& error) {
    EXPECT_STREQ(error.what(),
                 "pod network: podman network skiff has subnet 10.42.3.0/24 (bridge skiff0) but "
                 "this node's podCIDR is 10.42.7.0/24; it cannot be recreated while containers "
                 "use it: k8s_web_default, k8s_db_default");
  }
  EXPECT_EQ(podman.networks["skiff"].subnet, "10.42.3.0/24");
}

TEST(NetworkPodNetworkTest, BadPodCidrsAndBridgeNamesAreClearErrors) {
  FakeNetworks podman;
  EXPECT_THROW(ensure_pod_network(podman, {.pod_cidr = ""}), PodNetworkError);
  EXPECT_THROW(ensure_pod_network(podman, {.pod_cidr = "10.42.3.1/24"}), PodNetworkError);
  EXPECT_THROW(ensure_pod_network(podman, {.pod_cidr = "10.42.3.0/30"}), PodNetworkError);
  EXPECT_THROW(ensure_pod_network(
                   podman, {.pod_cidr = "10.42.3.0/24", .bridge_interface = "a-very-long-name0"}),
               PodNetworkError);
  EXPECT_TRUE(podman.calls.empty());
}

TEST(NetworkPodNetworkTest, LibpodJsonBothWays) {
  podman::BridgeNetwork network{"skiff", "skiff0", "10.42.3.0/24", "10.42.3.1", false, 1450};
  Json body = podman::bridge_network_to_json(network);
  EXPECT_EQ(body, Json::parse(R"({"name":"skiff","driver":"bridge","network_interface":"skiff0",
      "subnets":[{"subnet":"10.42.3.0/24","gateway":"10.42.3.1"}],"ipv6_enabled":false,
      "internal":false,"dns_enabled":false,"options":{"mtu":"1450"}})"));
  // What podman 4.3 answers to an inspect (an extra IPv6 subnet is ignored).
  Json inspected = Json::parse(R"({"name":"skiff","id":"1bdb","driver":"bridge",
      "network_interface":"skiff0","created":"2026-11-26T18:33:39Z",
      "subnets":[{"subnet":"fd00::/64","gateway":"fd00::1"},
                 {"subnet":"10.42.3.0/24","gateway":"10.42.3.1"}],
      "ipv6_enabled":true,"internal":false,"dns_enabled":false,"options":{"mtu":"1450"},
      "ipam_options":{"driver":"host-local"}})");
  EXPECT_EQ(podman::bridge_network_from_json(inspected), network);
  EXPECT_EQ(podman::bridge_network_from_json(Json::object()), podman::BridgeNetwork{});
}

}  // namespace
}  // namespace skiff::agent::network
