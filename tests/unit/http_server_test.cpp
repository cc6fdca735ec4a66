// The HTTP server over real loopback sockets: plain responses, keep-alive, the body limit,
// handler exceptions, and streams (chunked, closed by the producer or by the client).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "pkg/http/server.h"
#include "pkg/util/handoff_batch.h"

namespace skiff::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct Client {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  explicit Client(uint16_t port) {
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  bhttp::response<bhttp::string_body> send(bhttp::verb verb, const std::string& target,
                                           const std::string& body = "") {
    bhttp::request<bhttp::string_body> request{verb, target, 11};
    request.set(bhttp::field::host, "localhost");
    request.body() = body;
    request.prepare_payload();
    stream.expires_after(std::chrono::seconds(10));  // a missing answer fails, not hangs
    bhttp::write(stream, request);
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream, buffer, response);
    return response;
  }
};

TEST(HttpServer, AnswersAndKeepsTheConnectionAlive) {
  Server server({}, [](Request& request) -> HandlerResult {
    if (request.path == "/boom") throw std::runtime_error("kaput");
    return Response{200,
                    {{"Content-Type", "text/plain"}},
                    request.method + " " + request.path + " " + request.query_value("a") + " " +
                        std::to_string(request.body.size())};
  });
  uint16_t port = server.start();
  ASSERT_NE(port, 0);
  Client client(port);
  auto first = client.send(bhttp::verb::get, "/x%20y?a=1+2");
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(first.body(), "GET /x y 1 2 0");
  auto second = client.send(bhttp::verb::post, "/z", "hello");  // same connection
  EXPECT_EQ(second.body(), "POST /z  5");
  auto boom = client.send(bhttp::verb::get, "/boom");
  EXPECT_EQ(boom.result_int(), 500u);
  EXPECT_NE(boom.body().find("kaput"), std::string::npos);
  EXPECT_NE(boom.body().find("\"kind\":\"Status\""), std::string::npos);
  server.stop();
}

TEST(HttpServer, BodyOverTheLimitIs413) {
  ServerOptions options;
  options.body_limit = 1024;
  Server server(options, [](Request&) -> HandlerResult { return Response{200, {}, "ok"}; });
  Client client(server.start());
  auto response = client.send(bhttp::verb::post, "/", std::string(4096, 'x'));
  EXPECT_EQ(response.result_int(), 413u);
  EXPECT_NE(response.body().find("RequestEntityTooLarge"), std::string::npos);
}

TEST(HttpServer, StreamsChunksAndNoticesDisconnect) {
  std::promise<ResponseStreamPtr> started;
  std::atomic<bool> closed{false};
  Server server({}, [&](Request&) -> HandlerResult {
    StreamingResponse streaming;
    streaming.headers = {{"Content-Type", "application/json"}};
    streaming.start = [&](ResponseStreamPtr stream) {
      stream->on_close([&] { closed = true; });
      stream->write("{\"n\":1}\n");
      started.set_value(stream);
    };
    return streaming;
  });
  uint16_t port = server.start();
  {
    Client client(port);
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, "/watch", 11};
    bhttp::write(client.stream, request);
    bhttp::response_parser<bhttp::string_body> parser;
    bhttp::read_header(client.stream, client.buffer, parser);
    EXPECT_TRUE(parser.chunked());
    auto stream = started.get_future().get();
    stream->write("{\"n\":2}\n");
    // Read until both lines arrived.
    std::string body;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (body.find("{\"n\":2}") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      beast::error_code ec;
      char data[256];
      size_t n = client.stream.socket().read_some(asio::buffer(data), ec);
      if (ec) break;
      body.append(data, n);
    }
    EXPECT_NE(body.find("{\"n\":2}"), std::string::npos) << body;
  }  // the client disconnects
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!closed && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(closed);
  server.stop();
}

