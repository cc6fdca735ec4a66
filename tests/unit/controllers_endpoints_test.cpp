// Endpoints and EndpointSlices as pure functions of a Service and its namespace's pods.
#include <gtest/gtest.h>

#include "server/controllers/endpoints_compute.h"

namespace skiff::controllers {
namespace {

Json service(Json ports = Json::array(
                 {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", "web"}}}),
             bool publish_not_ready = false) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata",
           {{"name", "web"},
            {"namespace", "default"},
            {"uid", "svc-uid"},
            {"labels", {{"tier", "front"}}}}},
          {"spec",
           {{"selector", {{"app", "web"}}},
            {"ports", std::move(ports)},
            {"publishNotReadyAddresses", publish_not_ready}}}};
}

struct PodShape {
  std::string name;
  std::string ip;
  bool ready = true;
  int web_port = 8080;  // the number of the container port named "web"
  bool terminating = false;
  std::string app = "web";
  std::string phase = "Running";
};

store::ObjectPtr pod(const PodShape& shape) {
  Json metadata = {{"name", shape.name},
                   {"namespace", "default"},
                   {"uid", "uid-" + shape.name},
                   {"labels", {{"app", shape.app}}}};
  if (shape.terminating) metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  Json status = {{"phase", shape.phase},
                 {"conditions", {{{"type", "Ready"}, {"status", shape.ready ? "True" : "False"}}}}};
  if (!shape.ip.empty()) status["podIP"] = shape.ip;
  return std::make_shared<const Json>(Json{
      {"metadata", metadata},
      {"spec",
       {{"nodeName", "node-1"},
        {"containers",
         {{{"name", "c"}, {"ports", {{{"name", "web"}, {"containerPort", shape.web_port}}}}}}}}},
      {"status", status}});
}

// "ip:port" lists of each subset's addresses and notReadyAddresses, for compact expectations.
std::vector<std::string> describe(const Json& endpoints) {
  std::vector<std::string> out;
  for (const auto& subset : endpoints.value("subsets", Json::array())) {
    std::string ports;
    for (const auto& port : subset.value("ports", Json::array()))
      ports += (ports.empty() ? "" : ",") + std::to_string(port["port"].get<int>());
    std::string line = "ports=" + ports + " ready=";
    for (const auto& address : subset.value("addresses", Json::array()))
      line += address["ip"].get<std::string>() + " ";
    line += "notready=";
    for (const auto& address : subset.value("notReadyAddresses", Json::array()))
      line += address["ip"].get<std::string>() + " ";
    out.push_back(line);
  }
  return out;
}

TEST(Endpoints, SubsetsFromPods) {
  struct Case {
    std::string name;
    Json service;
    std::vector<PodShape> pods;
    std::vector<std::string> expected;
  };
  std::vector<Case> cases = {
      {"no pods", service(), {}, {}},
      {"ready and not ready",
       service(),
       {{"a", "10.42.0.2"}, {"b", "10.42.0.3", false}},
       {"ports=8080 ready=10.42.0.2 notready=10.42.0.3 "}},
      {"publishNotReadyAddresses puts not-ready ones in addresses",
       service(Json::array(
                   {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", "web"}}}),
               true),
       {{"a", "10.42.0.2"}, {"b", "10.42.0.3", false}},
       {"ports=8080 ready=10.42.0.2 10.42.0.3 notready="}},
      {"different numbers for a named port make different subsets",
       service(),
       {{"a", "10.42.0.2", true, 8080},
        {"b", "10.42.0.3", true, 9090},
        {"c", "10.42.0.4", true, 8080}},
       {"ports=8080 ready=10.42.0.2 10.42.0.4 notready=", "ports=9090 ready=10.42.0.3 notready="}},
      {"left out: no IP, other labels, terminating, finished",
       service(),
       {{"noip", ""},
        {"other", "10.42.0.5", true, 8080, false, "db"},
        {"leaving", "10.42.0.6", true, 8080, true},
        {"done", "10.42.0.7", true, 8080, false, "web", "Succeeded"},
        {"kept", "10.42.0.8"}},
       {"ports=8080 ready=10.42.0.8 notready="}},
      {"a numbered targetPort needs no container port",
       service(Json::array({{{"port", 80}, {"protocol", "TCP"}, {"targetPort", 7000}}})),
       {{"a", "10.42.0.2"}},
       {"ports=7000 ready=10.42.0.2 notready="}},
      {"a pod without the named port is left out",
       service(Json::array({{{"port", 80}, {"protocol", "TCP"}, {"targetPort", "metrics"}}})),
       {{"a", "10.42.0.2"}},
       {}},
  };
  for (const auto& c : cases) {
    std::vector<store::ObjectPtr> pods;
    for (const auto& shape : c.pods) pods.push_back(pod(shape));
    Json endpoints = compute_endpoints(c.service, pods);
    EXPECT_EQ(describe(endpoints), c.expected) << c.name;
    EXPECT_EQ(endpoints["metadata"]["name"], "web") << c.name;
    EXPECT_EQ(endpoints["metadata"]["labels"]["tier"], "front") << c.name;
    if (c.expected.empty()) {
      EXPECT_FALSE(endpoints.contains("subsets")) << c.name;
    }
  }
}

TEST(Endpoints, AddressCarriesNodeAndTargetRef) {
  Json endpoints = compute_endpoints(service(), {pod({"a", "10.42.0.2"})});
  const Json& address = endpoints["subsets"][0]["addresses"][0];
  EXPECT_EQ(address["nodeName"], "node-1");
  EXPECT_EQ(address["targetRef"],
            (Json{{"kind", "Pod"}, {"namespace", "default"}, {"name", "a"}, {"uid", "uid-a"}}));
  EXPECT_EQ(endpoints["subsets"][0]["ports"],
            Json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}));
}

TEST(EndpointSlices, ConditionsLabelsAndGrouping) {
  std::vector<store::ObjectPtr> pods = {pod({"a", "10.42.0.2"}), pod({"b", "10.42.0.3", false}),
                                        pod({"c", "10.42.0.4", true, 8080, true}),
                                        pod({"d", "10.42.0.5", true, 9090})};
  auto slices = compute_endpoint_slices(service(), pods);
  ASSERT_EQ(slices.size(), 2u);  // one per resolved port set
  const Json* main = nullptr;
  for (const auto& slice : slices) {
    EXPECT_EQ(slice["metadata"]["labels"][kServiceNameLabel], "web");
    EXPECT_EQ(slice["metadata"]["labels"][kManagedByLabel], kEndpointSliceController);
    EXPECT_EQ(slice["metadata"]["ownerReferences"][0]["uid"], "svc-uid");
    EXPECT_EQ(slice["addressType"], "IPv4");
    EXPECT_EQ(slice["metadata"]["name"].get<std::string>().rfind("web-", 0), 0u);
    if (slice["ports"][0]["port"] == 8080) main = &slice;
  }
  ASSERT_NE(main, nullptr);
  ASSERT_EQ((*main)["endpoints"].size(), 3u);
  auto conditions = [&](size_t i) { return (*main)["endpoints"][i]["conditions"]; };
  EXPECT_EQ(conditions(0), (Json{{"ready", true}, {"serving", true}, {"terminating", false}}));
  EXPECT_EQ(conditions(1), (Json{{"ready", false}, {"serving", false}, {"terminating", false}}));
  // A terminating ready pod stays, serving but not ready.
  EXPECT_EQ(conditions(2), (Json{{"ready", false}, {"serving", true}, {"terminating", true}}));
  EXPECT_EQ((*main)["ports"],
            Json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}));
  // Recomputing names the slices the same.
  auto again = compute_endpoint_slices(service(), pods);
  EXPECT_EQ(again, slices);
}

