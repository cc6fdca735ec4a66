// The Ingress end to end, as the issue's user tries it: real podman pods, the real kubectl and
// `skiff kubectl`, one node in a network namespace of its own (support/node_lan.h) serving the
// embedded ingress on its ports 80 and 443, and curl from a machine on the LAN namespace with
// --resolve to the node's address:
//  - two Deployments behind Services, one Ingress routing a.example.test/ to one and
//    b.example.test/api to the other, and a TLS host with a Secret made by `openssl req`
//    (`skiff kubectl create secret tls`);
//  - the right backend for each host and path, 404 for an unknown host and an unrouted path,
//    the Secret's certificate in the handshake (curl checks it against the certificate as CA),
//    the node address in the Ingress status (kubectl get ingress), and 503 once a backend is
//    scaled to 0.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "pkg/api/json.h"
#include "tests/integration/support/netns.h"
#include "tests/integration/support/node_lan.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

::testing::AssertionResult ok(const CommandResult& result) {
  if (result.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "exit code " << result.exit_code << "\n"
                                       << result.out << "\n"
                                       << result.err;
}

// A Deployment of busybox httpd on 8080 answering "<app> <pod name>" on / and on /api/, and its
// Service (port 80, named "web").
std::string deployment(const std::string& app, const std::string& image) {
  std::string manifest = R"yaml(apiVersion: apps/v1
kind: Deployment
metadata: {name: APP}
spec:
  replicas: 1
  selector: {matchLabels: {app: APP}}
  template:
    metadata: {labels: {app: APP}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: IMAGE
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
        command:
        - sh
        - -c
        - |
          mkdir -p /www/api
          echo "APP $(hostname)" > /www/index.html
          cp /www/index.html /www/api/index.html
          exec httpd -f -p 8080 -h /www
---
apiVersion: v1
kind: Service
metadata: {name: APP}
spec:
  selector: {app: APP}
  ports: [{name: web, port: 80, targetPort: http}]
---
)yaml";
  for (auto [token, value] : {std::pair<std::string, std::string>{"APP", app}, {"IMAGE", image}}) {
    for (auto at = manifest.find(token); at != std::string::npos;
         at = manifest.find(token, at + value.size())) {
      manifest.replace(at, token.size(), value);
    }
  }
  return manifest;
}

constexpr const char* kIngress = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  tls:
  - hosts: [secure.example.test]
    secretName: secure-tls
  rules:
  - host: a.example.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}
  - host: b.example.test
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: beta, port: {name: web}}}}
  - host: secure.example.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}
)";

class IngressPodmanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& reason :
         {PodmanTestEnv::unavailable_reason(), netns_unavailable_reason()}) {
      if (!reason.empty()) GTEST_SKIP() << reason;
    }
  }
};

struct Fetched {
  int exit_code = -1;
  std::string status;  // "200", "404", ...
  std::string body;
};

// curl from the LAN namespace to `url`, its host resolved to the node's address.
Fetched fetch(const NetworkNamespace& from, const std::string& node_ip, const std::string& host,
              int port, const std::string& url, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {"curl",      "-sS",
                                   "-m",        "5",
                                   "-w",        "\n%{http_code}",
                                   "--resolve", host + ":" + std::to_string(port) + ":" + node_ip};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  CommandResult result = from.exec(argv);
  Fetched fetched;
  fetched.exit_code = result.exit_code;
  const auto newline = result.out.rfind('\n');
  if (newline != std::string::npos) {
    fetched.status = result.out.substr(newline + 1);
    fetched.body = result.out.substr(0, newline);
  }
  if (result.exit_code != 0) fetched.body += result.err;
  return fetched;
}

