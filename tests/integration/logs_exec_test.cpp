// logs and exec end to end through the reverse tunnel: a real `skiff server`, and as its node
// the agent's gRPC client with PodStreams over the fake runtime (a pod whose container has a
// log, a previous instance and scripted exec results). The real kubectl 1.32 and skiff kubectl
// read logs (whole, tail, previous, timestamps, -f until the container stops) and exec (output
// and the exit code passed through), and see Kubernetes' errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "agent/nodeclient/grpc_node_client.h"
#include "agent/nodeclient/node_identity.h"
#include "agent/pod_streams.h"
#include "agent/runtime/fake/fake_runtime.h"
#include "pkg/api/time.h"
#include "pkg/http/client.h"
#include "pkg/pki/join_token.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;
using namespace skiff::agent::nodeclient;
namespace runtime = skiff::agent::runtime;

constexpr const char* kToken = "logs-exec-token";
constexpr const char* kImage = "localhost/busybox:1";

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: n1
  containers:
  - name: app
    image: localhost/busybox:1
)";

Json node_status() {
  return {{"capacity", {{"cpu", "2"}, {"memory", "2Gi"}, {"pods", "110"}}},
          {"allocatable", {{"cpu", "2"}, {"memory", "2Gi"}, {"pods", "110"}}},
          {"addresses", {{{"type", "InternalIP"}, {"address", "192.0.2.20"}}}},
          {"conditions", {{{"type", "Ready"}, {"status", "True"}, {"reason", "KubeletReady"}}}}};
}

// Reports every pod it is given as Running, its container restarted once (so there is a
// previous instance), as a kubelet would after a crash.
class RunningKubelet : public NodeObjectHandler {
 public:
  void attach(NodeSession& session) { session_ = &session; }
  void object_changed(ObjectKind kind, const Json& pod) override {
    if (kind != ObjectKind::Pod ||
        pod.value("status", Json::object()).value("phase", "") == "Running")
      return;
    const Json& metadata = pod["metadata"];
    const std::string now = api::now_rfc3339();
    Json status = {
        {"phase", "Running"},
        {"podIP", "10.88.0.2"},
        {"startTime", now},
        {"conditions", {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", now}}}},
        {"containerStatuses",
         {{{"name", "app"},
           {"image", kImage},
           {"imageID", "fake"},
           {"ready", true},
           {"started", true},
           {"restartCount", 1},
           {"state", {{"running", {{"startedAt", now}}}}},
           {"lastState",
            {{"terminated",
              {{"exitCode", 1}, {"reason", "Error"}, {"containerID", "fake://previous"}}}}}}}}};
    session_->report_pod_status(
        {metadata.value("namespace", ""), metadata.value("name", ""), metadata.value("uid", "")},
        status);
  }
  void object_removed(ObjectKind, const Json&) override {}

 private:
  NodeSession* session_ = nullptr;
};

// PodStreams, counting the requests it is serving (to see a followed log end on the node).
class CountingStreams : public StreamHandler {
 public:
  explicit CountingStreams(StreamHandler& inner) : inner_(inner) {}
  StreamResult serve(const StreamRequest& request, StreamChannel& channel) override {
    ++active_;
    auto result = inner_.serve(request, channel);
    --active_;
    return result;
  }
  int active() const { return active_.load(); }

 private:
  StreamHandler& inner_;
  std::atomic<int> active_{0};
};

class LogsExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/kubectl", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/kubectl is not installed: these tests drive the real kubectl";
    // n1 joins as an agent does: the full join token buys a node certificate, which is the
    // credential on the node service's mutual TLS.
    auto token = pki::parse_join_token(server.node_token());
    ASSERT_TRUE(token) << "the server's node-token is not a K10 token";
    const NodeCredentials credentials =
        NodeIdentity(agent_dir.path() + "/agent", server.url(), *token, "n1").ensure();
    NodeClientOptions options;
    options.node_name = "n1";
    options.node_status = node_status();
    options.reconnect_min = 50ms;
    options.reconnect_max = 500ms;
    agent::PodStreamsOptions stream_options;
    stream_options.liveness_interval = 200ms;
    stream_options.log_poll_interval = 20ms;
    streams = std::make_unique<agent::PodStreams>(runtime_, stream_options);
    counting = std::make_unique<CountingStreams>(*streams);
    client = std::make_unique<GrpcNodeClient>(
        mutual_tls_channel("127.0.0.1:" + std::to_string(server.node_port()),
                           [credentials] { return credentials; }),
        options, kubelet, counting.get());
    kubelet.attach(*client);
    client->start();
    ASSERT_TRUE(client->wait_synced(20s)) << client->last_error();

    ASSERT_EQ(server.kubectl({"apply", "-f", "-"}, kPod).exit_code, 0);
    ASSERT_TRUE(eventually([&] {
      return pod().value("status", Json::object()).value("phase", "") == "Running";
    })) << "the pod never became Running";
    start_containers(pod()["metadata"]["uid"]);
  }
  void TearDown() override {
    if (client) client->stop();
  }

