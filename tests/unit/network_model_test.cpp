// The service proxy's model from API objects: what is proxied, how target ports resolve, which
// endpoints are usable, and that bad objects are reported and left out (never a crash).
#include <gtest/gtest.h>

#include "agent/network/proxy_model.h"
#include "tests/unit/support/network_objects.h"

namespace skiff::agent::network {
namespace {

using skiff::testing::network::endpoint;
using skiff::testing::network::endpoint_slice;
using skiff::testing::network::port;
using skiff::testing::network::service;

ProxyModelBuild build(Json services, Json slices = Json::array(), Json endpoints = Json::array()) {
  ProxyModelInput input;
  input.node_name = "node-a";
  input.services = std::move(services);
  input.endpoint_slices = std::move(slices);
  input.endpoints = std::move(endpoints);
  return build_proxy_model(input);
}

Json web_service(Json extra = Json::object()) {
  Json spec = {{"clusterIP", "10.43.0.10"},
               {"ports", {{{"name", "http"}, {"port", 80}, {"targetPort", "http"}}}}};
  for (auto& [key, value] : extra.items()) spec[key] = value;
  return service("web", spec);
}

TEST(NetworkModelTest, ResolvesTargetPortsByPortNameAndProtocol) {
  Json svc = service("dns", {{"clusterIP", "10.43.0.10"},
                             {"ports",
                              {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                               {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}}}}});
  Json slice = endpoint_slice("dns", {port("dns", 5353, "UDP"), port("dns-tcp", 5354)},
                              {endpoint("10.42.0.5", "node-a")});
  ProxyModelBuild result = build({svc}, {slice});
  ASSERT_TRUE(result.problems.empty()) << result.problems.front();
  ASSERT_EQ(result.model.ports.size(), 2u);
  // Sorted by protocol then port: TCP before UDP.
  EXPECT_EQ(result.model.ports[0].protocol, Protocol::Tcp);
  EXPECT_EQ(result.model.ports[0].backends.at(0).port, 5354);
  EXPECT_EQ(result.model.ports[1].protocol, Protocol::Udp);
  EXPECT_EQ(result.model.ports[1].backends.at(0).port, 5353);
  EXPECT_EQ(result.model.ports[1].backends.at(0).ip, "10.42.0.5");
}

TEST(NetworkModelTest, ReadsAddressesAffinityAndPolicies) {
  Json svc =
      service("lb",
              {{"type", "LoadBalancer"},
               {"clusterIP", "10.43.0.20"},
               {"clusterIPs", {"10.43.0.20", "fd00::20"}},
               {"externalIPs", {"203.0.113.7"}},
               {"ports", {{{"port", 443}, {"nodePort", 30443}}}},
               {"sessionAffinity", "ClientIP"},
               {"externalTrafficPolicy", "Local"},
               {"internalTrafficPolicy", "Local"}},
              {{"loadBalancer", {{"ingress", {{{"ip", "192.168.1.10"}}, {{"hostname", "x"}}}}}}});
  ProxyModelBuild result = build({svc});
  ASSERT_TRUE(result.problems.empty()) << result.problems.front();
  ASSERT_EQ(result.model.ports.size(), 1u);
  const ProxiedPort& lb = result.model.ports[0];
  EXPECT_EQ(lb.cluster_ips, std::vector<std::string>{"10.43.0.20"});  // IPv6 not proxied yet
  EXPECT_EQ(lb.external_ips, (std::vector<std::string>{"203.0.113.7", "192.168.1.10"}));
  EXPECT_EQ(lb.node_port, 30443);
  EXPECT_EQ(lb.affinity_timeout_seconds, 10800);  // Kubernetes' default
  EXPECT_EQ(lb.external_policy, TrafficPolicy::Local);
  EXPECT_EQ(lb.internal_policy, TrafficPolicy::Local);
  EXPECT_TRUE(lb.backends.empty());
}

TEST(NetworkModelTest, HeadlessAndExternalNameServicesAreNotProxied) {
  ProxyModelBuild result =
      build({service("headless", {{"clusterIP", "None"}, {"ports", {{{"port", 80}}}}}),
             service("alias", {{"type", "ExternalName"}, {"externalName", "example.com"}})});
  EXPECT_TRUE(result.problems.empty());
  EXPECT_TRUE(result.model.ports.empty());
}

TEST(NetworkModelTest, UsableEndpointsAreReadyOrElseServingTerminating) {
  Json slice = endpoint_slice(
      "web", {port("http", 8080)},
      {endpoint("10.42.0.1", "node-a", false, true, true), endpoint("10.42.0.2", "node-b", true),
       endpoint("10.42.0.3", "node-a", false, false, false)});
  ProxyModelBuild result = build({web_service()}, {slice});
  const ProxiedPort& web = result.model.ports.at(0);
  ASSERT_EQ(web.backends.size(), 3u);
  auto ips = [](const std::vector<Backend>& backends) {
    std::vector<std::string> out;
    for (const auto& b : backends) out.push_back(b.ip);
    return out;
  };
  EXPECT_EQ(ips(usable_backends(web, false, "node-a")), std::vector<std::string>{"10.42.0.2"});
  // On node-a only the terminating one is left, and it still serves: it is used.
  EXPECT_EQ(ips(usable_backends(web, true, "node-a")), std::vector<std::string>{"10.42.0.1"});
  EXPECT_TRUE(usable_backends(web, true, "node-c").empty());
}

TEST(NetworkModelTest, SlicesWinOverEndpointsAndDuplicatesCountOnce) {
  Json endpoints = {{"metadata", {{"name", "web"}, {"namespace", "default"}}},
                    {"subsets",
                     {{{"addresses", {{{"ip", "10.42.9.9"}}}},
                       {"ports", {{{"name", "http"}, {"port", 9090}}}}}}}};
  Json first = endpoint_slice("web", {port("http", 8080)}, {endpoint("10.42.0.1", "node-a")}, "a");
  Json second =
      endpoint_slice("web", {port("http", 8080)},
                     {endpoint("10.42.0.1", "node-a"), endpoint("10.42.0.2", "node-a")}, "b");
  ProxyModelBuild result = build({web_service()}, {second, first}, {endpoints});
  ASSERT_TRUE(result.problems.empty()) << result.problems.front();
  const auto& backends = result.model.ports.at(0).backends;
  ASSERT_EQ(backends.size(), 2u);
  EXPECT_EQ(backends[0].ip, "10.42.0.1");
  EXPECT_EQ(backends[1].ip, "10.42.0.2");

  // Without slices the Endpoints object is read: addresses ready, notReadyAddresses not.
  endpoints["subsets"][0]["notReadyAddresses"] = {{{"ip", "10.42.9.8"}, {"nodeName", "node-a"}}};
  result = build(Json{{"kind", "ServiceList"}, {"items", {web_service()}}}, Json::array(),
                 Json{{"items", {endpoints}}});
  ASSERT_TRUE(result.problems.empty()) << result.problems.front();
  const auto& legacy = result.model.ports.at(0).backends;
  ASSERT_EQ(legacy.size(), 2u);
  EXPECT_EQ(legacy[0].ip, "10.42.9.8");
  EXPECT_FALSE(legacy[0].ready);
  EXPECT_EQ(legacy[1].port, 9090);
  EXPECT_TRUE(legacy[1].ready);
}

TEST(NetworkModelTest, TheModelDoesNotDependOnListOrder) {
  Json a = service("a", {{"clusterIP", "10.43.0.1"}, {"ports", {{{"port", 80}}}}});
  Json b =
      service("b", {{"clusterIP", "10.43.0.2"}, {"ports", {{{"port", 80}}}}}, {}, "kube-system");
  ProxyModelBuild one = build({a, b});
  ProxyModelBuild two = build({b, a});
  ASSERT_EQ(one.model.ports.size(), 2u);
  EXPECT_EQ(one.model.ports[0].namespace_name, "default");
  EXPECT_EQ(two.model.ports[0].namespace_name, "default");
  EXPECT_EQ(two.model.ports[1].service_name, "b");
}

TEST(NetworkModelTest, BadObjectsAreReportedAndLeftOutWhileTheRestIsProxied) {
  Json good = web_service();
  Json bad_port = service("bad-port", {{"clusterIP", "10.43.0.2"}, {"ports", {{{"port", 70000}}}}});
  Json bad_ip = service("bad-ip", {{"clusterIP", "10.43.0.300"}, {"ports", {{{"port", 80}}}}});
  Json bad_name = service("Bad_Name", {{"clusterIP", "10.43.0.3"}, {"ports", {{{"port", 80}}}}});
  Json bad_protocol = service(
      "bad-proto", {{"clusterIP", "10.43.0.4"}, {"ports", {{{"port", 80}, {"protocol", "ICMP"}}}}});
  Json bad_policy = web_service({{"externalTrafficPolicy", "Nearby"}});
  bad_policy["metadata"]["name"] = "bad-policy";
  Json bad_slice = endpoint_slice("web", {port("http", 8080)}, {endpoint("not-an-ip", "node-a")});
  Json unlabelled = endpoint_slice("web", {port("http", 8080)}, {endpoint("10.42.0.1", "node-a")});
  unlabelled["metadata"].erase("labels");

  ProxyModelBuild result =
      build({good, bad_port, bad_ip, bad_name, bad_protocol, bad_policy, "text"},
            {bad_slice, unlabelled});
  ASSERT_EQ(result.model.ports.size(), 1u);
  EXPECT_EQ(result.model.ports[0].service_name, "web");
  std::string all;
  for (const auto& problem : result.problems) all += problem + "\n";
  EXPECT_EQ(result.problems.size(), 8u) << all;
  EXPECT_NE(all.find("Service default/bad-port: spec.ports[0].port: must be between 1 and 65535"),
            std::string::npos)
      << all;
  EXPECT_NE(
      all.find("Service default/bad-ip: spec.clusterIP: \"10.43.0.300\" is not an IP address"),
      std::string::npos)
      << all;
  EXPECT_NE(all.find("Service default/Bad_Name: metadata.name:"), std::string::npos) << all;
  EXPECT_NE(all.find("unsupported protocol \"ICMP\""), std::string::npos) << all;
  EXPECT_NE(all.find("spec.externalTrafficPolicy: must be Cluster or Local"), std::string::npos)
      << all;
  EXPECT_NE(all.find("Service: (object): must be an object"), std::string::npos) << all;
  EXPECT_NE(all.find("endpoints[0].addresses[0]: \"not-an-ip\" is not an IPv4 address"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("kubernetes.io/service-name"), std::string::npos) << all;
}

TEST(NetworkModelTest, ABadListOrClusterCidrIsAProblemNotACrash) {
  ProxyModelInput input;
  input.services = "not a list";
  input.cluster_cidr = "10.42.0.0/16; flush ruleset";
  ProxyModelBuild result = build_proxy_model(input);
  ASSERT_EQ(result.problems.size(), 2u);
  EXPECT_EQ(result.model.cluster_cidr, "");
  EXPECT_NE(result.problems[0].find("is not an IPv4 CIDR"), std::string::npos);
  EXPECT_EQ(result.problems[1], "services: must be a list of objects");
}

TEST(NetworkModelTest, AServiceListedTwiceIsAProblem) {
  ProxyModelBuild result = build({web_service(), web_service()});
  EXPECT_EQ(result.model.ports.size(), 1u);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0], "Service default/web: listed twice");
}

}  // namespace
}  // namespace skiff::agent::network