TEST_F(IngressPodmanTest, HostsPathsTlsAndUnavailableBackendsAsAUserSeesThem) {
  NodeLan lan(LanLayout::kSharedLink, 1, "ing");
  PodmanTestEnv podman(lan.node(0).name());
  TestServer server({"--disable-agent=false", "--node-name", "node-0", "--node-ip", lan.node_ip(0),
                     "--container-runtime-endpoint", podman.socket_path()},
                    "", lan.node(0).name());
  ASSERT_TRUE(eventually([&] { return server.node_ready("node-0"); }, 30s));

  TempDir certs;
  ASSERT_TRUE(ok(
      run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                   "/CN=secure.example.test", "-addext", "subjectAltName=DNS:secure.example.test",
                   "-keyout", certs.path() + "/tls.key", "-out", certs.path() + "/tls.crt"})));
  ASSERT_TRUE(
      ok(server.skiff_kubectl({"create", "secret", "tls", "secure-tls", "--cert",
                               certs.path() + "/tls.crt", "--key", certs.path() + "/tls.key"})));
  ASSERT_TRUE(
      ok(server.kubectl({"apply", "-f", "-"}, deployment("alpha", podman.image()) +
                                                  deployment("beta", podman.image()) + kIngress)));
  ASSERT_TRUE(ok(server.kubectl({"rollout", "status", "deployment/alpha", "--timeout=90s"})));
  ASSERT_TRUE(ok(server.kubectl({"rollout", "status", "deployment/beta", "--timeout=90s"})));

  // The default IngressClass was given, and the status names the node.
  ASSERT_TRUE(eventually(
      [&] {
        CommandResult listed = server.kubectl({"get", "ingress", "shop", "--no-headers"});
        return listed.out.find("skiff") != std::string::npos &&
               listed.out.find(lan.node_ip(0)) != std::string::npos;
      },
      30s))
      << server.kubectl({"get", "ingress", "-o", "yaml"}).out;
  CommandResult listed = server.kubectl({"get", "ingress", "shop"});
  EXPECT_NE(listed.out.find("80, 443"), std::string::npos) << listed.out;

  const NetworkNamespace& lan_host = lan.lan();
  const std::string node_ip = lan.node_ip(0);
  Fetched alpha;
  ASSERT_TRUE(eventually(
      [&] {
        alpha = fetch(lan_host, node_ip, "a.example.test", 80, "http://a.example.test/");
        return alpha.status == "200";
      },
      30s))
      << alpha.status << " " << alpha.body;
  EXPECT_EQ(alpha.body.rfind("alpha alpha-", 0), 0u) << alpha.body;

  Fetched beta = fetch(lan_host, node_ip, "b.example.test", 80, "http://b.example.test/api/");
  EXPECT_EQ(beta.status, "200") << beta.body;
  EXPECT_EQ(beta.body.rfind("beta beta-", 0), 0u) << beta.body;

  EXPECT_EQ(fetch(lan_host, node_ip, "b.example.test", 80, "http://b.example.test/").status, "404");
  Fetched unknown =
      fetch(lan_host, node_ip, "nobody.example.test", 80, "http://nobody.example.test/");
  EXPECT_EQ(unknown.status, "404");
  EXPECT_NE(unknown.body.find("no Ingress rule"), std::string::npos) << unknown.body;

  // TLS: curl trusts only the Secret's certificate, so a completed request proves the handshake
  // served it for this name.
  Fetched secure = fetch(lan_host, node_ip, "secure.example.test", 443,
                         "https://secure.example.test/", {"--cacert", certs.path() + "/tls.crt"});
  EXPECT_EQ(secure.exit_code, 0) << secure.body;
  EXPECT_EQ(secure.status, "200");
  EXPECT_EQ(secure.body.rfind("alpha alpha-", 0), 0u) << secure.body;

  // No endpoints: 503 at once, and back when scaled up again.
  ASSERT_TRUE(ok(server.kubectl({"scale", "deployment/beta", "--replicas=0"})));
  Fetched unavailable;
  EXPECT_TRUE(eventually(
      [&] {
        unavailable = fetch(lan_host, node_ip, "b.example.test", 80, "http://b.example.test/api/");
        return unavailable.status == "503";
      },
      60s))
      << unavailable.status << " " << unavailable.body;
  EXPECT_NE(unavailable.body.find("default/beta"), std::string::npos) << unavailable.body;
  ASSERT_TRUE(ok(server.kubectl({"scale", "deployment/beta", "--replicas=1"})));
  ASSERT_TRUE(ok(server.kubectl({"rollout", "status", "deployment/beta", "--timeout=90s"})));
  EXPECT_TRUE(eventually(
      [&] {
        return fetch(lan_host, node_ip, "b.example.test", 80, "http://b.example.test/api/")
                   .status == "200";
      },
      20s));

  ASSERT_TRUE(
      ok(server.kubectl({"delete", "deployment/alpha", "deployment/beta", "--grace-period=1"})));
}

}  // namespace
}  // namespace skiff::testing
