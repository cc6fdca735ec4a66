// Services end to end, as a user tries them: real podman pods, the real kubectl, and every node a
// network namespace of its own (support/node_lan.h) with its own podman, so the host's network
// is never touched.
//  - One node: a Deployment behind a ClusterIP, a NodePort and a LoadBalancer Service, reached
//    from a pod by name (cluster DNS) and by ClusterIP, and from a machine on the LAN by node
//    port and load balancer address; scaling to 0 and back moves the endpoints; an
//    ExternalName Service resolves as a CNAME.
//  - Two nodes, host-gw (one shared link) and VXLAN (nodes on different subnets, routed): a pod
//    on each reaches the other by pod IP and through a Service, and the server sees the client
//    pod's own address (no NAT between pods). With VXLAN, node-1 starts with the vxlan device an
//    earlier run left behind (an address of its pod subnet on it, no podman network).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <sstream>

#include "pkg/api/json.h"
#include "tests/integration/support/agent_process.h"
#include "tests/integration/support/netns.h"
#include "tests/integration/support/node_lan.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "services-test-token";

::testing::AssertionResult ok(const CommandResult& result) {
  if (result.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "exit code " << result.exit_code << "\n"
                                       << result.out << "\n"
                                       << result.err;
}

// httpd on 8080 answering "/" with the pod's name and /cgi-bin/ip with the client's address.
std::string echo_pod_template(const std::string& image) {
  return R"(
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: echo
        image: )" +
         image + R"(
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
        command:
        - sh
        - -c
        - |
          mkdir -p /www/cgi-bin
          hostname > /www/index.html
          printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho $REMOTE_ADDR\n' > /www/cgi-bin/ip
          chmod 755 /www/cgi-bin/ip
          exec httpd -f -p 8080 -h /www
)";
}

std::string client_pod_yaml(const std::string& image, const std::string& node) {
  return R"(apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeSelector: {kubernetes.io/hostname: )" +
         node + R"(}
  terminationGracePeriodSeconds: 0
  containers:
  - name: client
    image: )" +
         image + R"(
    imagePullPolicy: IfNotPresent
    command: [sleep, "3600"]
)";
}

class ServicesPodmanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& reason :
         {PodmanTestEnv::unavailable_reason(), netns_unavailable_reason()}) {
      if (!reason.empty()) GTEST_SKIP() << reason;
    }
  }

  // What `wget -qO- URL` prints inside the client pod ("" when it fails).
  static std::string from_client(TestServer& server, const std::string& url) {
    CommandResult result = server.kubectl({"exec", "client", "--", "wget", "-qO-", url});
    return result.exit_code == 0 ? result.out : "";
  }

  static std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  // busybox httpd gives CGI scripts the client as an IPv4-mapped IPv6 address in brackets.
  static std::string ipv4_client(std::string text) {
    text = trimmed(std::move(text));
    if (text.starts_with("[::ffff:") && text.ends_with("]")) return text.substr(8, text.size() - 9);
    return text;
  }

  // curl from a namespace: a machine outside the cluster.
  static std::string curl_from(const NetworkNamespace& ns, const std::string& url) {
    CommandResult result = ns.exec({"curl", "-s", "-m", "5", url});
    return result.exit_code == 0 ? trimmed(result.out) : "";
  }

  static std::set<std::string> pod_names(TestServer& server, const std::string& selector) {
    std::set<std::string> names;
    Json pods = server.get_json({"pods", "-l", selector});
    if (!pods.is_object()) return names;
    for (const auto& pod : pods["items"]) names.insert(pod["metadata"]["name"].get<std::string>());
    return names;
  }
};

TEST_F(ServicesPodmanTest, ADeploymentBehindClusterIpNodePortAndLoadBalancerAsAUserSeesIt) {
  NodeLan lan(LanLayout::kSharedLink, 1, "svc1");
  PodmanTestEnv podman(lan.node(0).name());
  TestServer server(
      {"--disable-agent=false", "--token", kToken, "--node-name", "node-0", "--node-ip",
       lan.node_ip(0), "--container-runtime-endpoint", podman.socket_path()},
      "", lan.node(0).name());
  ASSERT_TRUE(eventually([&] { return server.node_ready("node-0"); }, 30s))
      << server.kubectl({"get", "nodes", "-o", "yaml"}).out;

  std::string manifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}})" +
                         echo_pod_template(podman.image()) + R"(---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 8081, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: docs}
spec:
  type: ExternalName
  externalName: docs.example.org
