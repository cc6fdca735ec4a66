// The whole node on real podman, as a user meets it: `skiff server` with its embedded agent
// gives a Ready node; a Deployment of busybox httpd serving a configMap volume, with a readiness
// probe and env from a secret, rolls out and serves on its pod IPs; kubectl exec and logs reach
// its containers; restarting the server keeps
// the very same containers; deleting the Deployment leaves no container behind. A second
// machine's `skiff agent --server URL --token T` joins and runs the pods bound to it, keeps them
// while the server restarts, and stops those deleted while it was away.
// Skips where podman cannot run (not root, not installed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "pkg/api/json.h"
#include "tests/integration/support/agent_process.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err
#define ASSERT_OK(result) \
  ASSERT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

constexpr const char* kToken = "agent-test-token";

std::string web_yaml(const std::string& image, int replicas) {
  std::ostringstream out;
  out << R"(apiVersion: v1
kind: ConfigMap
metadata: {name: site}
data:
  index.html: "hello from skiff\n"
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cr3t}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: )"
      << replicas << R"(
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: )"
      << image << R"(
        imagePullPolicy: IfNotPresent
        command: [/bin/httpd, -f, -p, "8080", -h, /www]
        ports: [{name: http, containerPort: 8080}]
        env:
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: creds, key: password}}
        volumeMounts: [{name: www, mountPath: /www}]
        readinessProbe:
          httpGet: {port: http, path: /index.html}
          periodSeconds: 1
      volumes:
      - name: www
        configMap: {name: site}
)";
  return out.str();
}

