// The pure parts of address allocation: IPv4/CIDR/port-range parsing, ClusterIP and NodePort
// assignment (service_addresses.h) and the node pod-CIDR choice.
#include <gtest/gtest.h>

#include "pkg/api/errors.h"
#include "pkg/util/ipv4.h"
#include "server/apiserver/service_addresses.h"
#include "server/controllers/node_ipam_controller.h"

namespace skiff {
namespace {

using apiserver::AddressesInUse;
using apiserver::assign_service_addresses;
using apiserver::ServiceNetwork;

uint32_t ip(const char* text) {
  return *util::parse_ipv4(text);
}

TEST(Ipv4, ParsesAndRefuses) {
  struct Case {
    const char* text;
    bool ok;
  };
  for (const auto& c : std::vector<Case>{{"10.43.0.1", true},
                                         {"0.0.0.0", true},
                                         {"255.255.255.255", true},
                                         {"256.1.1.1", false},
                                         {"10.43.0", false},
                                         {"10.43.0.1.5", false},
                                         {"010.1.1.1", false},
                                         {"a.b.c.d", false},
                                         {"", false},
                                         {"10.43.0.1 ", false}}) {
    EXPECT_EQ(util::parse_ipv4(c.text).has_value(), c.ok) << c.text;
  }
  EXPECT_EQ(util::format_ipv4(ip("10.43.2.17")), "10.43.2.17");
}

TEST(Ipv4, CidrsAndPortRanges) {
  auto cidr = util::parse_ipv4_cidr("10.42.0.0/16");
  ASSERT_TRUE(cidr);
  EXPECT_EQ(cidr->size(), 65536u);
  EXPECT_TRUE(cidr->contains(ip("10.42.255.255")));
  EXPECT_FALSE(cidr->contains(ip("10.43.0.0")));
  EXPECT_EQ(cidr->str(), "10.42.0.0/16");
  EXPECT_FALSE(util::parse_ipv4_cidr("10.42.0.1/16"));  // host bits set
  EXPECT_FALSE(util::parse_ipv4_cidr("10.42.0.0/33"));
  EXPECT_FALSE(util::parse_ipv4_cidr("10.42.0.0"));
  EXPECT_TRUE(util::parse_ipv4_cidr("0.0.0.0/0"));
  auto range = util::parse_port_range("30000-32767");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->size(), 2768);
  EXPECT_TRUE(util::parse_port_range("8080"));
  EXPECT_FALSE(util::parse_port_range("32767-30000"));
  EXPECT_FALSE(util::parse_port_range("0-100"));
  EXPECT_FALSE(util::parse_port_range("1-70000"));
  EXPECT_FALSE(util::parse_port_range("x-y"));
}

TEST(NodePodCidr, LowestFreeSlash24) {
  auto cluster = *util::parse_ipv4_cidr("10.42.0.0/16");
  EXPECT_EQ(controllers::next_pod_cidr(cluster, {})->str(), "10.42.0.0/24");
  EXPECT_EQ(controllers::next_pod_cidr(cluster, {ip("10.42.0.0"), ip("10.42.2.0")})->str(),
            "10.42.1.0/24");
  auto tiny = *util::parse_ipv4_cidr("10.42.0.0/23");
  EXPECT_FALSE(controllers::next_pod_cidr(tiny, {ip("10.42.0.0"), ip("10.42.1.0")}));
  auto too_small = *util::parse_ipv4_cidr("10.42.0.0/25");
  EXPECT_FALSE(controllers::next_pod_cidr(too_small, {}));
}

Json service(const std::string& type,
             Json ports = Json::array({{{"port", 80}, {"protocol", "TCP"}}}),
             const std::string& cluster_ip = "") {
  Json spec = {{"type", type}, {"ports", std::move(ports)}};
  if (!cluster_ip.empty()) spec["clusterIP"] = cluster_ip;
  if (type == "ExternalName") spec["externalName"] = "example.com";
  return {{"metadata", {{"name", "web"}, {"namespace", "default"}}}, {"spec", spec}};
}

// Tests draw "randomly" from offset 0: the lowest free value.
const apiserver::RandomOffset kLowest = [](uint64_t) { return 0; };

// What a 422 says, or "" when the call succeeded.
std::string refusal(const ServiceNetwork& network, const Json* old, Json& object,
                    const AddressesInUse& in_use = {}) {
  try {
    assign_service_addresses(network, old, object, in_use, kLowest);
    return "";
  } catch (const api::ApiError& error) {
    return std::to_string(error.code()) + " " + error.what();
  }
}

TEST(ServiceAddresses, ClusterIpAssignment) {
  ServiceNetwork network;  // 10.43.0.0/16, DNS 10.43.0.10
  struct Case {
    std::string name;
    Json object;
    AddressesInUse in_use;
    std::string cluster_ip;  // expected spec.clusterIP ("" = absent)
    std::string error;       // expected part of the refusal
  };
  std::vector<Case> cases = {
      // The first address is the `kubernetes` Service's; network address never.
      {"first free skips network and first", service("ClusterIP"), {}, "10.43.0.2", ""},
      {"skips taken",
       service("ClusterIP"),
       {{ip("10.43.0.2"), ip("10.43.0.3")}, {}},
       "10.43.0.4",
       ""},
      {"skips the DNS address",
       service("ClusterIP"),
       {{ip("10.43.0.2"), ip("10.43.0.3"), ip("10.43.0.4"), ip("10.43.0.5"), ip("10.43.0.6"),
         ip("10.43.0.7"), ip("10.43.0.8"), ip("10.43.0.9")},
        {}},
       "10.43.0.11",
       ""},
      {"requested free",
       service("ClusterIP", Json::array({{{"port", 80}}}), "10.43.7.7"),
       {},
       "10.43.7.7",
       ""},
      {"requested first address",
       service("ClusterIP", Json::array({{{"port", 443}}}), "10.43.0.1"),
       {},
       "10.43.0.1",
       ""},
      {"requested DNS address",
       service("ClusterIP", Json::array({{{"port", 53}}}), "10.43.0.10"),
       {},
       "10.43.0.10",
       ""},
      {"requested taken",
       service("ClusterIP", Json::array({{{"port", 80}}}), "10.43.7.7"),
       {{ip("10.43.7.7")}, {}},
       "",
       "provided IP is already allocated"},
      {"requested out of range",
       service("ClusterIP", Json::array({{{"port", 80}}}), "10.44.0.5"),
       {},
       "",
       "failed to allocate IP 10.44.0.5: provided IP is not in the valid range. The range of "
       "valid IPs is 10.43.0.0/16"},
      {"requested broadcast",
       service("ClusterIP", Json::array({{{"port", 80}}}), "10.43.255.255"),
       {},
       "",
       "not in the valid range"},
      {"requested garbage",
       service("ClusterIP", Json::array({{{"port", 80}}}), "ten"),
       {},
       "",
       "must be a valid IP address"},
      {"headless", service("ClusterIP", Json::array(), "None"), {}, "None", ""},
      {"headless NodePort refused",
       service("NodePort", Json::array({{{"port", 80}}}), "None"),
       {},
       "",
       "may not be set to 'None' for NodePort services"},
      {"ExternalName gets none", service("ExternalName", Json::array()), {}, "", ""},
      {"ExternalName with an address refused",
       service("ExternalName", Json::array(), "10.43.0.9"),
       {},
       "",
       "may not be set for ExternalName services"},
  };
  for (auto& c : cases) {
    std::string error = refusal(network, nullptr, c.object, c.in_use);
    if (c.error.empty()) {
      EXPECT_EQ(error, "") << c.name;
      EXPECT_EQ(c.object["spec"].value("clusterIP", ""), c.cluster_ip) << c.name;
      if (!c.cluster_ip.empty()) {
        EXPECT_EQ(c.object["spec"]["clusterIPs"], Json::array({c.cluster_ip})) << c.name;
      }
    } else {
      EXPECT_NE(error.find(c.error), std::string::npos) << c.name << ": " << error;
      EXPECT_EQ(error.substr(0, 3), "422") << c.name;
    }
  }
}

TEST(ServiceAddresses, NodePortAssignment) {
  ServiceNetwork network;
  network.node_ports = {30000, 30002};
  Json two_ports = Json::array({{{"port", 80}, {"protocol", "TCP"}, {"name", "http"}},
                                {{"port", 443}, {"protocol", "TCP"}, {"name", "https"}}});
  {
    Json object = service("NodePort", two_ports);
    EXPECT_EQ(refusal(network, nullptr, object, {{}, {30000}}), "");
    EXPECT_EQ(object["spec"]["ports"][0]["nodePort"], 30001);
    EXPECT_EQ(object["spec"]["ports"][1]["nodePort"], 30002);
  }
  {
    Json object = service("NodePort", two_ports);
    auto error = refusal(network, nullptr, object, {{}, {30000, 30001}});
    EXPECT_NE(error.find("500"), std::string::npos) << error;  // the range is exhausted
    EXPECT_NE(error.find("range is full"), std::string::npos) << error;
  }
  {
    Json object = service("NodePort", Json::array({{{"port", 80}, {"nodePort", 30001}}}));
    auto error = refusal(network, nullptr, object, {{}, {30001}});
    EXPECT_NE(error.find("spec.ports[0].nodePort: Invalid value: 30001: provided port is already "
                         "allocated"),
              std::string::npos)
        << error;
  }
  {
    Json object = service("NodePort", Json::array({{{"port", 80}, {"nodePort", 80}}}));
    auto error = refusal(network, nullptr, object);
    EXPECT_NE(error.find("provided port is not in the valid range. The range of valid ports is "
                         "30000-30002"),
              std::string::npos)
        << error;
  }
  {
    // TCP and UDP of one port may share a node port; the same protocol twice may not.
    Json object = service(
        "NodePort",
        Json::array({{{"port", 53}, {"protocol", "TCP"}, {"name", "a"}, {"nodePort", 30002}},
                     {{"port", 53}, {"protocol", "UDP"}, {"name", "b"}, {"nodePort", 30002}}}));
    EXPECT_EQ(refusal(network, nullptr, object), "");
    Json twice = service(
        "NodePort",
        Json::array({{{"port", 53}, {"protocol", "TCP"}, {"name", "a"}, {"nodePort", 30002}},
                     {{"port", 54}, {"protocol", "TCP"}, {"name", "b"}, {"nodePort", 30002}}}));
    EXPECT_NE(refusal(network, nullptr, twice).find("Duplicate value: 30002"), std::string::npos);
  }
  {
    // LoadBalancer gets node ports unless allocateLoadBalancerNodePorts is false.
    Json object = service("LoadBalancer");
    EXPECT_EQ(refusal(network, nullptr, object), "");
    EXPECT_EQ(object["spec"]["ports"][0]["nodePort"], 30000);
    Json without = service("LoadBalancer");
    without["spec"]["allocateLoadBalancerNodePorts"] = false;
    EXPECT_EQ(refusal(network, nullptr, without), "");
    EXPECT_FALSE(without["spec"]["ports"][0].contains("nodePort"));
  }
  {
    Json object = service("ClusterIP", Json::array({{{"port", 80}, {"nodePort", 30001}}}));
    EXPECT_NE(refusal(network, nullptr, object)
                  .find("spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
                        "'ClusterIP'"),
              std::string::npos);
  }
}

TEST(ServiceAddresses, UpdatesKeepReleaseAndAllocate) {
  ServiceNetwork network;
  Json old = service("NodePort");
  ASSERT_EQ(refusal(network, nullptr, old), "");
  const std::string ip_before = old["spec"]["clusterIP"];
  const int64_t port_before = old["spec"]["ports"][0]["nodePort"];

  // kubectl apply sends neither clusterIP nor nodePort: both are kept.
  Json applied = service("NodePort");
  EXPECT_EQ(refusal(network, &old, applied), "");
  EXPECT_EQ(applied["spec"]["clusterIP"], ip_before);
  EXPECT_EQ(applied["spec"]["ports"][0]["nodePort"], port_before);

  // NodePort -> ClusterIP drops the carried node port; the address stays.
  Json to_cluster_ip = old;
  to_cluster_ip["spec"]["type"] = "ClusterIP";
  EXPECT_EQ(refusal(network, &old, to_cluster_ip), "");
  EXPECT_FALSE(to_cluster_ip["spec"]["ports"][0].contains("nodePort"));
  EXPECT_EQ(to_cluster_ip["spec"]["clusterIP"], ip_before);

  // -> ExternalName drops the address.
  Json to_external = old;
  to_external["spec"]["type"] = "ExternalName";
  to_external["spec"]["externalName"] = "example.com";
  to_external["spec"]["ports"][0].erase("nodePort");
  EXPECT_EQ(refusal(network, &old, to_external), "");
  EXPECT_FALSE(to_external["spec"].contains("clusterIP"));

  // ExternalName -> ClusterIP allocates a fresh address.
  Json back = service("ClusterIP");
  EXPECT_EQ(refusal(network, &to_external, back, {{ip("10.43.0.2")}, {}}), "");
  EXPECT_EQ(back["spec"]["clusterIP"], "10.43.0.3");

  // A different address is refused (immutable).
  Json moved = service("ClusterIP", Json::array({{{"port", 80}}}), "10.43.9.9");
  EXPECT_NE(refusal(network, &old, moved).find("field is immutable"), std::string::npos);
}

TEST(ServiceAddresses, HealthCheckNodePortForLocalLoadBalancers) {
  ServiceNetwork network;
  network.node_ports = {30000, 30010};
  Json local = service("LoadBalancer");
  local["spec"]["externalTrafficPolicy"] = "Local";
  ASSERT_EQ(refusal(network, nullptr, local), "");
  EXPECT_EQ(local["spec"]["ports"][0]["nodePort"], 30000);
  EXPECT_EQ(local["spec"]["healthCheckNodePort"], 30001);
  // Kept on update; dropped when the policy goes back to Cluster.
  Json again = service("LoadBalancer");
  again["spec"]["externalTrafficPolicy"] = "Local";
  ASSERT_EQ(refusal(network, &local, again), "");
  EXPECT_EQ(again["spec"]["healthCheckNodePort"], 30001);
  Json cluster = local;
  cluster["spec"]["externalTrafficPolicy"] = "Cluster";
  ASSERT_EQ(refusal(network, &local, cluster), "");
  EXPECT_FALSE(cluster["spec"].contains("healthCheckNodePort"));
  // Asked for on a service that cannot have one, or taken.
  Json wrong = service("NodePort");
  wrong["spec"]["healthCheckNodePort"] = 30005;
  EXPECT_NE(refusal(network, nullptr, wrong).find("may only be set when `type` is 'LoadBalancer'"),
            std::string::npos);
  Json taken = service("LoadBalancer");
  taken["spec"]["externalTrafficPolicy"] = "Local";
  taken["spec"]["healthCheckNodePort"] = 30005;
  EXPECT_NE(refusal(network, nullptr, taken, {{}, {30005}})
                .find("spec.healthCheckNodePort: Invalid value: 30005: provided port is already "
                      "allocated"),
            std::string::npos);
}

TEST(ServiceAddresses, AddressesOfAStoredService) {
  Json stored = {{"spec",
                  {{"type", "NodePort"},
                   {"clusterIP", "10.43.0.5"},
                   {"clusterIPs", {"10.43.0.5"}},
                   {"ports", {{{"port", 80}, {"nodePort", 30080}}}},
                   {"healthCheckNodePort", 30099}}}};
  auto held = apiserver::addresses_of(stored);
  EXPECT_EQ(held.cluster_ips, std::vector<uint32_t>{ip("10.43.0.5")});
  EXPECT_EQ(held.node_ports, (std::vector<int64_t>{30080, 30099}));
  Json headless = {{"spec", {{"clusterIP", "None"}, {"clusterIPs", {"None"}}}}};
  EXPECT_TRUE(apiserver::addresses_of(headless).cluster_ips.empty());
}

}  // namespace
}  // namespace skiff