---
)" + client_pod_yaml(podman.image(), "node-0");
  ASSERT_TRUE(ok(server.kubectl({"apply", "-f", "-"}, manifest)));
  ASSERT_TRUE(ok(server.kubectl({"rollout", "status", "deployment/web", "--timeout=90s"})));
  ASSERT_TRUE(ok(server.kubectl({"wait", "--for=condition=Ready", "pod/client", "--timeout=60s"})));
  const std::set<std::string> web_pods = pod_names(server, "app=web");
  ASSERT_EQ(web_pods.size(), 2u);

  // Pod IPs come out of the node's pod subnet.
  const Json node = server.get_json({"node", "node-0"});
  const std::string pod_cidr = node["spec"].value("podCIDR", "");
  ASSERT_FALSE(pod_cidr.empty());
  const std::string subnet_prefix = pod_cidr.substr(0, pod_cidr.rfind('.') + 1);
  for (const auto& pod : server.get_json({"pods"})["items"])
    EXPECT_EQ(pod["status"].value("podIP", "").rfind(subnet_prefix, 0), 0u) << pod.dump();

  // From a pod: by name (full and short, through the pod's search path) and by ClusterIP.
  const std::string cluster_ip = server.get_json({"service", "web"})["spec"]["clusterIP"];
  std::set<std::string> answered;
  const std::vector<std::string> urls = {"http://web.default.svc.cluster.local:80/", "http://web/",
                                         "http://" + cluster_ip + "/"};
  for (const std::string& url : urls) {
    ASSERT_TRUE(eventually([&] { return !from_client(server, url).empty(); }, 10s)) << url;
    for (int i = 0; i < 8; ++i) answered.insert(trimmed(from_client(server, url)));
  }
  answered.erase("");
  EXPECT_EQ(answered, web_pods) << "requests are spread over both pods";

  // From a machine on the LAN: the node port on the node's address, and the load balancer.
  const Json np = server.get_json({"service", "web-np"});
  const std::string node_port = std::to_string(np["spec"]["ports"][0]["nodePort"].get<int>());
  EXPECT_TRUE(web_pods.count(curl_from(lan.lan(), "http://" + lan.node_ip(0) + ":" + node_port)));
  ASSERT_TRUE(eventually(
      [&] {
        Json lb = server.get_json({"service", "web-lb"});
        return lb.is_object() &&
               !lb["status"]["loadBalancer"].value("ingress", Json::array()).empty();
      },
      20s));
  const std::string lb_ip =
      server.get_json({"service", "web-lb"})["status"]["loadBalancer"]["ingress"][0]["ip"];
  EXPECT_EQ(lb_ip, lan.node_ip(0));
  EXPECT_TRUE(web_pods.count(curl_from(lan.lan(), "http://" + lb_ip + ":8081/")));

  // Scaled to 0: terminating pods still serve while they drain (as kube-proxy does it); once
  // they are gone the service has no endpoints and refuses at once. Scaled back it answers.
  ASSERT_TRUE(ok(server.kubectl({"scale", "deployment/web", "--replicas=0"})));
  ASSERT_TRUE(eventually(
      [&] {
        Json endpoints = server.get_json({"endpoints", "web"});
        return endpoints.is_object() && endpoints.value("subsets", Json::array()).empty();
      },
      60s));
  ASSERT_TRUE(eventually([&] { return pod_names(server, "app=web").empty(); }, 60s));
  EXPECT_TRUE(eventually([&] { return from_client(server, "http://web/").empty(); }, 5s));
  ASSERT_TRUE(ok(server.kubectl({"scale", "deployment/web", "--replicas=2"})));
  ASSERT_TRUE(ok(server.kubectl({"rollout", "status", "deployment/web", "--timeout=90s"})));
  EXPECT_TRUE(eventually([&] { return !from_client(server, "http://web/").empty(); }, 10s));

  // ExternalName: a CNAME to the external name.
  CommandResult lookup = server.kubectl(
      {"exec", "client", "--", "nslookup", "-type=CNAME", "docs.default.svc.cluster.local"});
  EXPECT_NE(lookup.out.find("docs.example.org"), std::string::npos) << lookup.out << lookup.err;

  ASSERT_TRUE(ok(server.kubectl({"delete", "deployment/web", "pod/client", "--grace-period=1"})));
}

class ServicesMultiNodeTest : public ServicesPodmanTest,
                              public ::testing::WithParamInterface<const char*> {};

