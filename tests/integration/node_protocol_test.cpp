// The node protocol against a real `skiff server`: the agent's side of it (GrpcNodeClient, and
// raw gRPC calls where the wire itself is the subject) plays a kubelet without containers. It
// joins as an agent does (NodeIdentity: the full join token for a node client certificate) and
// speaks mutual TLS to the node service. The real kubectl checks what a user sees: the node
// Ready, a Deployment rolled out on it, deleted pods gone, a silent node NotReady.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "agent/nodeclient/grpc_call.h"
#include "agent/nodeclient/grpc_node_client.h"
#include "agent/nodeclient/node_identity.h"
#include "pkg/api/time.h"
#include "pkg/http/client.h"
#include "pkg/pki/join_token.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;
using namespace skiff::agent::nodeclient;
namespace v1 = skiff::node::v1;

constexpr const char* kToken = "homelab-token";

#define EXPECT_OK(result) \
  EXPECT_EQ((result).exit_code, 0) << "stdout: " << (result).out << "\nstderr: " << (result).err

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
)";

Json node_status() {
  return {{"capacity", {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}}},
          {"allocatable", {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}}},
          {"addresses", {{{"type", "InternalIP"}, {"address", "192.0.2.10"}}}},
          {"nodeInfo",
           {{"operatingSystem", "linux"},
            {"architecture", "amd64"},
            {"kernelVersion", "6.1.0-test"},
            {"containerRuntimeVersion", "fake://1"},
            {"kubeletVersion", "v1.32.0-skiff"}}},
          {"conditions",
           {{{"type", "Ready"},
             {"status", "True"},
             {"reason", "KubeletReady"},
             {"message", "skiff agent is posting ready status"}}}}};
}

// A kubelet without containers: every pod it is given runs at once (Running, Ready), and a
// pod marked for deletion is confirmed gone. Level-triggered on what the server sends.
class FakeKubelet : public NodeObjectHandler {
 public:
  void attach(NodeSession& session) { session_ = &session; }

  void object_changed(ObjectKind kind, const Json& object) override {
    record("changed", kind, object);
    if (kind != ObjectKind::Pod) return;
    const Json& metadata = object["metadata"];
    const PodRef ref{metadata.value("namespace", ""), metadata.value("name", ""),
                     metadata.value("uid", "")};
    if (metadata.contains("deletionTimestamp")) {
      session_->confirm_pod_deleted(ref);
    } else if (!ready(object)) {
      session_->report_pod_status(ref, running_status(object));
    }
  }
  void object_removed(ObjectKind kind, const Json& object) override {
    record("removed", kind, object);
  }
  void synced() override {
    std::lock_guard lock(mutex_);
    ++syncs_;
    changed_.notify_all();
  }

  bool wait_for(const std::function<bool()>& condition, const std::string& what,
                std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, timeout, condition)) return true;
    ADD_FAILURE() << "timed out waiting for " << what;
    return false;
  }
  // Unguarded views for wait_for conditions (called with the lock held).
  int syncs_locked() const { return syncs_; }
  const std::vector<std::string>& lines_locked() const { return lines_; }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  int syncs() const {
    std::lock_guard lock(mutex_);
    return syncs_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    lines_.clear();
  }

 private:
  static bool ready(const Json& pod) {
    for (const auto& c : pod.value("status", Json::object()).value("conditions", Json::array())) {
      if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
    }
    return false;
  }
  static Json running_status(const Json& pod) {
    const std::string now = api::now_rfc3339();
    Json containers = Json::array();
    for (const auto& container : pod["spec"]["containers"]) {
      containers.push_back({{"name", container["name"]},
                            {"image", container["image"]},
                            {"imageID", "fake://" + container["image"].get<std::string>()},
                            {"ready", true},
                            {"started", true},
                            {"restartCount", 0},
                            {"state", {{"running", {{"startedAt", now}}}}}});
    }
    Json conditions = Json::array();
    for (const char* type : {"Initialized", "ContainersReady", "Ready"}) {
      conditions.push_back({{"type", type}, {"status", "True"}, {"lastTransitionTime", now}});
    }
    return {{"phase", "Running"}, {"hostIP", "192.0.2.10"},   {"podIP", "10.42.0.7"},
            {"startTime", now},   {"conditions", conditions}, {"containerStatuses", containers}};
  }
  void record(const std::string& what, ObjectKind kind, const Json& object) {
    std::lock_guard lock(mutex_);
    lines_.push_back(what + " " + std::string(kind_name(kind)) + " " +
                     object["metadata"].value("name", ""));
    changed_.notify_all();
  }

  NodeSession* session_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  int syncs_ = 0;
};

class NodeProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/kubectl", X_OK) != 0)
      GTEST_SKIP() << "/usr/bin/kubectl is not installed: these tests drive the real kubectl";
  }
  void TearDown() override { agent.reset(); }

  std::string target() const { return "127.0.0.1:" + std::to_string(server.node_port()); }

  pki::JoinToken join_token() const {
    auto token = pki::parse_join_token(server.node_token());
    if (!token) throw std::runtime_error("the server's node-token is not a K10 token");
    return *token;
  }
  // n1's credentials, obtained as an agent joins: the CA checked against the token's hash, then
  // a certificate for a key made here (kept in the agent dir, so later calls reuse it).
  NodeCredentials n1_credentials() {
    return NodeIdentity(agent_dir.path() + "/agent", server.url(), join_token(), "n1").ensure();
  }
  // A channel to the node service as n1 (mutual TLS).
  std::shared_ptr<grpc::Channel> n1_channel() {
    return mutual_tls_channel(target(), [credentials = n1_credentials()] { return credentials; })();
  }

  // Connects n1 over `channels` (default: mutual TLS with n1's certificate).
  void connect_agent(ChannelFactory channels = nullptr) {
    if (!channels) {
      channels =
          mutual_tls_channel(target(), [credentials = n1_credentials()] { return credentials; });
    }
    NodeClientOptions options;
    options.node_name = "n1";
    options.node_status = node_status();  // no token: the certificate is the credential
    options.reconnect_min = 50ms;
    options.reconnect_max = 500ms;
    agent = std::make_unique<GrpcNodeClient>(std::move(channels), options, kubelet);
    kubelet.attach(*agent);
    agent->start();
  }

  Json get_json(const std::string& path) {
    auto response = http_client.request("GET", server.url() + path);
    if (response.status == 404) return nullptr;
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    return Json::parse(response.body);
  }
  std::string node_ready() {
    Json node = get_json("/api/v1/nodes/n1");
    if (node.is_null()) return "";
    for (const auto& c : node["status"].value("conditions", Json::array())) {
      if (c.value("type", "") == "Ready") return c.value("status", "");
    }
    return "";
  }
  // The STATUS column kubectl prints for n1.
  std::string kubectl_node_status() {
    auto result = server.kubectl({"get", "nodes", "--no-headers"});
    std::istringstream lines(result.out);
    std::string name, status;
    while (lines >> name >> status) {
      if (name == "n1") return status;
      std::string rest;
      std::getline(lines, rest);
    }
    return "";
  }
  Json pods() { return get_json("/api/v1/namespaces/default/pods")["items"]; }
  const int node_port = free_port();
  TestServer server{{"--token", kToken, "--node-monitor-grace-period=2s", "--node-port",
                     std::to_string(node_port)}};
  http::HttpClient http_client{server.admin_client_options()};
  TempDir agent_dir;
  FakeKubelet kubelet;
  std::unique_ptr<GrpcNodeClient> agent;
};

