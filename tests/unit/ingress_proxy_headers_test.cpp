// The header edits of the ingress proxy (agent/ingress/proxy_headers.h).
#include "agent/ingress/proxy_headers.h"

#include <gtest/gtest.h>

#include <boost/beast/http/message.hpp>

namespace skiff::agent::ingress {
namespace {

namespace http = boost::beast::http;

http::request_header<> request(std::string_view target, unsigned version = 11) {
  http::request_header<> header;
  header.method(http::verb::get);
  header.target(target);
  header.version(version);
  return header;
}

TEST(IngressProxyHeaders, TargetIsHostHeaderAndPathWithoutQuery) {
  auto header = request("/api/items?limit=5");
  header.set(http::field::host, "shop.example.test:8080");
  RequestTarget target = request_target(header);
  EXPECT_EQ(target.host, "shop.example.test:8080");
  EXPECT_EQ(target.path, "/api/items");

  auto absolute = request("http://other.example.test/x?y");
  absolute.set(http::field::host, "ignored.example.test");
  target = request_target(absolute);
  EXPECT_EQ(target.host, "other.example.test");
  EXPECT_EQ(target.path, "/x");
  EXPECT_EQ(request_target(request("http://bare.example.test")).path, "/");
  EXPECT_EQ(request_target(request("*")).path, "*");
}

TEST(IngressProxyHeaders, UpgradeNeedsBothHeaders) {
  auto header = request("/ws");
  header.set(http::field::upgrade, "websocket");
  EXPECT_FALSE(is_upgrade_request(header));
  header.set(http::field::connection, "keep-alive, Upgrade");
  EXPECT_TRUE(is_upgrade_request(header));
}

TEST(IngressProxyHeaders, UpstreamRequestDropsHopByHopAndAddsForwarding) {
  auto header = request("/", 10);
  header.set(http::field::connection, "keep-alive, X-Private");
  header.set("X-Private", "secret hop");
  header.set(http::field::keep_alive, "timeout=5");
  header.set(http::field::proxy_authorization, "Basic Zm9v");
  header.set(http::field::te, "trailers");
  header.set(http::field::expect, "100-continue");
  header.set("X-Forwarded-For", "198.51.100.1");
  header.set(http::field::content_length, "4");
  prepare_upstream_request(header, ClientFacts{"192.0.2.9", true, 443, "app.example.test"}, false);

  for (const char* gone : {"Connection", "X-Private", "Keep-Alive", "Proxy-Authorization", "TE",
                           "Expect", "Upgrade"}) {
    EXPECT_EQ(header.count(gone), 0u) << gone;
  }
  EXPECT_EQ(header["Content-Length"], "4");
  EXPECT_EQ(header["X-Forwarded-For"], "198.51.100.1, 192.0.2.9");
  EXPECT_EQ(header["X-Real-IP"], "192.0.2.9");
  EXPECT_EQ(header["X-Forwarded-Proto"], "https");
  EXPECT_EQ(header["X-Forwarded-Host"], "app.example.test");
  EXPECT_EQ(header["X-Forwarded-Port"], "443");
  // HTTP/1.0 without Host becomes HTTP/1.1 with the host it was routed by.
  EXPECT_EQ(header.version(), 11u);
  EXPECT_EQ(header[http::field::host], "app.example.test");
}

TEST(IngressProxyHeaders, UpgradeKeepsItsConnectionPair) {
  auto header = request("/ws");
  header.set(http::field::host, "chat.example.test");
  header.set(http::field::connection, "Upgrade");
  header.set(http::field::upgrade, "websocket");
  prepare_upstream_request(header, ClientFacts{"192.0.2.9", false, 80, "chat.example.test"}, true);
  EXPECT_EQ(header[http::field::connection], "upgrade");
  EXPECT_EQ(header[http::field::upgrade], "websocket");
  EXPECT_EQ(header["X-Forwarded-Proto"], "http");
}

TEST(IngressProxyHeaders, ClientResponseMatchesTheClientsConnection) {
  http::response_header<> response;
  response.version(11);
  response.set(http::field::connection, "close, X-Hop");
  response.set("X-Hop", "1");
  response.set(http::field::transfer_encoding, "chunked");
  bool keep_alive = true;
  prepare_client_response(response, 11, keep_alive);
  EXPECT_TRUE(keep_alive);
  EXPECT_EQ(response.count("X-Hop"), 0u);
  EXPECT_EQ(response.count(http::field::connection), 0u);
  EXPECT_EQ(response[http::field::transfer_encoding], "chunked");

  // HTTP/1.0 clients cannot take chunked framing: unframed, then the connection closes.
  http::response_header<> for_old;
  for_old.version(11);
  for_old.set(http::field::transfer_encoding, "chunked");
  keep_alive = true;
  prepare_client_response(for_old, 10, keep_alive);
  EXPECT_FALSE(keep_alive);
  EXPECT_EQ(for_old.count(http::field::transfer_encoding), 0u);
  EXPECT_EQ(for_old.version(), 10u);

  http::response_header<> closing;
  closing.version(11);
  keep_alive = false;
  prepare_client_response(closing, 11, keep_alive);
  EXPECT_EQ(closing[http::field::connection], "close");
  http::response_header<> kept_old;
  kept_old.version(11);
  kept_old.set(http::field::content_length, "3");
  keep_alive = true;
  prepare_client_response(kept_old, 10, keep_alive);
  EXPECT_EQ(kept_old[http::field::connection], "keep-alive");
}

}  // namespace
}  // namespace skiff::agent::ingress
