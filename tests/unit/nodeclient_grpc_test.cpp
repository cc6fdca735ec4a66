// The node protocol end to end: the agent's GrpcNodeClient talks to the server's NodeServer (the
// real gRPC servicer, NodeService and TunnelHub over the real API server and a memory store) over
// loopback TCP. Not gRPC's in-process channel: in gRPC 1.51 a call created on one while its server
// shuts down crashes, and these tests restart the server under a connected agent.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>

#include "agent/nodeclient/grpc_call.h"
#include "agent/nodeclient/grpc_node_client.h"
#include "server/nodeservice/node_server.h"
#include "tests/unit/support/nodeservice_fixture.h"

namespace skiff::agent::nodeclient {
namespace {

using namespace std::chrono_literals;
using nodeservice::testing::agent_node_status;
using Strings = std::vector<std::string>;

constexpr const char* kToken = "s3cret-token";

const Json kConfigMapVolume = {
    {"volumes", {{{"name", "site"}, {"configMap", {{"name", "site"}}}}}}};

// Records what the agent's pod manager would be told.
class RecordingHandler : public NodeObjectHandler {
 public:
  void object_changed(ObjectKind kind, const Json& object) override {
    add("changed " + line(kind, object));
  }
  void object_removed(ObjectKind kind, const Json& object) override {
    add("removed " + line(kind, object));
  }
  void synced() override {
    std::lock_guard lock(mutex_);
    ++syncs_;
    changed_.notify_all();
  }
  void settings_received(const ClusterSettings& settings) override {
    std::lock_guard lock(mutex_);
    settings_ = settings;
  }
  ClusterSettings settings() const {
    std::lock_guard lock(mutex_);
    return settings_;
  }
  bool wait_for(const std::function<bool(const Strings&, int syncs)>& predicate,
                const std::string& what) {
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, 10s, [&] { return predicate(lines_, syncs_); })) return true;
    std::string seen;
    for (const auto& l : lines_) seen += "\n  " + l;
    ADD_FAILURE() << "timed out waiting for " << what << "; seen:" << seen;
    return false;
  }
  bool wait_line(const std::string& wanted) {
    return wait_for(
        [&](const Strings& lines, int) {
          return std::find(lines.begin(), lines.end(), wanted) != lines.end();
        },
        wanted);
  }
  Strings lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    lines_.clear();
  }

 private:
  static std::string line(ObjectKind kind, const Json& object) {
    const Json& metadata = object["metadata"];
    std::string text = std::string(kind_name(kind)) + " " + metadata.value("name", "");
    if (metadata.contains("deletionTimestamp")) text += " (terminating)";
    return text;
  }
  void add(std::string line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
    changed_.notify_all();
  }
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Strings lines_;
  int syncs_ = 0;
  ClusterSettings settings_;
};

// A fake container runtime's streams: exec of `cat` echoes stdin and exits 7; logs print two
// lines; anything else cannot be served.
class FakeStreams : public StreamHandler {
 public:
  StreamResult serve(const StreamRequest& request, StreamChannel& channel) override {
    if (request.kind == StreamRequest::Kind::Logs) {
      channel.write(1, "line 1\n");
      channel.write(1, "line 2\n");
      return {};
    }
    if (request.kind == StreamRequest::Kind::Exec &&
        request.options.value("command", Json::array()) == Json{"cat"}) {
      while (auto frame = channel.read()) {
        if (frame->type == StreamFrame::Type::Close) return {7, ""};
        if (frame->type == StreamFrame::Type::Data) channel.write(1, frame->data);
      }
      ++broken_streams;
      return {137, "stdin broke"};
    }
    return {1, "not supported by the fake"};
  }
  std::atomic<int> broken_streams{0};
};

class NodeClientTest : public nodeservice::testing::ApiFixture {
 protected:
  NodeClientTest() { start_server(); }
  ~NodeClientTest() override {
    agent.reset();
    stop_server();
  }

