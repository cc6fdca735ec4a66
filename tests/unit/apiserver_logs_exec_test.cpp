// pods/log and pods/exec at the API edge, with a scripted NodeTunnel in place of the agents:
// the errors as Kubernetes words them, what travels to the node, whole and followed logs, and
// exec over a real WebSocket (loopback) with the result Status on channel 3.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>

#include "pkg/api/errors.h"
#include "pkg/http/websocket_client.h"
#include "server/apiserver/pod_stream_handlers.h"
#include "server/nodeservice/node_tunnel.h"
#include "tests/unit/apiserver_test_support.h"

namespace skiff::apiserver::testing {
namespace {

using namespace std::chrono_literals;
using nodeservice::TunnelFrame;
using nodeservice::TunnelRequest;

// The frames an agent would send, queued by the test; what the server wrote and whether it
// cancelled.
class ScriptedStream {
 public:
  void push(TunnelFrame frame) {
    std::lock_guard lock(mutex_);
    frames_.push_back(std::move(frame));
    changed_.notify_all();
  }
  std::optional<TunnelFrame> read() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !frames_.empty() || cancelled_ || ended_; });
    if (ended_ || frames_.empty()) return std::nullopt;
    TunnelFrame frame = std::move(frames_.front());
    frames_.pop_front();
    if (frame.type == TunnelFrame::Type::End) ended_ = true;
    return frame;
  }
  bool write(const TunnelFrame& frame) {
    std::lock_guard lock(mutex_);
    written_.push_back(frame);
    changed_.notify_all();
    return !cancelled_;
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }
  bool wait_cancelled(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return cancelled_; });
  }
  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<TunnelFrame> frames_;
  std::vector<TunnelFrame> written_;
  bool cancelled_ = false;
  bool ended_ = false;
};

class StreamHandle : public nodeservice::TunnelStream {
 public:
  explicit StreamHandle(std::shared_ptr<ScriptedStream> stream) : stream_(std::move(stream)) {}
  ~StreamHandle() override { stream_->cancel(); }
  std::optional<TunnelFrame> read() override { return stream_->read(); }
  bool write(const TunnelFrame& frame) override { return stream_->write(frame); }
  void cancel() override { stream_->cancel(); }

 private:
  std::shared_ptr<ScriptedStream> stream_;
};

class FakeTunnel : public nodeservice::NodeTunnel {
 public:
  // The stream the next open_stream returns, with these frames already queued.
  std::shared_ptr<ScriptedStream> next(std::vector<TunnelFrame> frames) {
    auto stream = std::make_shared<ScriptedStream>();
    for (auto& frame : frames) stream->push(std::move(frame));
    std::lock_guard lock(mutex_);
    next_ = stream;
    return stream;
  }
  nodeservice::TunnelStreamPtr open_stream(const std::string& node_name,
                                           const TunnelRequest& request) override {
    std::lock_guard lock(mutex_);
    opened_.emplace_back(node_name, request);
    if (!next_) throw api::service_unavailable("node \"" + node_name + "\" has no tunnel");
    return std::make_unique<StreamHandle>(std::exchange(next_, nullptr));
  }
  std::vector<std::pair<std::string, TunnelRequest>> opened() {
    std::lock_guard lock(mutex_);
    return opened_;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<ScriptedStream> next_;
  std::vector<std::pair<std::string, TunnelRequest>> opened_;
};

TunnelFrame accepted() {
  return TunnelFrame::bytes(1, "");
}

class PodStreamsApiTest : public ApiTest {
 protected:
  PodStreamsApiTest() : ApiTest(false) { api_->set_node_tunnel(&tunnel_); }

  void create_pod(const std::string& name, std::vector<std::string> containers,
                  const std::string& node = "node-a", Json status = nullptr) {
    Json list = Json::array();
    for (const auto& container : containers)
      list.push_back({{"name", container}, {"image", "busybox:1.36"}});
    Json spec = {{"containers", list}};
    if (!node.empty()) spec["nodeName"] = node;
    auto created = call(
        "POST", "/api/v1/namespaces/default/pods",
        Json{
            {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}});
    ASSERT_EQ(created.status, 201u) << created.text;
    uids_[name] = created.body["metadata"]["uid"];
    if (status.is_null()) return;
    auto patched =
        call("PATCH", "/api/v1/namespaces/default/pods/" + name + "/status",
             Json{{"status", status}}.dump(), {{"Content-Type", "application/merge-patch+json"}});
    ASSERT_EQ(patched.status, 200u) << patched.text;
  }