TEST(HttpServer, StreamHeadersArriveBeforeAnyChunk) {
  // A watch with nothing to report yet must still answer its headers: client-go waits for them.
  std::promise<ResponseStreamPtr> started;
  Server server({}, [&](Request&) -> HandlerResult {
    StreamingResponse streaming;
    streaming.start = [&](ResponseStreamPtr stream) { started.set_value(stream); };
    return streaming;
  });
  Client client(server.start());
  client.stream.expires_after(std::chrono::seconds(5));
  bhttp::request<bhttp::string_body> request{bhttp::verb::get, "/quiet-watch", 11};
  bhttp::write(client.stream, request);
  bhttp::response_parser<bhttp::string_body> parser;
  beast::error_code ec;
  bhttp::read_header(client.stream, client.buffer, parser, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(parser.get().result_int(), 200u);
  started.get_future().get()->close();
  server.stop();
}

TEST(HttpServer, ProducerCloseEndsTheBody) {
  Server server({}, [](Request&) -> HandlerResult {
    StreamingResponse streaming;
    streaming.start = [](ResponseStreamPtr stream) {
      stream->write("a");
      stream->write("b");
      stream->close();
      EXPECT_FALSE(stream->write("c"));
    };
    return streaming;
  });
  Client client(server.start());
  auto response = client.send(bhttp::verb::get, "/");
  EXPECT_EQ(response.body(), "ab");
}

// A request the server picks for the I/O thread is answered even while every worker is stuck in
// a slow handler; the slow one is still answered once it is done.
TEST(HttpServer, QuickRequestsDoNotWaitForBusyWorkers) {
  ServerOptions options;
  options.worker_threads = 1;
  options.handle_on_io_thread = [](const Request& request) { return request.path == "/quick"; };
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  Server server(options, [&](Request& request) -> HandlerResult {
    if (request.path == "/slow") {
      entered.set_value();
      released.wait();
    }
    return Response{200, {}, request.path};
  });
  const uint16_t port = server.start();
  auto slow = std::async(std::launch::async, [port] {
    Client client(port);
    return client.send(bhttp::verb::post, "/slow").body();
  });
  entered.get_future().wait();  // the only worker is now busy

  auto quick = std::async(std::launch::async, [port] {
    Client client(port);
    return client.send(bhttp::verb::get, "/quick").body();
  });
  const bool answered_while_busy =
      quick.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  release.set_value();  // frees the worker either way, so nothing is left waiting
  EXPECT_TRUE(answered_while_busy) << "the quick request waited for the busy worker";
  EXPECT_EQ(quick.get(), "/quick");
  EXPECT_EQ(slow.get(), "/slow");
}

// A deferred response is answered from another thread (as a store's writer does), on the I/O
// thread's connection, and the connection stays alive for the next request.
TEST(HttpServer, DeferredResponsesAreAnsweredFromAnotherThread) {
  std::vector<std::thread> completers;
  ServerOptions options;
  options.handle_on_io_thread = [](const Request&) { return true; };
  Server server(options, [&](Request& request) -> HandlerResult {
    return DeferredResponse{[&completers, path = request.path](ResponderPtr responder) {
      completers.emplace_back([responder, path] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        responder->send(Response{201, {{"Content-Type", "text/plain"}}, "made " + path});
        responder->send(Response{500, {}, "a second answer is ignored"});
      });
    }};
  });
  Client client(server.start());
  auto first = client.send(bhttp::verb::post, "/one");
  EXPECT_EQ(first.result_int(), 201u);
  EXPECT_EQ(first.body(), "made /one");
  auto second = client.send(bhttp::verb::post, "/two");  // same connection
  EXPECT_EQ(second.body(), "made /two");
  server.stop();
  for (auto& completer : completers) completer.join();
}

TEST(HttpServer, ADroppedDeferredResponseAnswers500) {
  Server server({}, [](Request&) -> HandlerResult {
    return DeferredResponse{[](ResponderPtr) {}};  // forgets the responder
  });
  Client client(server.start());
  auto response = client.send(bhttp::verb::post, "/lost");
  EXPECT_EQ(response.result_int(), 500u);
  EXPECT_NE(response.body().find("dropped without an answer"), std::string::npos);
}

// stop() lets a deferred response still in flight reach its client, as it does for handlers.
TEST(HttpServer, StopWaitsForDeferredResponses) {
  std::promise<ResponderPtr> started;
  Server server({}, [&](Request&) -> HandlerResult {
    return DeferredResponse{[&](ResponderPtr responder) { started.set_value(responder); }};
  });
  Client client(server.start());
  auto answered =
      std::async(std::launch::async, [&] { return client.send(bhttp::verb::post, "/"); });
  ResponderPtr responder = started.get_future().get();
  std::thread stopper([&] { server.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the stop is under way
  responder->send(Response{200, {}, "late but answered"});
  responder.reset();
  auto response = answered.get();
  stopper.join();
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), "late but answered");
}

// The store's writer answers a whole group commit inside a util::HandoffBatch, which hands the
// answers to their I/O threads when it closes. Until then an answer still counts as pending:
// stop() must not let the I/O thread run out of work and end while the answer is on its way.
TEST(HttpServer, StopWaitsForAnAnswerKeptInAHandoffBatch) {
  std::promise<ResponderPtr> started;
  Server server({}, [&](Request&) -> HandlerResult {
    return DeferredResponse{[&](ResponderPtr responder) { started.set_value(responder); }};
  });
  Client client(server.start());
  auto answered =
      std::async(std::launch::async, [&]() -> std::optional<bhttp::response<bhttp::string_body>> {
        try {
          return client.send(bhttp::verb::post, "/");
        } catch (const std::exception&) {
          return std::nullopt;  // the connection ended without an answer
        }
      });
  ResponderPtr responder = started.get_future().get();
  std::thread stopper([&] { server.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the stop is under way
  {
    util::HandoffBatch batch;
    responder->send(Response{200, {}, "kept, then answered"});
    responder.reset();
    // Time for stop() to finish, were it no longer waiting.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  if (answered.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // A server that lost the answer leaves the client reading forever: end its read.
    beast::error_code ignored;
    client.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  }
  auto response = answered.get();
  stopper.join();
  ASSERT_TRUE(response.has_value()) << "the answer never arrived";
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->body(), "kept, then answered");
}

TEST(Settle, WaitsForADeferredResponseAndPassesPlainOnes) {
  auto plain = settle(Response{204, {}, ""});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 204u);
  std::thread completer;
  auto deferred = settle(DeferredResponse{[&](ResponderPtr responder) {
    completer = std::thread([responder] { responder->send(Response{201, {}, "later"}); });
  }});
  completer.join();
  ASSERT_TRUE(deferred);
  EXPECT_EQ(deferred->body, "later");
  auto dropped = settle(DeferredResponse{[](ResponderPtr) {}});
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->status, 500u);
  EXPECT_FALSE(settle(StreamingResponse{}));
}

}  // namespace
}  // namespace skiff::http
