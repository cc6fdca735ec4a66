// The pod routes model: golden desired states for host-gw and vxlan, nodes joining and
// leaving, bad nodes skipped with a reason, the VTEP MAC derived from the podCIDR.
#include <gtest/gtest.h>

#include "agent/network/pod_routes_model.h"

namespace skiff::agent::network {
namespace {

Json node(const std::string& name, const std::string& pod_cidr, const std::string& ip) {
  Json object = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
  if (!pod_cidr.empty()) object["spec"]["podCIDR"] = pod_cidr;
  object["status"]["addresses"] = Json::array({{{"type", "Hostname"}, {"address", name}}});
  if (!ip.empty())
    object["status"]["addresses"].push_back({{"type", "InternalIP"}, {"address", ip}});
  return object;
}

Json three_nodes() {
  return Json::array({node("c", "10.42.2.0/24", "192.168.1.3"),
                      node("a", "10.42.0.0/24", "192.168.1.1"),
                      node("b", "10.42.1.0/24", "192.168.1.2")});
}

TEST(NetworkPodRoutesTest, HostGwRoutesEveryOtherNodesPodCidrViaItsInternalIp) {
  PodRoutesModel model = build_pod_routes_model("a", PodNetworkBackend::kHostGw, three_nodes());
  PodRoutesState expected;
  expected.routes = {{"10.42.1.0/24", "192.168.1.2", ""}, {"10.42.2.0/24", "192.168.1.3", ""}};
  EXPECT_EQ(model.desired, expected);
  EXPECT_TRUE(model.skipped.empty());
}

TEST(NetworkPodRoutesTest, VxlanHasOneDeviceAndPerPeerRouteNeighbourAndFdb) {
  PodRoutesModel model =
      build_pod_routes_model("b", PodNetworkBackend::kVxlan, three_nodes(), 9000);
  PodRoutesState expected;
  expected.vxlan = VxlanDeviceSpec{"192.168.1.2", "10.42.1.0", "02:73:0a:2a:01:00", 8950};
  expected.routes = {{"10.42.0.0/24", "10.42.0.0", "skiff-vxlan"},
                     {"10.42.2.0/24", "10.42.2.0", "skiff-vxlan"}};
  expected.peers = {{"a", "10.42.0.0", "02:73:0a:2a:00:00", "192.168.1.1"},
                    {"c", "10.42.2.0", "02:73:0a:2a:02:00", "192.168.1.3"}};
  EXPECT_EQ(model.desired, expected);
  EXPECT_TRUE(model.skipped.empty());
}

TEST(NetworkPodRoutesTest, DefaultVxlanMtuIs1450) {
  PodRoutesModel model = build_pod_routes_model("a", PodNetworkBackend::kVxlan, three_nodes());
  ASSERT_TRUE(model.desired.vxlan);
  EXPECT_EQ(model.desired.vxlan->mtu, 1450);
}

TEST(NetworkPodRoutesTest, NodesJoiningAndLeavingChangeOnlyTheirOwnEntries) {
  Json nodes = Json::array({node("a", "10.42.0.0/24", "192.168.1.1")});
  EXPECT_EQ(build_pod_routes_model("a", PodNetworkBackend::kVxlan, nodes).desired.routes.size(),
            0u);

  nodes.push_back(node("b", "10.42.1.0/24", "192.168.1.2"));
  PodRoutesState two = build_pod_routes_model("a", PodNetworkBackend::kVxlan, nodes).desired;
  ASSERT_EQ(two.routes.size(), 1u);
  EXPECT_EQ(two.peers.at(0).node, "b");

  nodes.push_back(node("c", "10.42.2.0/24", "192.168.1.3"));
  nodes.erase(1);  // b leaves
  PodRoutesState after = build_pod_routes_model("a", PodNetworkBackend::kVxlan, nodes).desired;
  ASSERT_EQ(after.peers.size(), 1u);
  EXPECT_EQ(after.peers.at(0).node, "c");
  EXPECT_EQ(after.routes, (std::vector<PodRoute>{{"10.42.2.0/24", "10.42.2.0", "skiff-vxlan"}}));
  EXPECT_EQ(after.vxlan, two.vxlan);  // the device does not change when peers do
}

TEST(NetworkPodRoutesTest, BadNodesAreSkippedWithTheReason) {
  Json nodes = three_nodes();
  nodes.push_back(node("no-cidr", "", "192.168.1.9"));
  nodes.push_back(node("bad-cidr", "10.42.9.1/24", "192.168.1.9"));
  nodes.push_back(node("no-ip", "10.42.8.0/24", ""));
  nodes.push_back(node("same-cidr", "10.42.0.0/24", "192.168.1.8"));
  nodes.push_back(Json{{"kind", "Node"}});
  nodes.push_back("not an object");
  PodRoutesModel model = build_pod_routes_model("a", PodNetworkBackend::kHostGw, nodes);
  EXPECT_EQ(model.desired.routes.size(), 2u);
  ASSERT_EQ(model.skipped.size(), 6u);
  auto mentioned = [&](const std::string& text) {
    for (const auto& reason : model.skipped)
      if (reason.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(mentioned("node no-cidr: no spec.podCIDR"));
  EXPECT_TRUE(mentioned("node bad-cidr: spec.podCIDR 10.42.9.1/24 is not an IPv4 CIDR"));
  EXPECT_TRUE(mentioned("node no-ip: no IPv4 InternalIP"));
  EXPECT_TRUE(mentioned("node same-cidr: spec.podCIDR 10.42.0.0/24 is this node's own"));
  EXPECT_TRUE(mentioned("without metadata.name"));
}

TEST(NetworkPodRoutesTest, VxlanNeedsThisNodesOwnPodCidrAndAddress) {
  Json nodes = three_nodes();
  nodes[1] = node("a", "", "192.168.1.1");
  PodRoutesModel model = build_pod_routes_model("a", PodNetworkBackend::kVxlan, nodes);
  EXPECT_EQ(model.desired, PodRoutesState{});
  ASSERT_EQ(model.skipped.size(), 1u);
  EXPECT_NE(model.skipped[0].find("this node (a)"), std::string::npos);

  // host-gw does not need them: routes name only the remote side.
  EXPECT_EQ(build_pod_routes_model("a", PodNetworkBackend::kHostGw, nodes).desired.routes.size(),
            2u);
}

TEST(NetworkPodRoutesTest, NoneAndNonArraysGiveNothing) {
  EXPECT_EQ(build_pod_routes_model("a", PodNetworkBackend::kNone, three_nodes()).desired,
            PodRoutesState{});
  EXPECT_EQ(build_pod_routes_model("a", PodNetworkBackend::kVxlan, Json::object()).desired,
            PodRoutesState{});
}

TEST(NetworkPodRoutesTest, VtepMacIsLocallyAdministeredUnicastFromThePodCidr) {
  EXPECT_EQ(vtep_mac_for(*util::parse_ipv4_cidr("10.42.255.0/24")), "02:73:0a:2a:ff:00");
  EXPECT_EQ(vtep_mac_for(*util::parse_ipv4_cidr("10.42.1.0/24")), "02:73:0a:2a:01:00");
}

TEST(NetworkPodRoutesTest, BackendNames) {
  EXPECT_EQ(parse_pod_network_backend("vxlan"), PodNetworkBackend::kVxlan);
  EXPECT_EQ(parse_pod_network_backend("host-gw"), PodNetworkBackend::kHostGw);
  EXPECT_EQ(parse_pod_network_backend("none"), PodNetworkBackend::kNone);
  EXPECT_EQ(parse_pod_network_backend("flannel"), std::nullopt);
  EXPECT_EQ(pod_network_backend_name(PodNetworkBackend::kHostGw), "host-gw");
}

}  // namespace
}  // namespace skiff::agent::network