  static Json running(const std::string& container) {
    return {{"phase", "Running"},
            {"containerStatuses",
             {{{"name", container},
               {"ready", true},
               {"restartCount", 0},
               {"image", "busybox:1.36"},
               {"imageID", ""},
               {"state", {{"running", {{"startedAt", "2026-11-26T10:00:00Z"}}}}}}}}};
  }

  void expect_error(const Reply& reply, unsigned status, const std::string& message) {
    EXPECT_EQ(reply.status, status) << reply.text;
    EXPECT_EQ(reply.body.value("kind", ""), "Status") << reply.text;
    EXPECT_EQ(reply.body.value("message", ""), message) << reply.text;
  }

  FakeTunnel tunnel_;
  std::map<std::string, std::string> uids_;
};

const std::string kPods = "/api/v1/namespaces/default/pods/";

TEST_F(PodStreamsApiTest, LogErrorsAreWordedAsKubernetesWordsThem) {
  create_pod("solo", {"web"});
  create_pod("pair", {"web", "sidecar"});
  create_pod("unscheduled", {"web"}, "");
  create_pod("creating", {"web"}, "node-a",
             {{"phase", "Pending"},
              {"containerStatuses",
               {{{"name", "web"},
                 {"ready", false},
                 {"restartCount", 0},
                 {"image", "busybox:1.36"},
                 {"imageID", ""},
                 {"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}}}}});
  create_pod("fresh", {"web"}, "node-a", running("web"));

  auto missing = call("GET", kPods + "nope/log");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body.value("message", ""), "pods \"nope\" not found");
  expect_error(call("GET", kPods + "pair/log"), 400,
               "a container name must be specified for pod pair, choose one of: [web sidecar]");
  expect_error(call("GET", kPods + "solo/log?container=db"), 400,
               "container db is not valid for pod solo");
  expect_error(call("GET", kPods + "unscheduled/log"), 400,
               "pod unscheduled does not have a host assigned");
  expect_error(call("GET", kPods + "creating/log"), 400,
               "container \"web\" in pod \"creating\" is waiting to start: ContainerCreating");
  expect_error(call("GET", kPods + "fresh/log?previous=true"), 400,
               "previous terminated container \"web\" in pod \"fresh\" not found");
  expect_error(call("GET", kPods + "solo/log?tailLines=-1"), 400,
               "invalid value for tailLines: -1: must be greater than or equal to 0");
  expect_error(call("GET", kPods + "solo/log?follow=maybe"), 400,
               "invalid value for follow: \"maybe\" (want true or false)");
  EXPECT_TRUE(tunnel_.opened().empty()) << "no refused request may reach a node";

  // The node has no tunnel (agent down): 503 from the tunnel, passed on.
  expect_error(call("GET", kPods + "solo/log"), 503, "node \"node-a\" has no tunnel");
}

TEST_F(PodStreamsApiTest, WithoutATunnelLogsAreUnavailable) {
  create_pod("solo", {"web"});
  api_->set_node_tunnel(nullptr);
  auto reply = call("GET", kPods + "solo/log");
  EXPECT_EQ(reply.status, 503u);
  EXPECT_NE(reply.body.value("message", "").find("no node connection"), std::string::npos)
      << reply.text;
}

TEST_F(PodStreamsApiTest, AWholeLogIsCollectedWithTheRequestOptionsSentToTheNode) {
  create_pod("pair", {"web", "sidecar"}, "node-a", running("sidecar"));
  tunnel_.next({accepted(), TunnelFrame::bytes(1, "one\n"), TunnelFrame::bytes(1, "two\n"),
                TunnelFrame::end(0)});
  auto reply = call("GET", kPods +
                               "pair/log?container=sidecar&tailLines=2&timestamps=true&"
                               "sinceSeconds=60");
  EXPECT_EQ(reply.status, 200u) << reply.text;
  EXPECT_EQ(reply.text, "one\ntwo\n");
  EXPECT_EQ(reply.header_values("Content-Type"), std::vector<std::string>{"text/plain"});
  auto opened = tunnel_.opened();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].first, "node-a");
  const TunnelRequest& request = opened[0].second;
  EXPECT_EQ(request.kind, TunnelRequest::Kind::Logs);
  EXPECT_EQ(request.namespace_name, "default");
  EXPECT_EQ(request.pod_name, "pair");
  EXPECT_EQ(request.pod_uid, uids_["pair"]);
  EXPECT_EQ(request.container, "sidecar");
  EXPECT_EQ(request.options, (Json{{"tailLines", 2}, {"timestamps", true}, {"sinceSeconds", 60}}));
}

TEST_F(PodStreamsApiTest, LimitBytesCutsTheLogAndCancelsTheStream) {
  create_pod("solo", {"web"});
  auto stream = tunnel_.next({accepted(), TunnelFrame::bytes(1, "abcdef\n"),
                              TunnelFrame::bytes(1, "ghijkl\n")});  // no End: more would come
  auto reply = call("GET", kPods + "solo/log?limitBytes=10");
  EXPECT_EQ(reply.status, 200u) << reply.text;
  EXPECT_EQ(reply.text, "abcdef\nghi");
  EXPECT_TRUE(stream->cancelled());
}

TEST_F(PodStreamsApiTest, TheAgentsRefusalBecomesTheStatus) {
  create_pod("solo", {"web"});
  tunnel_.next({TunnelFrame::end(400, "container \"web\" in pod \"solo\" is not available")});
  expect_error(call("GET", kPods + "solo/log"), 400,
               "container \"web\" in pod \"solo\" is not available");
  tunnel_.next({TunnelFrame::end(500, "container runtime: podman is down")});
  expect_error(call("GET", kPods + "solo/log"), 500, "container runtime: podman is down");
}

TEST_F(PodStreamsApiTest, AFollowedLogStreamsUntilTheContainerStops) {
  create_pod("solo", {"web"});
  // Lines of JSON only so that FakeStream can count them.
  auto stream = tunnel_.next({accepted(), TunnelFrame::bytes(1, "{\"n\":1}\n")});
  auto out = watch(kPods + "solo/log?follow=true");
  EXPECT_EQ(out->wait_for(1).size(), 1u);
  EXPECT_FALSE(out->closed());
  stream->push(TunnelFrame::bytes(1, "{\"n\":2}\n"));
  stream->push(TunnelFrame::end(0));
  EXPECT_TRUE(out->wait_closed(5s));
  EXPECT_EQ(out->events().size(), 2u);
}

TEST_F(PodStreamsApiTest, AClientLeavingAFollowedLogCancelsTheNodeStream) {
  create_pod("solo", {"web"});
  auto stream = tunnel_.next({accepted()});
  auto out = watch(kPods + "solo/log?follow=true");
  stream->push(TunnelFrame::bytes(1, "{\"n\":1}\n"));
  EXPECT_EQ(out->wait_for(1).size(), 1u);
  out->close();  // the client went away
  EXPECT_TRUE(stream->wait_cancelled(5s));
}

TEST_F(PodStreamsApiTest, ExecRefusalsAnswerTheSpdyFallbackWithTheSameStatus) {
  create_pod("solo", {"web"}, "node-a", running("web"));
  create_pod("pair", {"web", "sidecar"});
  const http::Headers spdy = {{"Connection", "Upgrade"},
                              {"Upgrade", "SPDY/3.1"},
                              {"X-Stream-Protocol-Version", "v4.channel.k8s.io"}};
  const http::Headers websocket = {{"Connection", "Upgrade"},
                                   {"Upgrade", "websocket"},
                                   {"Sec-WebSocket-Version", "13"},
                                   {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                   {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}};
  const std::string command = "/exec?command=sh&command=-c&command=exit+3&stdout=true&stderr=true";
  for (const auto* method : {"GET", "POST"}) {
    const auto& headers = std::string(method) == "GET" ? websocket : spdy;
    auto missing = call(method, kPods + "nope" + command, std::string(), headers);
    EXPECT_EQ(missing.status, 404u) << method;
    expect_error(call(method, kPods + "pair" + command, std::string(), headers), 400,
                 "a container name must be specified for pod pair, choose one of: [web sidecar]");
    expect_error(call(method, kPods + "solo/exec?stdout=true", std::string(), headers), 400,
                 "you must specify at least one command for the container");
    expect_error(
        call(method, kPods + "solo" + command + "&stdin=true&tty=true", std::string(), headers),
        400,
        "interactive exec (stdin, tty) is not supported by skiff yet: run the command "
        "without -i and -t");
  }
  expect_error(call("POST", kPods + "solo" + command, std::string(), spdy), 400,
               "skiff serves exec over WebSocket (v5.channel.k8s.io) only, not SPDY/3.1: use "
               "kubectl 1.30 or newer");
  expect_error(call("GET", kPods + "solo" + command), 400, "Upgrade request required");
  EXPECT_TRUE(tunnel_.opened().empty());
}

TEST(ExecStatus, IsWhatTheKubeletSendsOnChannelThree) {
  EXPECT_EQ(exec_status(TunnelFrame::end(0)),
            (Json{{"metadata", Json::object()}, {"status", "Success"}}));
  Json failed = exec_status(TunnelFrame::end(3));
  EXPECT_EQ(failed["status"], "Failure");
  EXPECT_EQ(failed["reason"], "NonZeroExitCode");
  EXPECT_EQ(failed["details"]["causes"], (Json{{{"reason", "ExitCode"}, {"message", "3"}}}));
  Json broken = exec_status(TunnelFrame::end(1, "cannot run the command: no such container"));
  EXPECT_EQ(broken["status"], "Failure");
  EXPECT_EQ(broken["message"], "cannot run the command: no such container");
}

// Exec over a real WebSocket: the API behind an http::Server on loopback.
class ExecWebSocketTest : public PodStreamsApiTest {
 protected:
  ExecWebSocketTest()
      : server_({}, [this](http::Request& request) { return api_->handle(request); }) {
    port_ = server_.start();
  }
  // The API's pump threads post to the server's I/O context: they are joined (api_->stop())
  // before server_ and its context are destroyed, as `skiff server` stops them in that order.
  ~ExecWebSocketTest() override {
    server_.stop();
    api_->stop();
  }

  std::string url(const std::string& target) {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  http::WebSocketClientOptions v5() {
    http::WebSocketClientOptions options;
    options.subprotocols = {"v5.channel.k8s.io"};
    return options;
  }

  http::Server server_;
  uint16_t port_ = 0;
};

TEST_F(ExecWebSocketTest, OutputThenTheExitStatusOnChannelThree) {
  create_pod("solo", {"web"}, "node-a", running("web"));
  auto stream = tunnel_.next({accepted(), TunnelFrame::bytes(1, "out\n"),
                              TunnelFrame::bytes(2, "err\n"), TunnelFrame::end(3)});
  http::WebSocketClient client(
      url(kPods + "solo/exec?command=sh&command=-c&command=exit+3&stdout=true&stderr=true"), v5());
  EXPECT_EQ(client.subprotocol(), "v5.channel.k8s.io");
  std::vector<std::string> messages;
  while (auto message = client.receive()) messages.push_back(*message);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], std::string("\x01out\n"));
  EXPECT_EQ(messages[1], std::string("\x02") + "err\n");
  ASSERT_EQ(messages[2][0], '\x03');
  Json status = Json::parse(messages[2].substr(1));
  EXPECT_EQ(status["reason"], "NonZeroExitCode");
  EXPECT_EQ(status["details"]["causes"][0]["message"], "3");
  EXPECT_EQ(client.close_code(), 1000);
  auto opened = tunnel_.opened();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].second.kind, TunnelRequest::Kind::Exec);
  EXPECT_EQ(opened[0].second.options["command"], (Json{"sh", "-c", "exit 3"}));
}

TEST_F(ExecWebSocketTest, PingsAreAnsweredAndAClientThatLeavesCancelsTheExec) {
  create_pod("solo", {"web"}, "node-a", running("web"));
  auto stream = tunnel_.next({accepted()});
  auto client = std::make_unique<http::WebSocketClient>(
      url(kPods + "solo/exec?command=sleep&command=100&stdout=true"), v5());
  client->ping();
  // The pong is read on the way to the next data message; which of the two the server sends
  // first is up to its threads, so send data until a pong came back (bounded).
  for (int i = 0; i < 50 && client->pongs_received() == 0; ++i) {
    stream->push(TunnelFrame::bytes(1, "tick\n"));
    auto message = client->receive();
    ASSERT_TRUE(message);
    EXPECT_EQ(*message, std::string("\x01tick\n"));
  }
  EXPECT_EQ(client->pongs_received(), 1);
  client.reset();  // closes
  EXPECT_TRUE(stream->wait_cancelled(5s));
}

TEST_F(ExecWebSocketTest, RefusalsBeforeTheUpgradeAreStatusesAndOnlyV5IsSpoken) {
  create_pod("solo", {"web"}, "node-a", running("web"));
  tunnel_.next(
      {TunnelFrame::end(400, "unable to upgrade connection: container not found (\"web\")")});
  try {
    http::WebSocketClient client(url(kPods + "solo/exec?command=ls&stdout=true"), v5());
    ADD_FAILURE() << "the upgrade should have been refused";
  } catch (const http::WebSocketRejected& rejected) {
    EXPECT_EQ(rejected.status(), 400u);
    EXPECT_EQ(Json::parse(rejected.body())["message"],
              "unable to upgrade connection: container not found (\"web\")");
  }
  http::WebSocketClientOptions v4;
  v4.subprotocols = {"v4.channel.k8s.io"};
  EXPECT_THROW(http::WebSocketClient(url(kPods + "solo/exec?command=ls&stdout=true"), v4),
               http::WebSocketRejected);
}

}  // namespace
}  // namespace skiff::apiserver::testing