class AgentPodmanTest : public PodmanTest {
 protected:
  void SetUp() override {
    PodmanTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    if (access("/usr/bin/kubectl", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/kubectl is not installed: these tests drive the real kubectl";
  }
  // Whatever a test left behind is removed, also when it failed half-way.
  void TearDown() override {
    if (!has_env()) return;
    env().podman({"pod", "rm", "--all", "--force", "--time", "0"});
  }

  // podman's view: the names of every container (infra ones included) it has.
  static std::set<std::string> container_ids() {
    std::set<std::string> ids;
    std::istringstream lines(env().podman({"ps", "--all", "--quiet", "--no-trunc"}).out);
    for (std::string id; lines >> id;) ids.insert(id);
    return ids;
  }

  // These agents run in the host's network namespace, so the cluster must not change the host's
  // network: no pod network, service rules, DNS address or ingress ports (the services and
  // ingress tests run their nodes in namespaces of their own).
  static std::vector<std::string> host_safe_flags(std::vector<std::string> flags) {
    for (const char* flag : {"--network-backend", "none", "--disable-kube-proxy", "--disable",
                             "dns", "--disable", "ingress"})
      flags.push_back(flag);
    return flags;
  }

  static std::vector<std::string> agent_flags(const std::string& node) {
    return {"--node-name", node, "--container-runtime-endpoint", env().socket_path()};
  }
};

TEST_F(AgentPodmanTest, OneServerIsAClusterThatRunsServesAndKeepsItsPods) {
  std::vector<std::string> flags = {"--disable-agent=false", "--token", kToken};
  for (auto& flag : agent_flags("node-a")) flags.push_back(flag);
  TestServer server(host_safe_flags(flags));
  ASSERT_TRUE(eventually([&] { return server.node_ready("node-a"); }, 30s))
      << server.kubectl({"get", "nodes", "-o", "yaml"}).out;
  Json node = server.get_json({"node", "node-a"});
  EXPECT_EQ(node["status"]["nodeInfo"]["containerRuntimeVersion"].get<std::string>().rfind(
                "podman://", 0),
            0u);
  EXPECT_NE(node["status"]["capacity"].value("memory", ""), "");

  ASSERT_OK(server.kubectl({"apply", "-f", "-"}, web_yaml(env().image(), 2)));
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}));

  Json pods = server.get_json({"pods", "-l", "app=web"})["items"];
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& pod : pods) {
    EXPECT_EQ(pod["status"]["phase"], "Running");
    const std::string ip = pod["status"].value("podIP", "");
    ASSERT_FALSE(ip.empty());
    auto reply = http("GET", "http://" + ip + ":8080/index.html");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, "hello from skiff\n");
  }

  // exec sees the secret in the environment and passes the exit code back; what PID 1 writes
  // to its stdout is the container's log.
  const std::string first = pods[0]["metadata"]["name"];
  auto env_out = server.kubectl({"exec", first, "--", "env"});
  EXPECT_OK(env_out);
  EXPECT_NE(env_out.out.find("PASSWORD=s3cr3t"), std::string::npos) << env_out.out;
  EXPECT_EQ(server.kubectl({"exec", first, "--", "sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_OK(server.kubectl({"exec", first, "--", "sh", "-c", "echo hello-log > /proc/1/fd/1"}));
  EXPECT_TRUE(eventually(
      [&] {
        return server.kubectl({"logs", first}).out.find("hello-log") != std::string::npos;
      },
      10s))
      << server.kubectl({"logs", first}).err;
  auto skiff_logs = server.skiff_kubectl({"logs", first, "--tail", "1"});
  EXPECT_EQ(skiff_logs.out, "hello-log\n") << skiff_logs.err;

  // Restarting the server (and so its agent) adopts the running containers.
  const std::set<std::string> before = container_ids();
  EXPECT_EQ(before.size(), 4u) << "2 pods: an infra and an httpd container each";
  server.stop();
  server.start();
  ASSERT_TRUE(eventually([&] { return server.node_ready("node-a"); }, 30s));
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=30s"}));
  std::this_thread::sleep_for(2s);  // a wrongly restarted container would show by now
  EXPECT_EQ(container_ids(), before) << "the very same containers keep running";
  for (const auto& pod : server.get_json({"pods", "-l", "app=web"})["items"]) {
    for (const auto& c : pod["status"]["containerStatuses"]) EXPECT_EQ(c["restartCount"], 0);
  }

  // Deleting the Deployment leaves no container behind.
  EXPECT_OK(server.kubectl({"delete", "deployment", "web"}));
  EXPECT_TRUE(eventually(
      [&] {
        Json left = server.get_json({"pods", "-l", "app=web"});
        return !left.is_null() && left["items"].empty();
      },
      60s))
      << server.kubectl({"get", "pods", "-o", "wide"}).out;
  EXPECT_TRUE(eventually([&] { return container_ids().empty(); }, 30s))
      << env().podman({"ps", "--all"}).out;
}

TEST_F(AgentPodmanTest, AnAgentJoinsKeepsItsPodsAcrossRestartsAndCatchesUp) {
  TestServer server(host_safe_flags({"--token", kToken}));  // control plane only
  TempDir agent_dir;
  // The agent joins with the full token (it pins the server's CA), not the bare secret.
  std::vector<std::string> argv = {SKIFF_BINARY, "agent",         "--server",
                                   server.url(), "--token",       server.node_token(),
                                   "--data-dir", agent_dir.path()};
  for (auto& flag : agent_flags("node-b")) argv.push_back(flag);
  AgentProcess agent(argv, agent_dir.path() + "/agent.log");

  ASSERT_TRUE(eventually([&] { return server.node_ready("node-b"); }, 30s)) << agent.log();
  ASSERT_OK(server.kubectl({"apply", "-f", "-"}, web_yaml(env().image(), 1)));
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}))
      << agent.log();
  Json pods = server.get_json({"pods", "-l", "app=web"})["items"];
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["spec"]["nodeName"], "node-b");
  const std::set<std::string> running = container_ids();

  // The server goes away and comes back: the pod runs on, untouched, and the node reconnects.
  server.stop();
  std::this_thread::sleep_for(1s);
  server.start();
  ASSERT_TRUE(eventually([&] { return server.node_ready("node-b"); }, 30s)) << agent.log();
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=30s"}));
  EXPECT_EQ(container_ids(), running);

  // The agent goes away, the Deployment is deleted meanwhile: its pod waits for its node
  // (terminating), and the agent that comes back stops the containers and confirms.
  agent.stop();
  EXPECT_OK(server.kubectl({"delete", "deployment", "web", "--wait=false"}));
  EXPECT_TRUE(eventually(
      [&] {
        Json left = server.get_json({"pods", "-l", "app=web"});
        return !left.is_null() && !left["items"].empty() &&
               left["items"][0]["metadata"].contains("deletionTimestamp");
      },
      20s))
      << server.kubectl({"get", "pods,rs,deploy", "-o", "yaml"}).out;
  EXPECT_EQ(container_ids(), running) << "nothing stops the containers while the agent is away";
  agent.start();
  EXPECT_TRUE(eventually(
      [&] {
        Json left = server.get_json({"pods", "-l", "app=web"});
        return !left.is_null() && left["items"].empty();
      },
      60s))
      << agent.log();
  EXPECT_TRUE(eventually([&] { return container_ids().empty(); }, 60s))
      << env().podman({"ps", "--all"}).out;
}

}  // namespace
}  // namespace skiff::testing