TEST_P(ServicesMultiNodeTest, PodsOnTwoNodesReachEachOtherByPodIpAndThroughAService) {
  const std::string backend = GetParam();
  NodeLan lan(backend == "host-gw" ? LanLayout::kSharedLink : LanLayout::kRouted, 2,
              backend == "host-gw" ? "hgw" : "vxl");
  PodmanTestEnv podman0(lan.node(0).name());
  PodmanTestEnv podman1(lan.node(1).name());
  TestServer server(
      {"--disable-agent=false", "--token", kToken, "--bind-address", "0.0.0.0", "--node-name",
       "node-0", "--node-ip", lan.node_ip(0), "--container-runtime-endpoint", podman0.socket_path(),
       "--network-backend", backend},
      "", lan.node(0).name());
  if (backend == "vxlan") {
    // What an earlier run may leave on a node: skiff's vxlan device holding an address of the
    // node's pod subnet (whichever node-1 gets), and no podman network. podman refuses to make
    // a network whose subnet is on the host; the agent must clear the device first.
    const std::string ns = lan.node(1).name();
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"ip", "link", "add", "skiff-vxlan", "type", "vxlan", "id", "1",
                                   "dstport", "8472"},
          {"ip", "addr", "add", "10.42.0.0/32", "dev", "skiff-vxlan"},
          {"ip", "addr", "add", "10.42.1.0/32", "dev", "skiff-vxlan"},
          {"ip", "link", "set", "skiff-vxlan", "up"}}) {
      CommandResult result = run_command(in_netns(ns, command));
      ASSERT_EQ(result.exit_code, 0) << result.err;
    }
  }
  TempDir agent_dir;
  AgentProcess agent(in_netns(lan.node(1).name(),
                              {SKIFF_BINARY, "agent", "--server",
                               "https://" + lan.node_ip(0) + ":" + std::to_string(server.port()),
                               "--token", server.node_token(), "--node-name", "node-1", "--node-ip",
                               lan.node_ip(1), "--data-dir", agent_dir.path(),
                               "--container-runtime-endpoint", podman1.socket_path()}),
                     agent_dir.path() + "/agent.log");
  ASSERT_TRUE(
      eventually([&] { return server.node_ready("node-0") && server.node_ready("node-1"); }, 40s))
      << agent.log();

  const std::string manifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 1
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}})" +
                               echo_pod_template(podman1.image()) +
                               R"(      nodeSelector: {kubernetes.io/hostname: node-1}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: http}]
---
)" + client_pod_yaml(podman0.image(), "node-0");
  ASSERT_TRUE(ok(server.kubectl({"apply", "-f", "-"}, manifest)));
  ASSERT_TRUE(ok(server.kubectl({"rollout", "status", "deployment/echo", "--timeout=90s"})))
      << agent.log();
  ASSERT_TRUE(ok(server.kubectl({"wait", "--for=condition=Ready", "pod/client", "--timeout=60s"})));

  const Json client = server.get_json({"pod", "client"});
  const std::string client_ip = client["status"]["podIP"];
  const Json echo = server.get_json({"pods", "-l", "app=echo"})["items"][0];
  ASSERT_EQ(echo["spec"]["nodeName"], "node-1");
  const std::string echo_ip = echo["status"]["podIP"];
  EXPECT_NE(client_ip.substr(0, client_ip.rfind('.')), echo_ip.substr(0, echo_ip.rfind('.')))
      << "each node has its own pod subnet";

  std::string seen;
  ASSERT_TRUE(eventually(
      [&] {
        seen = ipv4_client(from_client(server, "http://" + echo_ip + ":8080/cgi-bin/ip"));
        return !seen.empty();
      },
      20s))
      << "pod IP across nodes over " << backend << "\n"
      << agent.log();
  EXPECT_EQ(seen, client_ip) << "no NAT between pods";
  EXPECT_EQ(ipv4_client(from_client(server, "http://echo.default.svc.cluster.local/cgi-bin/ip")),
            client_ip)
      << "through the Service on the other node";

  ASSERT_TRUE(ok(server.kubectl({"delete", "deployment/echo", "pod/client", "--grace-period=1"})));
}

INSTANTIATE_TEST_SUITE_P(Backends, ServicesMultiNodeTest, ::testing::Values("host-gw", "vxlan"),
                         [](const auto& info) {
                           return std::string(info.param) == "host-gw" ? "HostGw" : "Vxlan";
                         });

}  // namespace
}  // namespace skiff::testing
