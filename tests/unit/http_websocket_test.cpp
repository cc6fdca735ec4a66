// WebSocket upgrades of the HTTP server over real loopback sockets, with the small blocking
// client: the handshake and subprotocol, messages both ways in order, the close code, pongs,
// a refused upgrade keeping its Status, a handler that upgrades a plain request, and the
// server's stop closing open sockets with 1001.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "pkg/http/server.h"
#include "pkg/http/websocket_client.h"

namespace skiff::http {
namespace {

using namespace std::chrono_literals;

// Echoes every message back with a "re:" prefix; "bye" makes the server close with 4000.
WebSocketUpgrade echo_upgrade(std::atomic<int>& closed_count) {
  WebSocketUpgrade upgrade;
  upgrade.subprotocol = "echo.v1";
  upgrade.start = [&closed_count](WebSocketPtr socket) {
    WebSocketEvents events;
    events.on_message = [socket](std::string message) {
      if (message == "bye") return socket->close(4000);
      socket->send("re:" + message);
    };
    events.on_close = [&closed_count] { ++closed_count; };
    return events;
  };
  return upgrade;
}

class WebSocketServerTest : public ::testing::Test {
 protected:
  WebSocketServerTest()
      : server_({}, [this](Request& request) -> HandlerResult {
          if (request.path == "/refuse")
            return status_response(403, "Forbidden", "no sockets for you");
          if (request.path == "/echo") return echo_upgrade(closed_);
          return Response{200, {{"Content-Type", "text/plain"}}, "plain"};
        }) {
    port_ = server_.start();
  }
  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  WebSocketClientOptions offer(std::vector<std::string> protocols) {
    WebSocketClientOptions options;
    options.subprotocols = std::move(protocols);
    return options;
  }
  bool wait_closed(int count) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (closed_ < count && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return closed_ >= count;
  }

  std::atomic<int> closed_{0};
  Server server_;
  uint16_t port_ = 0;
};

TEST_F(WebSocketServerTest, MessagesFlowBothWaysInOrderAndTheServerClosesWithItsCode) {
  WebSocketClient client(url("/echo"), offer({"echo.v1"}));
  EXPECT_EQ(client.subprotocol(), "echo.v1");
  const std::vector<std::string> texts = {"one", "two", std::string(70000, 'x')};
  for (const auto& text : texts) client.send(text);
  EXPECT_EQ(client.receive(), "re:one");
  EXPECT_EQ(client.receive(), "re:two");
  EXPECT_EQ(client.receive()->size(), 70003u) << "a message larger than one read";
  client.send(std::string("\x00\xff", 2));
  EXPECT_EQ(client.receive(), std::string("re:\x00\xff", 5)) << "binary data intact";
  client.ping();
  client.send("after ping");
  EXPECT_EQ(client.receive(), "re:after ping");
  EXPECT_EQ(client.pongs_received(), 1) << "the pong precedes the reply to a later message";
  client.send("bye");
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_EQ(client.close_code(), 4000);
  EXPECT_TRUE(wait_closed(1));
}

TEST_F(WebSocketServerTest, AClientCloseEndsTheSocketOnTheServer) {
  {
    WebSocketClient client(url("/echo"), offer({"echo.v1"}));
    client.send("hi");
    EXPECT_EQ(client.receive(), "re:hi");
  }  // closes with 1000
  EXPECT_TRUE(wait_closed(1));
}

TEST_F(WebSocketServerTest, ARefusedUpgradeKeepsItsStatusAndAPlainAnswerIsNotAnUpgrade) {
  try {
    WebSocketClient client(url("/refuse"), offer({"echo.v1"}));
    ADD_FAILURE() << "the upgrade should have been refused";
  } catch (const WebSocketRejected& rejected) {
    EXPECT_EQ(rejected.status(), 403u);
    EXPECT_NE(rejected.body().find("no sockets for you"), std::string::npos) << rejected.body();
  }
  EXPECT_THROW(WebSocketClient(url("/plain"), offer({})), WebSocketRejected);
  EXPECT_THROW(WebSocketClient("https://127.0.0.1:1/x", offer({})), WebSocketError);
}

TEST_F(WebSocketServerTest, StoppingTheServerClosesOpenSocketsGoingAway) {
  WebSocketClient client(url("/echo"), offer({"echo.v1"}));
  client.send("hi");
  EXPECT_EQ(client.receive(), "re:hi");
  std::thread stopper([&] { server_.stop(); });
  EXPECT_EQ(client.receive(), std::nullopt);
  stopper.join();
  EXPECT_EQ(client.close_code(), 1001);
  EXPECT_TRUE(wait_closed(1));
}

}  // namespace
}  // namespace skiff::http
