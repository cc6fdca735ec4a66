// Services end to end with SIMULATED nodes (no containers, no kernel rules): a real
// `skiff server` allocates ClusterIPs and NodePorts, keeps Endpoints/EndpointSlices, runs
// ServiceLB and node IPAM; SimulatedNodes plays the kubelets (pods Ready with fake IPs). The
// real kubectl drives it as a user would.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "tests/integration/support/simulated_nodes.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

constexpr const char* kApp = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: busybox:1.36
        ports:
        - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: v1
kind: Service
metadata:
  name: web-np
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {port: 80, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {port: 8080, targetPort: http}
)";

class ServicesTest : public ::testing::Test {
 protected:
  explicit ServicesTest(std::vector<std::string> flags = {}) : server(std::move(flags)) {}

  void SetUp() override {
    if (access("/usr/bin/kubectl", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/kubectl is not installed: these tests drive the real kubectl";
    SimulatedNodesOptions options;
    options.server_url = server.url();
    options.client = server.admin_client_options();
    options.count = 2;
    options.lease_renew_interval = 500ms;
    nodes = std::make_unique<SimulatedNodes>(options);
    nodes->start();
  }
  void TearDown() override {
    if (nodes) nodes->stop();
  }

  Json get_json(const std::string& path) {
    auto response = client.request("GET", server.url() + path);
    if (response.status == 404) return nullptr;
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    return Json::parse(response.body, nullptr, false);
  }
  Json service(const std::string& name) {
    return get_json("/api/v1/namespaces/default/services/" + name);
  }

  // The ready and not-ready addresses of an Endpoints object, each "ip:port".
  std::pair<std::set<std::string>, std::set<std::string>> endpoint_addresses(
      const std::string& name) {
    std::set<std::string> ready, not_ready;
    Json endpoints = get_json("/api/v1/namespaces/default/endpoints/" + name);
    if (!endpoints.is_object()) return {};
    for (const auto& subset : endpoints.value("subsets", Json::array())) {
      for (const auto& port : subset.value("ports", Json::array())) {
        const std::string suffix = ":" + std::to_string(port.value("port", 0));
        for (const auto& a : subset.value("addresses", Json::array()))
          ready.insert(a.value("ip", "") + suffix);
        for (const auto& a : subset.value("notReadyAddresses", Json::array()))
          not_ready.insert(a.value("ip", "") + suffix);
      }
    }
    return {ready, not_ready};
  }
  size_t ready_endpoints(const std::string& name) { return endpoint_addresses(name).first.size(); }

  // Endpoints in the service's EndpointSlices that are ready.
  size_t ready_in_slices(const std::string& name) {
    Json slices = get_json(
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/"
        "service-name%3D" +
        name);
    size_t ready = 0;
    for (const auto& slice : slices.value("items", Json::array()))
      for (const auto& endpoint : slice.value("endpoints", Json::array()))
        if (endpoint.value("conditions", Json::object()).value("ready", false)) ++ready;
    return ready;
  }

  std::string load_balancer_ip(const std::string& name) {
    Json svc = service(name);
    if (!svc.is_object()) return "";
    Json ingress = svc.value("status", Json::object())
                       .value("loadBalancer", Json::object())
                       .value("ingress", Json());
    if (!ingress.is_array() || ingress.empty()) return "";
    return ingress[0].value("ip", "");
  }

  // The kubectl table row that starts with `name`.
  static std::string row(const std::string& table, const std::string& name) {
    size_t start = 0;
    while (start < table.size()) {
      size_t end = table.find('\n', start);
      std::string line = table.substr(start, end - start);
      if (line.rfind(name + " ", 0) == 0) return line;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return "";
  }

  TestServer server;
  std::unique_ptr<SimulatedNodes> nodes;
  http::HttpClient client{server.admin_client_options()};
};

TEST_F(ServicesTest, ClusterIpNodePortAndLoadBalancerFollowThePods) {
  EXPECT_OK(server.kubectl({"apply", "-f", "-"}, kApp));
  ASSERT_TRUE(wait_until([&] { return ready_endpoints("web") == 3; }, "3 ready endpoints"));

  // Addresses: in the service CIDR, node port in range, kubernetes has the first address.
  const Json web = service("web");
  const std::string web_ip = web["spec"]["clusterIP"];
  EXPECT_EQ(web_ip.rfind("10.43.", 0), 0u) << web_ip;
  const Json web_np = service("web-np");
  const int node_port = web_np["spec"]["ports"][0]["nodePort"];
  EXPECT_GE(node_port, 30000);
  EXPECT_LE(node_port, 32767);
  EXPECT_EQ(service("kubernetes")["spec"]["clusterIP"], "10.43.0.1");
  auto kubernetes = endpoint_addresses("kubernetes").first;
  EXPECT_EQ(kubernetes, std::set<std::string>{"127.0.0.1:" + std::to_string(server.port())});

  // Named targetPort resolved per pod; slices agree; LoadBalancer gets the nodes' address.
  for (const auto& address : endpoint_addresses("web").first)
    EXPECT_NE(address.find(":8080"), std::string::npos) << address;
  EXPECT_TRUE(wait_until([&] { return ready_in_slices("web") == 3; }, "3 ready in slices"));
  EXPECT_TRUE(wait_until([&] { return load_balancer_ip("web-lb") == "192.0.2.1"; }, "LB ingress"));

  // The tables as kubectl shows them.
  auto svc_table = server.kubectl({"get", "svc"});
  EXPECT_OK(svc_table);
  EXPECT_NE(svc_table.out.find("NAME"), std::string::npos);
  EXPECT_NE(svc_table.out.find("TYPE"), std::string::npos);
  EXPECT_NE(svc_table.out.find("CLUSTER-IP"), std::string::npos);
  EXPECT_NE(svc_table.out.find("EXTERNAL-IP"), std::string::npos);
  EXPECT_NE(svc_table.out.find("PORT(S)"), std::string::npos);
  EXPECT_NE(row(svc_table.out, "kubernetes").find("10.43.0.1"), std::string::npos);
  EXPECT_NE(row(svc_table.out, "kubernetes").find("443/TCP"), std::string::npos);
  EXPECT_NE(row(svc_table.out, "web-np").find("80:" + std::to_string(node_port) + "/TCP"),
            std::string::npos)
      << svc_table.out;
  EXPECT_NE(row(svc_table.out, "web-lb").find("192.0.2.1"), std::string::npos) << svc_table.out;
  auto ep_table = server.kubectl({"get", "endpoints", "web"});
  EXPECT_OK(ep_table);
  EXPECT_NE(ep_table.out.find("ENDPOINTS"), std::string::npos);
  EXPECT_NE(ep_table.out.find(":8080"), std::string::npos) << ep_table.out;

  // Scale to 0 and back: the endpoints follow.
  EXPECT_OK(server.kubectl({"scale", "deploy", "web", "--replicas=0"}));
  EXPECT_TRUE(wait_until([&] { return endpoint_addresses("web").first.empty(); }, "no endpoints"));
  EXPECT_TRUE(wait_until([&] { return ready_in_slices("web") == 0; }, "no ready in slices"));
  EXPECT_TRUE(wait_until(
      [&] {
        return row(server.kubectl({"get", "endpoints", "web"}).out, "web").find("<none>") !=
               std::string::npos;
      },
      "kubectl shows <none>"));
  EXPECT_OK(server.kubectl({"scale", "deploy", "web", "--replicas=2"}));
  EXPECT_TRUE(wait_until([&] { return ready_endpoints("web") == 2; }, "2 ready endpoints"));

  // A pod turning unready moves to notReadyAddresses.
  Json pods = get_json("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")["items"];
  std::string unready_pod;
  for (const auto& pod : pods)
    if (!pod["metadata"].contains("deletionTimestamp")) unready_pod = pod["metadata"]["name"];
  ASSERT_FALSE(unready_pod.empty());
  auto patched = client.request(
      "PATCH", server.url() + "/api/v1/namespaces/default/pods/" + unready_pod + "/status",
      Json{{"status", {{"conditions", {{{"type", "Ready"}, {"status", "False"}}}}}}}.dump(),
      {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_TRUE(wait_until(
      [&] {
        auto [ready, not_ready] = endpoint_addresses("web");
        return ready.size() == 1 && not_ready.size() == 1;
      },
      "one ready, one not ready"));

  // Taken addresses are refused with 422 worded as Kubernetes does.
  auto taken_ip = server.kubectl(
      {"create", "service", "clusterip", "taken", "--tcp=80", "--clusterip=" + web_ip});
  EXPECT_NE(taken_ip.exit_code, 0);
  EXPECT_NE(taken_ip.err.find("provided IP is already allocated"), std::string::npos)
      << taken_ip.err;
  auto taken_port = server.kubectl({"create", "service", "nodeport", "taken", "--tcp=80",
                                    "--node-port=" + std::to_string(node_port)});
  EXPECT_NE(taken_port.exit_code, 0);
  EXPECT_NE(taken_port.err.find("provided port is already allocated"), std::string::npos)
      << taken_port.err;
  auto out_of_range = server.kubectl(
      {"create", "service", "clusterip", "far", "--tcp=80", "--clusterip=192.168.9.9"});
  EXPECT_NE(out_of_range.err.find("provided IP is not in the valid range"), std::string::npos)
      << out_of_range.err;

  // A second LoadBalancer on the same port stays pending and an Event names the holder.
  EXPECT_OK(server.kubectl({"create", "service", "loadbalancer", "web-lb2", "--tcp=8080"}));
  EXPECT_TRUE(wait_until(
      [&] {
        auto events =
            server.kubectl({"get", "events", "--field-selector", "involvedObject.name=web-lb2"});
        return events.out.find("default/web-lb") != std::string::npos;
      },
      "an Event naming the holder"));
  EXPECT_EQ(load_balancer_ip("web-lb2"), "");
  EXPECT_NE(row(server.kubectl({"get", "svc", "web-lb2"}).out, "web-lb2").find("<pending>"),
            std::string::npos);
  // Once the holder is gone, it gets the port.
  EXPECT_OK(server.kubectl({"delete", "svc", "web-lb"}));
  EXPECT_TRUE(wait_until([&] { return load_balancer_ip("web-lb2") == "192.0.2.1"; },
                         "web-lb2 gets the port"));

  // skiff kubectl expose makes a working service from the Deployment.
  auto exposed =
      server.skiff_kubectl({"expose", "deployment", "web", "--port=81", "--target-port=http",
                            "--type=NodePort", "--name=web-exposed"});
  EXPECT_OK(exposed);
  EXPECT_EQ(exposed.out, "service/web-exposed exposed\n");
  EXPECT_TRUE(wait_until([&] { return ready_endpoints("web-exposed") == 1; }, "exposed endpoints"));
  auto skiff_table = server.skiff_kubectl({"get", "svc", "web-exposed"});
  EXPECT_NE(skiff_table.out.find("81:"), std::string::npos) << skiff_table.out;
}

TEST_F(ServicesTest, AllocationsAndPodCidrsSurviveARestart) {
  EXPECT_OK(server.kubectl({"apply", "-f", "-"}, kApp));
  ASSERT_TRUE(wait_until([&] { return ready_endpoints("web") == 3; }, "3 ready endpoints"));
  auto pod_cidrs = [&] {
    std::set<std::string> cidrs;
    const Json nodes = get_json("/api/v1/nodes");
    for (const auto& node : nodes.value("items", Json::array())) {
      const Json spec = node.value("spec", Json::object());
      std::string cidr = spec.value("podCIDR", "");
      if (cidr.empty()) continue;
      cidrs.insert(cidr);
      EXPECT_EQ(spec.value("podCIDRs", Json::array()), Json::array({cidr}));
    }
    return cidrs;
  };
  ASSERT_TRUE(wait_until([&] { return pod_cidrs().size() == 2; }, "two distinct pod CIDRs"));
  const auto cidrs_before = pod_cidrs();
  for (const auto& cidr : cidrs_before) EXPECT_EQ(cidr.rfind("10.42.", 0), 0u) << cidr;
  const Json web_before = service("web");
  const Json np_before = service("web-np");

  server.stop();
  server.start();

  EXPECT_EQ(service("web")["spec"]["clusterIP"], web_before["spec"]["clusterIP"]);
  EXPECT_EQ(service("web-np")["spec"]["ports"][0]["nodePort"],
            np_before["spec"]["ports"][0]["nodePort"]);
  EXPECT_EQ(pod_cidrs(), cidrs_before);
  // New allocations avoid the ones made before the restart.
  const std::string web_ip = web_before["spec"]["clusterIP"];
  auto again = server.kubectl(
      {"create", "service", "clusterip", "again", "--tcp=80", "--clusterip=" + web_ip});
  EXPECT_NE(again.err.find("provided IP is already allocated"), std::string::npos) << again.err;
  std::set<std::string> ips;
  std::set<int> ports;
  for (int i = 0; i < 5; ++i) {
    EXPECT_OK(
        server.kubectl({"create", "service", "nodeport", "n" + std::to_string(i), "--tcp=80"}));
  }
  const Json services = get_json("/api/v1/namespaces/default/services");
  for (const auto& svc : services["items"]) {
    EXPECT_TRUE(ips.insert(svc["spec"].value("clusterIP", "")).second) << svc.dump();
    for (const auto& port : svc["spec"]["ports"]) {
      if (port.contains("nodePort")) {
        EXPECT_TRUE(ports.insert(port["nodePort"].get<int>()).second);
      }
    }
  }
  // The kubernetes Service points at the restarted API server; the endpoints are still there.
  EXPECT_TRUE(wait_until(
      [&] {
        return endpoint_addresses("kubernetes").first ==
               std::set<std::string>{"127.0.0.1:" + std::to_string(server.port())};
      },
      "kubernetes endpoints"));
  EXPECT_TRUE(wait_until([&] { return ready_endpoints("web") == 3; }, "3 ready endpoints"));
}

class ServiceLbDisabledTest : public ServicesTest {
 protected:
  ServiceLbDisabledTest() : ServicesTest({"--disable", "servicelb"}) {}
};

TEST_F(ServiceLbDisabledTest, LoadBalancersStayPending) {
  EXPECT_OK(server.kubectl({"apply", "-f", "-"}, kApp));
  // The endpoints controller has acted on these services, so ServiceLB would have too.
  ASSERT_TRUE(wait_until([&] { return ready_endpoints("web-lb") == 3; }, "endpoints of web-lb"));
  EXPECT_EQ(load_balancer_ip("web-lb"), "");
  EXPECT_NE(row(server.kubectl({"get", "svc", "web-lb"}).out, "web-lb").find("<pending>"),
            std::string::npos);
}

}  // namespace
}  // namespace skiff::testing
