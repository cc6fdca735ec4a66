// How the server writes a response: the head it formats itself, and bodies of every size over
// TLS on one keep-alive connection (a small body shares the head's TLS record, a large one
// follows it; a body just past the record size once never arrived).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <string>

#include "pkg/http/response_head.h"
#include "pkg/http/server.h"
#include "pkg/http/tls_server.h"
#include "pkg/pki/pki.h"

namespace skiff::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string head_of(unsigned status, const Headers& headers, size_t length, bool keep_alive) {
  std::string head;
  append_response_head(head, status, headers, length, keep_alive);
  return head;
}

TEST(ResponseHead, StatusLineHeadersAndLength) {
  EXPECT_EQ(
      head_of(201, {{"Content-Type", "application/json"}, {"Warning", "299 - \"a\""}}, 42, true),
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nWarning: 299 - \"a\"\r\n"
      "Content-Length: 42\r\n\r\n");
}

TEST(ResponseHead, ClosingTheConnectionSaysSo) {
  EXPECT_EQ(head_of(413, {}, 0, false),
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHead, NoLengthWhereThereIsNoContent) {
  EXPECT_EQ(head_of(204, {}, 0, true), "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(head_of(304, {}, 0, true), "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST(ResponseHead, TheServerAloneFramesTheBody) {
  // A handler's own framing headers would contradict the server's (or smuggle a second answer).
  EXPECT_EQ(head_of(200,
                    {{"content-length", "5"},
                     {"Transfer-Encoding", "chunked"},
                     {"Connection", "keep-alive"},
                     {"X-Kept", "yes"}},
                    3, true),
            "HTTP/1.1 200 OK\r\nX-Kept: yes\r\nContent-Length: 3\r\n\r\n");
}

TEST(ResponseHead, StreamsAreChunkedAndEndTheConnection) {
  EXPECT_EQ(format_stream_head(200, {{"Content-Type", "application/json"}}),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

TEST(HttpServerTls, BodiesOfEverySizeArriveWholeOnOneConnection) {
  const auto ca = pki::create_ca("test-ca");
  pki::LeafRequest leaf;
  leaf.subject.common_name = "localhost";
  leaf.usage = pki::Usage::ServerAuth;
  leaf.ip_addresses = {"127.0.0.1"};
  const auto serving = pki::issue(ca, leaf);
  ServerOptions options;
  auto context = make_tls_server_context(serving.certificate_pem, serving.key_pem, "");
  options.tls_context = [context] { return context; };
  Server server(std::move(options), [](Request& request) -> HandlerResult {
    const size_t size = std::stoul(request.query_value("size"));
    std::string body(size, 'x');
    for (size_t i = 0; i < size; i += 997) body[i] = static_cast<char>('a' + i % 26);
    return Response{200, {{"Content-Type", "text/plain"}}, std::move(body)};
  });
  const uint16_t port = server.start();
  ASSERT_NE(port, 0);

  asio::io_context io;
  asio::ssl::context client_context(asio::ssl::context::tls_client);
  beast::ssl_stream<beast::tcp_stream> stream(io, client_context);
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  stream.handshake(asio::ssl::stream_base::client);
  beast::flat_buffer buffer;
  for (const size_t size :
       {0UL, 1024UL, 15 * 1024UL, 16 * 1024UL, 16 * 1024UL + 1, 300'000UL, 5UL}) {
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, "/?size=" + std::to_string(size),
                                              11};
    request.set(bhttp::field::host, "localhost");
    bhttp::response<bhttp::string_body> response;
    // Asynchronous, so that Beast's expiry applies: a missing answer fails instead of hanging.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::error_code error;
    bhttp::async_write(stream, request, [&](beast::error_code ec, size_t) {
      if (ec) {
        error = ec;
        return;
      }
      bhttp::async_read(stream, buffer, response,
                        [&](beast::error_code ec, size_t) { error = ec; });
    });
    io.restart();
    io.run();
    ASSERT_FALSE(error) << size << ": " << error.message();
    EXPECT_EQ(response.result_int(), 200u) << size;
    ASSERT_EQ(response.body().size(), size);
    EXPECT_TRUE(response.keep_alive()) << size;
    for (size_t i = 0; i < size; i += 997)
      ASSERT_EQ(response.body()[i], static_cast<char>('a' + i % 26)) << size << " at " << i;
  }
}

}  // namespace
}  // namespace skiff::http