  Json pod() {
    auto response =
        http_client.request("GET", server.url() + "/api/v1/namespaces/default/pods/web");
    return response.status == 200 ? Json::parse(response.body) : Json::object();
  }
  // How often the agent opened the current container's log.
  int log_reads() {
    int reads = 0;
    for (const auto& call : runtime_.calls()) reads += call == "read_container_log " + current;
    return reads;
  }

  // What the pod workers would have left in the runtime: the crashed first instance and the
  // running second one, labelled with the pod's uid.
  void start_containers(const std::string& uid) {
    runtime_.add_image(kImage);
    runtime::PodSandboxConfig sandbox;
    sandbox.metadata = {"web", "default", uid, 0};
    const auto sandbox_id = runtime_.run_pod_sandbox(sandbox);
    runtime::ContainerConfig config;
    config.name = "app";
    config.image = kImage;
    const auto first = runtime_.create_container(sandbox_id, config, sandbox);
    runtime_.start_container(first);
    runtime_.append_log(first, runtime::LogStream::Stdout, "first life");
    runtime_.exit_container(first, 1);
    config.attempt = 1;
    current = runtime_.create_container(sandbox_id, config, sandbox);
    runtime_.start_container(current);
    runtime_.append_log(current, runtime::LogStream::Stdout, "hello");
    runtime_.append_log(current, runtime::LogStream::Stderr, "world");
    runtime_.set_exec_handler([](const runtime::ContainerStatus&,
                                 const std::vector<std::string>& argv) -> runtime::ExecResult {
      if (argv == std::vector<std::string>{"sh", "-c", "exit 3"}) return {3, "", "failing\n"};
      if (!argv.empty() && argv[0] == "echo") {
        std::string out;
        for (size_t i = 1; i < argv.size(); ++i) out += (i > 1 ? " " : "") + argv[i];
        return {0, out + "\n", ""};
      }
      return {127, "", "sh: " + (argv.empty() ? std::string() : argv[0]) + ": not found\n"};
    });
  }

  TestServer server{{"--token", kToken}};
  http::HttpClient http_client{server.admin_client_options()};
  TempDir agent_dir;
  runtime::fake::FakeRuntime runtime_;
  RunningKubelet kubelet;
  std::unique_ptr<agent::PodStreams> streams;
  std::unique_ptr<CountingStreams> counting;
  std::unique_ptr<GrpcNodeClient> client;
  std::string current;
};

