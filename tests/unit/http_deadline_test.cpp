// The HTTP server's read and write deadlines over real loopback sockets: a client that sends
// nothing, or half a header, or goes quiet between keep-alive requests is disconnected once its
// timeout has passed, and not before; a busy client or a slow handler is never cut off.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "pkg/http/server.h"

namespace skiff::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void send_text(const std::string& text) { asio::write(stream_, asio::buffer(text)); }

  unsigned request(const std::string& target) {
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, "localhost");
    stream_.expires_after(seconds(10));
    bhttp::write(stream_, request);
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream_, buffer_, response);
    return response.result_int();
  }

  // How long until the server closes the connection (the client gives up after 10 s).
  Clock::duration time_until_closed() {
    const auto start = Clock::now();
    stream_.expires_after(seconds(10));
    char scratch[256];
    beast::error_code ec;
    while (!ec) stream_.read_some(asio::buffer(scratch), ec);
    EXPECT_NE(ec, beast::error::timeout) << "the server kept the connection open";
    return Clock::now() - start;
  }

  // Everything the server still sends before it closes the connection.
  size_t bytes_until_closed() {
    stream_.expires_after(seconds(10));
    std::vector<char> scratch(1 << 16);
    size_t total = 0;
    beast::error_code ec;
    while (!ec) total += stream_.read_some(asio::buffer(scratch), ec);
    EXPECT_NE(ec, beast::error::timeout) << "the server kept the connection open";
    return total;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

ServerOptions short_timeouts() {
  ServerOptions options;
  options.header_timeout = seconds(1);
  options.idle_timeout = seconds(2);
  options.write_timeout = seconds(1);
  return options;
}

HandlerResult answer_ok(Request&) {
  return Response{200, {{"Content-Type", "text/plain"}}, "ok"};
}

// A client that sends `text` (perhaps nothing) and then waits is closed after the header
// timeout of 1 s.
void expect_closed_after_the_header_timeout(const std::string& text) {
  Server server(short_timeouts(), answer_ok);
  RawClient client(server.start());
  if (!text.empty()) client.send_text(text);
  const auto waited = client.time_until_closed();
  EXPECT_GE(waited, milliseconds(900)) << text;
  EXPECT_LT(waited, seconds(4)) << text;
}

TEST(HttpDeadline, AClientThatSendsNothingIsClosedAfterTheHeaderTimeout) {
  expect_closed_after_the_header_timeout("");
}

TEST(HttpDeadline, HalfAHeaderIsClosedAfterTheHeaderTimeout) {
  expect_closed_after_the_header_timeout("GET / HTTP/1.1\r\nHost: localhost\r\n");
}

TEST(HttpDeadline, KeepAliveRequestsMoveTheDeadlineAndSilenceEndsTheConnection) {
  Server server(short_timeouts(), answer_ok);
  RawClient client(server.start());
  // Longer in all than every timeout, but never quiet for as long as one.
  const auto start = Clock::now();
  while (Clock::now() - start < seconds(3)) {
    ASSERT_EQ(client.request("/"), 200u);
    std::this_thread::sleep_for(milliseconds(300));
  }
  const auto waited = client.time_until_closed();  // the idle timeout, from the last answer
  EXPECT_GE(waited, milliseconds(1500));
  EXPECT_LT(waited, seconds(5));
}

TEST(HttpDeadline, ASlowHandlerIsNotCutOffByTheReadDeadline) {
  Server server(short_timeouts(), [](Request&) -> HandlerResult {
    std::this_thread::sleep_for(milliseconds(1500));  // longer than the header timeout
    return Response{200, {}, "late but fine"};
  });
  RawClient client(server.start());
  EXPECT_EQ(client.request("/"), 200u);
  EXPECT_EQ(client.request("/"), 200u);  // and the connection is still alive
}

TEST(HttpDeadline, AClientThatStopsReadingIsClosedAfterTheWriteTimeout) {
  constexpr size_t kBody = 64 << 20;  // far more than the socket buffers hold
  Server server(short_timeouts(), [](Request&) -> HandlerResult {
    return Response{200, {}, std::string(kBody, 'x')};
  });
  RawClient client(server.start());
  client.send_text("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::this_thread::sleep_for(milliseconds(2500));  // reads nothing for longer than the timeout
  EXPECT_LT(client.bytes_until_closed(), kBody);
}

}  // namespace
}  // namespace skiff::http