TEST(EndpointSlices, PlaceholderAndChunks) {
  auto empty = compute_endpoint_slices(service(), {});
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0]["endpoints"].empty());
  std::vector<store::ObjectPtr> many;
  for (int i = 0; i < 150; ++i)
    many.push_back(pod({"p" + std::to_string(i),
                        "10.42." + std::to_string(i / 200) + "." + std::to_string(i + 2)}));
  auto slices = compute_endpoint_slices(service(), many);
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(slices[0]["endpoints"].size() + slices[1]["endpoints"].size(), 150u);
  EXPECT_LE(slices[0]["endpoints"].size(), static_cast<size_t>(kMaxEndpointsPerSlice));
}

TEST(Endpoints, TargetPortResolution) {
  auto p = pod({"a", "10.42.0.2", true, 8443});
  EXPECT_EQ(resolve_target_port(Json{{"port", 80}, {"targetPort", "web"}}, *p), 8443);
  EXPECT_EQ(resolve_target_port(Json{{"port", 80}, {"targetPort", 81}}, *p), 81);
  EXPECT_EQ(resolve_target_port(Json{{"port", 80}}, *p), 80);
  EXPECT_EQ(resolve_target_port(Json{{"port", 80}, {"targetPort", "nope"}}, *p), std::nullopt);
  // A named port only matches its protocol.
  EXPECT_EQ(resolve_target_port(Json{{"port", 80}, {"targetPort", "web"}, {"protocol", "UDP"}}, *p),
            std::nullopt);
}

}  // namespace
}  // namespace skiff::controllers