  void start_server() {
    nodeservice::NodeServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.token = kToken;
    options.service.watch_limits.stop_poll_interval = 20ms;
    options.tunnel.open_timeout = 5s;
    options.service.cluster = cluster;
    auto server = std::make_unique<nodeservice::NodeServer>(
        store, [this](http::Request& r) { return api.handle(r); }, options);
    const uint16_t port = server->start();
    std::lock_guard lock(server_mutex);
    node_server = std::move(server);
    node_address = "127.0.0.1:" + std::to_string(port);
  }
  void stop_server() {
    std::unique_ptr<nodeservice::NodeServer> server;
    {
      std::lock_guard lock(server_mutex);
      server = std::move(node_server);
    }
    if (server) server->stop();
  }
  ChannelFactory channels() {
    return [this] {
      std::lock_guard lock(server_mutex);
      if (!node_server) throw std::runtime_error("the server is down");
      return insecure_channel(node_address)();
    };
  }
  NodeClientOptions client_options(const std::string& token = kToken) {
    NodeClientOptions options;
    options.node_name = "n1";
    options.token = token;
    options.node_status = agent_node_status();
    options.reconnect_min = 20ms;
    options.reconnect_max = 200ms;
    options.renew_interval = 50ms;
    return options;
  }
  void connect(const NodeClientOptions& options) {
    agent = std::make_unique<GrpcNodeClient>(channels(), options, handler, &streams);
    agent->start();
    ASSERT_TRUE(agent->wait_synced(10s)) << agent->last_error();
  }
  void connect() { connect(client_options()); }
  // Polls the API until `condition` holds (the agent's reports are asynchronous).
  bool eventually(const std::function<bool()>& condition, const std::string& what) {
    for (int i = 0; i < 500; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "timed out waiting for " << what;
    return false;
  }
  std::string pod_phase(const std::string& name) {
    return pod(name).value("status", Json::object()).value("phase", "");
  }

  nodeservice::ClusterSettings cluster;  // what the server tells agents (start_server)
  std::mutex server_mutex;
  std::unique_ptr<nodeservice::NodeServer> node_server;
  std::string node_address;  // host:port of the running node_server
  RecordingHandler handler;
  FakeStreams streams;
  std::unique_ptr<GrpcNodeClient> agent;
};

TEST_F(NodeClientTest, RegistersRenewsAndIsReady) {
  connect();
  Json node = get("/api/v1/nodes/n1");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/arch"], "arm64");
  EXPECT_EQ(node["status"]["conditions"][0]["status"], "True");
  const std::string path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1";
  const std::string first = get(path)["spec"]["renewTime"];
  EXPECT_TRUE(
      eventually([&] { return get(path)["spec"]["renewTime"] != first; }, "a lease renewal"));
}

TEST_F(NodeClientTest, PodsArriveStatusIsWrittenAndDeletionIsConfirmed) {
  connect();
  create_config_map("site", "v1");
  Json created = create_pod("web", "n1", kConfigMapVolume);
  create_pod("elsewhere", "n2");
  ASSERT_TRUE(handler.wait_line("changed Pod web"));
  EXPECT_EQ(handler.lines(), (Strings{"changed ConfigMap site", "changed Pod web"}));
  auto site = agent->get_object(ObjectKind::ConfigMap, "default", "site");
  ASSERT_TRUE(site);
  EXPECT_EQ((*site)["data"]["key"], "v1");

  const PodRef ref{"default", "web", created["metadata"]["uid"]};
  agent->report_pod_status(ref, {{"phase", "Running"}, {"podIP", "10.42.0.9"}});
  EXPECT_TRUE(eventually([&] { return pod_phase("web") == "Running"; }, "status Running"));

  delete_pod("web");
  ASSERT_TRUE(handler.wait_line("changed Pod web (terminating)"));
  agent->confirm_pod_deleted(ref);
  ASSERT_TRUE(handler.wait_line("removed ConfigMap site"));
  EXPECT_FALSE(pod_exists("web"));
  EXPECT_EQ(handler.lines(), (Strings{"changed ConfigMap site", "changed Pod web",
                                      "changed Pod web", "changed Pod web (terminating)",
                                      "removed Pod web (terminating)", "removed ConfigMap site"}));
}

TEST_F(NodeClientTest, AReconnectResumesWithoutRepeatingOrLosingPods) {
  create_pod("stays", "n1");
  create_pod("goes", "n1");
  connect();
  ASSERT_TRUE(handler.wait_for([](const Strings& lines, int syncs) { return syncs == 1; },
                               "the first sync"));
  handler.clear();

  stop_server();  // the server restarts; the store keeps its event window
  controllers::remove(client, controllers::pods_resource(), "default", "goes", "", 0);
  create_pod("new", "n1");
  start_server();

  ASSERT_TRUE(
      handler.wait_for([](const Strings&, int syncs) { return syncs == 2; }, "the second sync"));
  EXPECT_EQ(handler.lines(), (Strings{"removed Pod goes", "changed Pod new"}));
  EXPECT_EQ(agent->cache().list(ObjectKind::Pod).size(), 2u);
}

TEST_F(NodeClientTest, IngressesAndTheirTlsSecretsArriveWhenAskedFor) {
  const Json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", "web-tls"}, {"namespace", "default"}}},
                       {"stringData", {{"tls.crt", "cert"}}}};
  client.request("POST", "/api/v1/namespaces/default/secrets", &secret);
  const Json ingress = {
      {"apiVersion", "networking.k8s.io/v1"},
      {"kind", "Ingress"},
      {"metadata", {{"name", "web"}, {"namespace", "default"}}},
      {"spec",
       {{"defaultBackend", {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}},
        {"tls", {{{"hosts", {"web.example.com"}}, {"secretName", "web-tls"}}}}}}};
  client.request("POST", "/apis/networking.k8s.io/v1/namespaces/default/ingresses", &ingress);
  NodeClientOptions options = client_options();
  options.kinds = {ObjectKind::Pod, ObjectKind::Secret, ObjectKind::Ingress};
  connect(options);
  EXPECT_EQ(handler.lines(), (Strings{"changed Secret web-tls", "changed Ingress web"}));
  EXPECT_TRUE(agent->get_object(ObjectKind::Ingress, "default", "web"));
  EXPECT_TRUE(handler.settings().ingress_enabled);