TEST_F(NodeProtocolTest, ARegisteredNodeRunsADeploymentAndConfirmsItsDeletion) {
  connect_agent();
  ASSERT_TRUE(agent->wait_synced(20s)) << agent->last_error();
  EXPECT_EQ(kubectl_node_status(), "Ready");
  auto wide = server.kubectl({"get", "node", "n1", "-o", "wide"});
  EXPECT_NE(wide.out.find("192.0.2.10"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("6.1.0-test"), std::string::npos) << wide.out;

  EXPECT_OK(server.kubectl({"apply", "-f", "-"}, kDeployment));
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}));
  std::set<std::string> seen;
  for (const auto& line : kubelet.lines()) {
    if (line.rfind("changed Pod web-", 0) == 0) seen.insert(line);
  }
  EXPECT_EQ(seen.size(), 2u) << "both pods arrived on the node's stream";
  for (const auto& pod : pods()) {
    EXPECT_EQ(pod["spec"]["nodeName"], "n1");
    EXPECT_EQ(pod["status"]["phase"], "Running");
  }

  EXPECT_OK(server.kubectl({"delete", "deployment", "web"}));
  wait_until([&] { return pods().empty(); }, "the pods to be confirmed gone");
  auto listed = server.kubectl({"get", "pods"});
  EXPECT_NE(listed.err.find("No resources found"), std::string::npos) << listed.out << listed.err;
  int removed = 0;
  for (const auto& line : kubelet.lines()) removed += line.rfind("removed Pod web-", 0) == 0;
  EXPECT_EQ(removed, 2);
}

TEST_F(NodeProtocolTest, AServerRestartRepeatsNoPodAndLosesNone) {
  connect_agent();
  ASSERT_TRUE(agent->wait_synced(20s)) << agent->last_error();
  EXPECT_OK(server.kubectl({"apply", "-f", "-"}, kDeployment));
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}));
  kubelet.clear();

  server.stop();
  server.start();  // same data dir, API port and node port; its event window starts empty
  ASSERT_TRUE(kubelet.wait_for([&] { return kubelet.syncs_locked() >= 2; }, "a second sync"));
  EXPECT_EQ(kubelet.lines(), std::vector<std::string>{})
      << "the full set after the restart repeated pods the agent already had";

  EXPECT_OK(server.kubectl({"scale", "deployment/web", "--replicas=3"}));
  EXPECT_OK(server.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}));
  std::map<std::string, int> added;
  for (const auto& line : kubelet.lines()) {
    if (line.rfind("changed Pod ", 0) == 0) ++added[line];
  }
  ASSERT_EQ(added.size(), 1u) << "exactly the new pod";
  EXPECT_EQ(kubectl_node_status(), "Ready");
}

// The wire itself: a Watch resumed from a resource_version replays exactly what changed.
TEST_F(NodeProtocolTest, AWatchResumesFromItsResourceVersion) {
  auto stub = v1::Node::NewStub(n1_channel());
  {
    grpc::ClientContext context;
    prepare_call(context, "", 10s);
    v1::RegisterRequest request;
    request.set_node_name("n1");
    request.set_status(node_status().dump());
    v1::RegisterResponse response;
    ASSERT_TRUE(stub->Register(&context, request, &response).ok());
  }
  auto create_pod = [&](const std::string& name) {
    Json pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}}},
        {"spec", {{"nodeName", "n1"}, {"containers", {{{"name", "app"}, {"image", "busybox"}}}}}}};
    auto response = http_client.request("POST", server.url() + "/api/v1/namespaces/default/pods",
                                        pod.dump(), {{"Content-Type", "application/json"}});
    ASSERT_EQ(response.status, 201) << response.body;
  };
  // Reads one Watch until SYNCED; "TYPE name" per event.
  auto watch = [&](int64_t from, int64_t& resume) {
    grpc::ClientContext context;
    prepare_call(context, "", 10s);
    v1::WatchRequest request;
    request.set_node_name("n1");
    request.set_resource_version(from);
    auto reader = stub->Watch(&context, request);
    std::vector<std::string> lines;
    v1::WatchEvent event;
    while (reader->Read(&event)) {
      if (event.resource_version() > 0) resume = event.resource_version();
      const std::string type = v1::WatchEvent::Type_Name(event.type());
      if (event.type() == v1::WatchEvent::SYNCED) {
        lines.push_back(type);
        break;
      }
      std::string name;
      if (!event.object().empty())
        name = " " + Json::parse(event.object())["metadata"]["name"].get<std::string>();
      lines.push_back(type + name);
    }
    context.TryCancel();
    reader->Finish();
    return lines;
  };
  create_pod("a");
  create_pod("b");
  int64_t resume = 0;
  EXPECT_EQ(watch(0, resume), (std::vector<std::string>{"RESET", "ADDED a", "ADDED b", "SYNCED"}));
  ASSERT_GT(resume, 0);

  auto removed = http_client.request(
      "DELETE", server.url() + "/api/v1/namespaces/default/pods/a?gracePeriodSeconds=0");
  ASSERT_EQ(removed.status, 200) << removed.body;
  create_pod("c");
  int64_t next = 0;
  EXPECT_EQ(watch(resume, next), (std::vector<std::string>{"DELETED a", "ADDED c", "SYNCED"}));
  EXPECT_GT(next, resume);
}

