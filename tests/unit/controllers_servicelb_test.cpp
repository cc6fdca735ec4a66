// ServiceLB's decisions as a pure function of the services and the nodes.
#include <gtest/gtest.h>

#include "server/controllers/servicelb_decide.h"

namespace skiff::controllers {
namespace {

store::ObjectPtr lb(const std::string& name, const std::string& created, Json ports,
                    const std::string& type = "LoadBalancer", const std::string& klass = "") {
  Json spec = {{"type", type}, {"ports", std::move(ports)}};
  if (!klass.empty()) spec["loadBalancerClass"] = klass;
  return std::make_shared<const Json>(
      Json{{"metadata", {{"name", name}, {"namespace", "default"}, {"creationTimestamp", created}}},
           {"spec", spec}});
}

Json port(int number, const std::string& protocol = "TCP") {
  return {{"port", number}, {"protocol", protocol}};
}

store::ObjectPtr node(const std::string& name, Json addresses, bool ready = true,
                      Json labels = Json::object()) {
  return std::make_shared<const Json>(
      Json{{"metadata", {{"name", name}, {"labels", labels}}},
           {"status",
            {{"addresses", std::move(addresses)},
             {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}});
}

Json internal(const std::string& ip) {
  return {{"type", "InternalIP"}, {"address", ip}};
}
Json external(const std::string& ip) {
  return {{"type", "ExternalIP"}, {"address", ip}};
}

TEST(ServiceLb, EligibleNodeAddresses) {
  struct Case {
    std::string name;
    std::vector<store::ObjectPtr> nodes;
    std::vector<std::string> expected;
  };
  const Json enabled = {{kEnableLbLabel, "true"}};
  std::vector<Case> cases = {
      {"no nodes", {}, {}},
      {"InternalIP of every ready node",
       {node("a", {internal("192.168.1.2")}), node("b", {internal("192.168.1.3")}),
        node("down", {internal("192.168.1.4")}, false)},
       {"192.168.1.2", "192.168.1.3"}},
      {"ExternalIP wins",
       {node("a", {internal("192.168.1.2"), external("203.0.113.5")})},
       {"203.0.113.5"}},
      {"once a node is labelled, only labelled nodes",
       {node("a", {internal("192.168.1.2")}, true, enabled), node("b", {internal("192.168.1.3")})},
       {"192.168.1.2"}},
  };
  for (const auto& c : cases) EXPECT_EQ(load_balancer_addresses(c.nodes), c.expected) << c.name;
}

TEST(ServiceLb, OldestClaimHoldsAPort) {
  std::vector<store::ObjectPtr> nodes = {node("a", {internal("192.168.1.2")})};
  std::vector<store::ObjectPtr> services = {
      lb("second", "2026-01-02T00:00:00Z", {port(80)}),
      lb("first", "2026-01-01T00:00:00Z", {port(80), port(443)}),
      lb("udp", "2026-01-03T00:00:00Z", {port(80, "UDP")}),
      lb("other-class", "2026-01-01T00:00:00Z", {port(8080)}, "LoadBalancer", "example.com/lb"),
      lb("plain", "2026-01-01T00:00:00Z", {port(80)}, "ClusterIP"),
      lb("third", "2026-01-04T00:00:00Z", {port(8443), port(443)}),
  };
  auto decisions = decide_load_balancers(services, nodes);
  EXPECT_EQ(decisions.size(), 4u);  // other classes and other types are not ours
  EXPECT_EQ(decisions["default/first"].ingress, std::vector<std::string>{"192.168.1.2"});
  EXPECT_TRUE(decisions["default/second"].ingress.empty());
  EXPECT_EQ(decisions["default/second"].conflict, "80/TCP");
  EXPECT_EQ(decisions["default/second"].holder, "default/first");
  EXPECT_EQ(decisions["default/udp"].ingress, std::vector<std::string>{"192.168.1.2"});
  EXPECT_EQ(decisions["default/third"].conflict, "443/TCP");
  // A pending service holds nothing: 8443 stays free for a later one.
  services.push_back(lb("fourth", "2026-01-05T00:00:00Z", {port(8443)}));
  decisions = decide_load_balancers(services, nodes);
  EXPECT_EQ(decisions["default/fourth"].ingress, std::vector<std::string>{"192.168.1.2"});
  // When the holder goes, the next one gets the port.
  services.erase(services.begin() + 1);
  decisions = decide_load_balancers(services, nodes);
  EXPECT_EQ(decisions["default/second"].ingress, std::vector<std::string>{"192.168.1.2"});
}

TEST(ServiceLb, OwnClassIsServed) {
  EXPECT_TRUE(is_servicelb_service(*lb("a", "t", {port(80)}, "LoadBalancer", kServiceLbClass)));
  EXPECT_FALSE(is_servicelb_service(*lb("a", "t", {port(80)}, "LoadBalancer", "other")));
  EXPECT_FALSE(is_servicelb_service(*lb("a", "t", {port(80)}, "NodePort")));
}

}  // namespace
}  // namespace skiff::controllers
