// The reverse tunnel's hub without gRPC: a request reaches the node's listener, the agent's
// endpoint and the server's stream exchange frames both ways, and every way a stream can fail
// to open or end is reported.
#include <gtest/gtest.h>

#include <thread>

#include "pkg/api/errors.h"
#include "server/nodeservice/tunnel_hub.h"

namespace skiff::nodeservice {
namespace {

using namespace std::chrono_literals;

TunnelRequest exec_request() {
  TunnelRequest request;
  request.kind = TunnelRequest::Kind::Exec;
  request.namespace_name = "default";
  request.pod_name = "web";
  request.container = "app";
  request.options = {{"command", {"cat"}}, {"stdin", true}};
  return request;
}

int open_error(TunnelHub& hub, const std::string& node) {
  try {
    hub.open_stream(node, exec_request());
  } catch (const api::ApiError& error) {
    return error.code();
  }
  return 0;
}

TEST(TunnelHub, ANodeWithoutAnAgentIsUnavailable) {
  TunnelHub hub;
  EXPECT_EQ(open_error(hub, "n1"), 503);
}

TEST(TunnelHub, AnAgentThatDoesNotAnswerTimesOut) {
  TunnelHub hub(TunnelHubOptions{50ms, 8});
  auto listener = hub.listen("n1");
  EXPECT_EQ(open_error(hub, "n1"), 504);
  auto request = listener->next(0ms);
  ASSERT_TRUE(request) << "the request reached the agent";
  EXPECT_FALSE(hub.attach(request->first)) << "too late: nobody waits for it";
}

TEST(TunnelHub, FramesFlowBothWaysAndTheAgentsEndArrives) {
  TunnelHub hub;
  auto listener = hub.listen("n1");
  // The agent: echoes stdin to stdout until stdin closes, then ends with exit code 3.
  std::thread agent([&] {
    auto request = listener->next(5s);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->second.pod_name, "web");
    EXPECT_EQ(request->second.options["command"][0], "cat");
    auto endpoint = hub.attach(request->first);
    ASSERT_TRUE(endpoint);
    while (auto frame = endpoint->next_outbound()) {
      if (frame->type == TunnelFrame::Type::Close) break;
      endpoint->deliver(TunnelFrame::bytes(1, "echo:" + frame->data));
    }
    endpoint->deliver(TunnelFrame::end(3));
    endpoint->finish();
  });
  auto stream = hub.open_stream("n1", exec_request());
  ASSERT_TRUE(stream->write(TunnelFrame::bytes(0, "hello")));
  auto frame = stream->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->channel, 1u);
  EXPECT_EQ(frame->data, "echo:hello");
  ASSERT_TRUE(stream->write(TunnelFrame::close(0)));
  frame = stream->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, TunnelFrame::Type::End);
  EXPECT_EQ(frame->exit_code, 3);
  EXPECT_FALSE(stream->read()) << "nothing after the end";
  agent.join();
  EXPECT_FALSE(stream->write(TunnelFrame::bytes(0, "late")));
}

TEST(TunnelHub, CancelReachesTheAgent) {
  TunnelHub hub;
  auto listener = hub.listen("n1");
  std::atomic<bool> saw_cancel{false};
  std::thread agent([&] {
    auto request = listener->next(5s);
    ASSERT_TRUE(request);
    auto endpoint = hub.attach(request->first);
    ASSERT_TRUE(endpoint);
    while (endpoint->next_outbound()) {
    }
    saw_cancel = endpoint->cancelled();
    EXPECT_FALSE(endpoint->deliver(TunnelFrame::bytes(1, "ignored")));
  });
  auto stream = hub.open_stream("n1", exec_request());
  stream->cancel();
  agent.join();
  EXPECT_TRUE(saw_cancel);
  EXPECT_FALSE(stream->read());
}

TEST(TunnelHub, ANewerConnectionOfTheNodeTakesOver) {
  TunnelHub hub;
  auto old_listener = hub.listen("n1");
  auto new_listener = hub.listen("n1");
  EXPECT_TRUE(old_listener->ended());
  EXPECT_FALSE(new_listener->ended());
  old_listener.reset();  // the old call ending must not unregister the new one
  std::thread agent([&] {
    auto request = new_listener->next(5s);
    ASSERT_TRUE(request);
    auto endpoint = hub.attach(request->first);
    ASSERT_TRUE(endpoint);
    endpoint->deliver(TunnelFrame::end(0));
  });
  auto stream = hub.open_stream("n1", exec_request());
  auto frame = stream->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, TunnelFrame::Type::End);
  agent.join();
}

TEST(TunnelHub, ShutdownEndsListenersAndStreams) {
  TunnelHub hub;
  auto listener = hub.listen("n1");
  std::unique_ptr<TunnelHub::Endpoint> endpoint;
  std::thread agent([&] {
    auto request = listener->next(5s);
    ASSERT_TRUE(request);
    endpoint = hub.attach(request->first);
  });
  auto stream = hub.open_stream("n1", exec_request());
  agent.join();
  ASSERT_TRUE(endpoint);
  hub.shutdown();
  EXPECT_TRUE(listener->ended());
  EXPECT_FALSE(stream->read());
  EXPECT_FALSE(endpoint->next_outbound());
  EXPECT_TRUE(endpoint->cancelled());
  EXPECT_EQ(open_error(hub, "n1"), 503);
}

}  // namespace
}  // namespace skiff::nodeservice