TEST_F(LogsExecTest, KubectlReadsTheLogWholeTailedPreviousAndTimestamped) {
  for (bool real : {true, false}) {
    SCOPED_TRACE(real ? "kubectl" : "skiff kubectl");
    auto run = [&](std::vector<std::string> args) {
      return real ? server.kubectl(args) : server.skiff_kubectl(args);
    };
    auto whole = run({"logs", "web"});
    EXPECT_OK(whole);
    EXPECT_EQ(whole.out, "hello\nworld\n");
    auto tail = run({"logs", "pod/web", "--tail=1"});
    EXPECT_OK(tail);
    EXPECT_EQ(tail.out, "world\n");
    auto previous = run({"logs", "web", "-c", "app", "--previous"});
    EXPECT_OK(previous);
    EXPECT_EQ(previous.out, "first life\n");
    auto stamped = run({"logs", "web", "--timestamps", "--tail=1"});
    EXPECT_OK(stamped);
    EXPECT_TRUE(stamped.out.ends_with(" world\n")) << stamped.out;
    EXPECT_TRUE(stamped.out.starts_with("20")) << stamped.out;

    // kubectl logs words these itself (it reads the pod first).
    auto missing = run({"logs", "nope"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err,
              "error: error from server (NotFound): pods \"nope\" not found in namespace "
              "\"default\"\n");
    auto bad_container = run({"logs", "web", "-c", "db"});
    EXPECT_EQ(bad_container.exit_code, 1);
    EXPECT_EQ(bad_container.err, "error: container db is not valid for pod web\n");
  }
}

TEST_F(LogsExecTest, KubectlFollowsTheLogUntilTheContainerStops) {
  auto follower = std::async(std::launch::async, [&] {
    return server.kubectl({"logs", "-f", "web"});
  });
  // Written once kubectl follows; it ends (rc 0) when the container stops.
  ASSERT_TRUE(eventually([&] { return log_reads() == 1; })) << "kubectl never asked for the log";
  runtime_.append_log(current, runtime::LogStream::Stdout, "later line");
  runtime_.exit_container(current, 0);
  ASSERT_EQ(follower.wait_for(30s), std::future_status::ready) << "kubectl logs -f did not end";
  auto followed = follower.get();
  EXPECT_OK(followed);
  EXPECT_EQ(followed.out, "hello\nworld\nlater line\n");
}

TEST_F(LogsExecTest, SkiffKubectlFollowEndsWhenTheContainerStops) {
  auto follower = std::async(std::launch::async, [&] {
    return server.skiff_kubectl({"logs", "-f", "web"});
  });
  ASSERT_TRUE(eventually([&] { return log_reads() == 1; })) << "the log was never asked for";
  runtime_.append_log(current, runtime::LogStream::Stdout, "later line");
  runtime_.exit_container(current, 0);
  ASSERT_EQ(follower.wait_for(30s), std::future_status::ready) << "logs -f did not end";
  auto followed = follower.get();
  EXPECT_OK(followed);
  EXPECT_EQ(followed.out, "hello\nworld\nlater line\n");
}

TEST_F(LogsExecTest, AClientLeavingAFollowedLogEndsItOnTheNode) {
  // Reads the first chunk, then hangs up: the agent must stop following (its liveness check
  // finds the stream cancelled) although the container keeps running and writes nothing.
  std::string first;
  http_client.stream("GET", server.url() + "/api/v1/namespaces/default/pods/web/log?follow=true",
                     [&](std::string_view chunk) {
                       first.append(chunk);
                       return false;
                     });
  EXPECT_EQ(first.rfind("hello\n", 0), 0u) << first;
  EXPECT_TRUE(eventually([&] { return counting->active() == 0; }))
      << "the node still follows the log of a client that left";
}

TEST_F(LogsExecTest, ExecPassesOutputAndTheExitCodeThrough) {
  for (bool real : {true, false}) {
    SCOPED_TRACE(real ? "kubectl" : "skiff kubectl");
    auto run = [&](std::vector<std::string> args) {
      return real ? server.kubectl(args) : server.skiff_kubectl(args);
    };
    auto echoed = run({"exec", "web", "--", "echo", "hi", "-la"});
    EXPECT_OK(echoed);
    EXPECT_EQ(echoed.out, "hi -la\n");

    auto failing = run({"exec", "web", "-c", "app", "--", "sh", "-c", "exit 3"});
    EXPECT_EQ(failing.exit_code, 3) << failing.out << failing.err;
    EXPECT_NE(failing.err.find("failing\n"), std::string::npos) << failing.err;
    EXPECT_NE(failing.err.find("command terminated with exit code 3"), std::string::npos)
        << failing.err;

    auto missing = run({"exec", "nope", "--", "ls"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err, "Error from server (NotFound): pods \"nope\" not found\n");
    auto bad_container = run({"exec", "web", "-c", "db", "--", "ls"});
    EXPECT_EQ(bad_container.exit_code, 1);
    EXPECT_EQ(bad_container.err,
              "Error from server (BadRequest): container db is not valid for pod web\n");
  }
}

TEST_F(LogsExecTest, AWorkloadNamesOneOfItsPods) {
  const char* deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: app
        image: localhost/busybox:1
)";
  ASSERT_EQ(server.kubectl({"apply", "-f", "-"}, deployment).exit_code, 0);
  ASSERT_EQ(server.kubectl({"rollout", "status", "deployment/hello", "--timeout=60s"}).exit_code,
            0);
  // Both clients pick a pod of the Deployment and say so; its containers are not in the fake
  // runtime, so the agent answers that the container is not available.
  for (bool real : {true, false}) {
    SCOPED_TRACE(real ? "kubectl" : "skiff kubectl");
    auto args = std::vector<std::string>{"logs", "deploy/hello"};
    auto result = real ? server.kubectl(args) : server.skiff_kubectl(args);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.err.rfind("Found 2 pods, using pod/hello-", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("Error from server (BadRequest): container \"app\" in pod "
                              "\"hello-"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("is not available"), std::string::npos) << result.err;
  }
}

TEST_F(LogsExecTest, InteractiveExecIsRefusedWithAMessage) {
  // Both of kubectl's attempts (WebSocket, then the SPDY fallback) get the same 400.
  auto interactive = server.kubectl({"exec", "-i", "web", "--", "cat"}, "typed\n");
  EXPECT_EQ(interactive.exit_code, 1);
  EXPECT_NE(interactive.err.find("Error from server (BadRequest): interactive exec (stdin, tty) "
                                 "is not supported by skiff yet"),
            std::string::npos)
      << interactive.err;
  auto skiff = server.skiff_kubectl({"exec", "-i", "web", "--", "cat"}, "typed\n");
  EXPECT_EQ(skiff.exit_code, 1);
  EXPECT_NE(skiff.err.find("interactive exec (-i, -t) is not supported"), std::string::npos)
      << skiff.err;
}

TEST_F(LogsExecTest, ANodeWithoutItsAgentAnswersUnavailable) {
  client->stop();
  // Once the server noticed that n1's tunnel is gone, a request fails at once with a message.
  EXPECT_TRUE(eventually([&] {
    return http_client.request("GET", server.url() + "/api/v1/namespaces/default/pods/web/log")
               .status == 503;
  }));
  auto result = server.kubectl({"logs", "web"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("ServiceUnavailable"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace skiff::testing