TEST_F(NodeProtocolTest, AWrongTokenGetsNoCertificateAndNoCertificateGetsNoCall) {
  // The right CA hash with a wrong secret: the server gives no certificate.
  pki::JoinToken wrong = join_token();
  wrong.credential = "server:not-the-secret";
  try {
    NodeIdentity(agent_dir.path() + "/agent", server.url(), wrong, "n1").ensure();
    ADD_FAILURE() << "joining with a wrong secret was not refused";
  } catch (const JoinRefused& refused) {
    EXPECT_NE(std::string(refused.what()).find("not valid"), std::string::npos) << refused.what();
  }

  // TLS that trusts the server but shows no client certificate: the node service refuses the
  // connection (handshake) or the call.
  grpc::SslCredentialsOptions no_certificate;
  no_certificate.pem_root_certs = n1_credentials().ca_pem;
  auto stub =
      v1::Node::NewStub(grpc::CreateChannel(target(), grpc::SslCredentials(no_certificate)));
  grpc::ClientContext context;
  prepare_call(context, kToken, 10s);  // the bare secret is no credential on this wire
  v1::HelloRequest request;
  request.set_node_name("n1");
  request.set_protocol_version(kProtocolVersion);
  v1::HelloResponse response;
  grpc::Status status = stub->Hello(&context, request, &response);
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              status.error_code() == grpc::StatusCode::UNAUTHENTICATED)
      << status.error_code() << ": " << status.error_message();

  // An agent on such a channel never syncs and registers nothing.
  connect_agent([this, ca = no_certificate] {
    return grpc::CreateChannel(target(), grpc::SslCredentials(ca));
  });
  EXPECT_FALSE(agent->wait_synced(2s));
  EXPECT_FALSE(agent->last_error().empty());
  EXPECT_TRUE(get_json("/api/v1/nodes/n1").is_null()) << "a refused agent registers nothing";
}

TEST_F(NodeProtocolTest, ANodeThatStopsRenewingBecomesNotReadyAndRecovers) {
  connect_agent();
  ASSERT_TRUE(agent->wait_synced(20s)) << agent->last_error();
  ASSERT_EQ(node_ready(), "True");
  agent->stop();  // the agent goes silent: no more renewals
  wait_until([&] { return node_ready() == "Unknown"; }, "the node to become Unknown", 20s);
  EXPECT_EQ(kubectl_node_status(), "NotReady");

  agent.reset();
  connect_agent();
  ASSERT_TRUE(agent->wait_synced(20s)) << agent->last_error();
  wait_until([&] { return node_ready() == "True"; }, "the node to be Ready again", 20s);
  EXPECT_EQ(kubectl_node_status(), "Ready");
}

}  // namespace
}  // namespace skiff::testing