  client.request("DELETE", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web", nullptr);
  ASSERT_TRUE(handler.wait_line("removed Secret web-tls"));
  EXPECT_EQ(handler.lines(), (Strings{"changed Secret web-tls", "changed Ingress web",
                                      "removed Ingress web", "removed Secret web-tls"}));
}

TEST_F(NodeClientTest, TheServersDisabledIngressReachesTheAgent) {
  stop_server();
  cluster.ingress_enabled = false;
  start_server();
  connect();
  EXPECT_FALSE(handler.settings().ingress_enabled);
  EXPECT_EQ(handler.settings().cluster_domain, "cluster.local");
}

TEST_F(NodeClientTest, AWrongTokenIsRefusedWithAClearMessage) {
  agent = std::make_unique<GrpcNodeClient>(channels(), client_options("guess"), handler);
  agent->start();
  EXPECT_FALSE(agent->wait_synced(500ms));
  EXPECT_NE(agent->last_error().find("invalid node token"), std::string::npos)
      << agent->last_error();
  EXPECT_TRUE(store.get(controllers::nodes_resource().key("", "n1")) == nullptr);
}

TEST_F(NodeClientTest, StopIsPromptWhileBackingOff) {
  NodeClientOptions options = client_options("guess");
  options.reconnect_min = options.reconnect_max = 60s;
  agent = std::make_unique<GrpcNodeClient>(channels(), options, handler);
  agent->start();
  ASSERT_TRUE(eventually([&] { return !agent->last_error().empty(); }, "the refusal"));
  const auto started = std::chrono::steady_clock::now();
  agent->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(NodeClientTest, AnotherProtocolVersionIsRefusedWithAClearMessage) {
  auto stub = skiff::node::v1::Node::NewStub(channels()());
  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + kToken);
  context.AddMetadata("skiff-node-protocol", "2");
  skiff::node::v1::HelloRequest request;
  request.set_node_name("n1");
  request.set_protocol_version(2);
  skiff::node::v1::HelloResponse response;
  grpc::Status status = stub->Hello(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("agent speaks version 2, this server speaks version 1"),
            std::string::npos)
      << status.error_message();
}

TEST_F(NodeClientTest, TheTunnelCarriesExecAndLogsToTheAgent) {
  connect();
  nodeservice::TunnelRequest exec;
  exec.kind = nodeservice::TunnelRequest::Kind::Exec;
  exec.namespace_name = "default";
  exec.pod_name = "web";
  exec.options = {{"command", {"cat"}}, {"stdin", true}};
  // The tunnel listener registers right after the connection: retry briefly until it has.
  nodeservice::TunnelStreamPtr stream;
  ASSERT_TRUE(eventually(
      [&] {
        try {
          stream = node_server->tunnel().open_stream("n1", exec);
          return true;
        } catch (const api::ApiError& error) {
          if (error.code() != 503) throw;
          return false;
        }
      },
      "the agent's tunnel"));
  ASSERT_TRUE(stream->write(nodeservice::TunnelFrame::bytes(0, "ping")));
  auto frame = stream->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->data, "ping");
  ASSERT_TRUE(stream->write(nodeservice::TunnelFrame::close(0)));
  frame = stream->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, nodeservice::TunnelFrame::Type::End);
  EXPECT_EQ(frame->exit_code, 7);

  nodeservice::TunnelRequest logs = exec;
  logs.kind = nodeservice::TunnelRequest::Kind::Logs;
  auto log_stream = node_server->tunnel().open_stream("n1", logs);
  std::string text;
  while (auto next = log_stream->read()) {
    if (next->type == nodeservice::TunnelFrame::Type::End) {
      EXPECT_EQ(next->exit_code, 0);
      break;
    }
    text += next->data;
  }
  EXPECT_EQ(text, "line 1\nline 2\n");

  try {
    node_server->tunnel().open_stream("n9", logs);
    ADD_FAILURE() << "a node without an agent must be refused";
  } catch (const api::ApiError& error) {
    EXPECT_EQ(error.code(), 503);
    EXPECT_NE(std::string(error.what()).find("no agent connected"), std::string::npos);
  }
}

TEST_F(NodeClientTest, ServerSideCancelEndsTheAgentsStream) {
  connect();
  nodeservice::TunnelRequest exec;
  exec.kind = nodeservice::TunnelRequest::Kind::Exec;
  exec.namespace_name = "default";
  exec.pod_name = "web";
  exec.options = {{"command", {"cat"}}};
  nodeservice::TunnelStreamPtr stream;
  ASSERT_TRUE(eventually(
      [&] {
        try {
          stream = node_server->tunnel().open_stream("n1", exec);
          return true;
        } catch (const api::ApiError&) {
          return false;
        }
      },
      "the agent's tunnel"));
  stream->cancel();
  EXPECT_TRUE(eventually([&] { return streams.broken_streams == 1; },
                         "the agent's handler to see the stream end"));
  EXPECT_FALSE(stream->read());
}

}  // namespace
}  // namespace skiff::agent::nodeclient
