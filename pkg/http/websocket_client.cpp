#include "pkg/http/websocket_client.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <mutex>

namespace skiff::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace {

struct ParsedUrl {
  std::string host;
  std::string port;
  std::string target;
};

ParsedUrl parse_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    throw WebSocketError("cannot open a WebSocket to " + url +
                         ": only http:// servers are supported yet");
  }
  std::string rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string authority = slash == std::string::npos ? rest : rest.substr(0, slash);
  ParsedUrl parsed;
  parsed.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    parsed.host = authority.substr(0, colon);
    parsed.port = authority.substr(colon + 1);
  } else {
    parsed.host = authority;
    parsed.port = "80";
  }
  if (parsed.host.size() > 1 && parsed.host.front() == '[' && parsed.host.back() == ']')
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  if (parsed.host.empty()) throw WebSocketError("invalid URL " + url);
  return parsed;
}

}  // namespace

struct WebSocketClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::string subprotocol;
  std::mutex write_mutex;  // send() may race receive() (which answers pings)
  std::atomic<int> pongs{0};
  bool closed = false;
};

WebSocketClient::WebSocketClient(const std::string& url, const WebSocketClientOptions& options)
    : impl_(std::make_unique<Impl>()) {
  ParsedUrl parsed = parse_url(url);
  beast::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(parsed.host, parsed.port, ec);
  if (ec) throw WebSocketError("cannot resolve " + parsed.host + ": " + ec.message());
  auto& tcp_stream = beast::get_lowest_layer(impl_->ws);
  tcp_stream.expires_after(options.connect_timeout);
  tcp_stream.connect(endpoints, ec);
  if (ec) {
    throw WebSocketError("cannot connect to " + parsed.host + ":" + parsed.port + ": " +
                         ec.message());
  }
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  std::string offered;
  for (const auto& protocol : options.subprotocols)
    offered += (offered.empty() ? "" : ", ") + protocol;
  impl_->ws.set_option(
      websocket::stream_base::decorator([&options, offered](websocket::request_type& request) {
        request.set(beast::http::field::user_agent, "skiff");
        if (!offered.empty()) request.set(beast::http::field::sec_websocket_protocol, offered);
        for (const auto& [name, value] : options.headers) request.set(name, value);
      }));
  // The asynchronous handshake, run to completion here: unlike the blocking one it hands back
  // the server's answer when the upgrade is declined (the Status to show).
  websocket::response_type response;
  impl_->ws.async_handshake(response, parsed.host + ":" + parsed.port, parsed.target,
                            [&ec](beast::error_code result) { ec = result; });
  impl_->io.run();
  impl_->io.restart();
  if (ec) {
    if (response.result_int() != 0 && response.result_int() != 101)
      throw WebSocketRejected(response.result_int(), response.body());
    throw WebSocketError("WebSocket handshake with " + url + " failed: " + ec.message());
  }
  tcp_stream.expires_never();
  impl_->subprotocol = std::string(response[beast::http::field::sec_websocket_protocol]);
  impl_->ws.binary(true);
  impl_->ws.control_callback([impl = impl_.get()](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) ++impl->pongs;
  });
}

WebSocketClient::~WebSocketClient() {
  try {
    close();
  } catch (...) {
  }
}

const std::string& WebSocketClient::subprotocol() const {
  return impl_->subprotocol;
}

void WebSocketClient::send(std::string_view message) {
  std::lock_guard lock(impl_->write_mutex);
  beast::error_code ec;
  impl_->ws.write(asio::buffer(message.data(), message.size()), ec);
  if (ec) throw WebSocketError("WebSocket write failed: " + ec.message());
}

void WebSocketClient::ping() {
  std::lock_guard lock(impl_->write_mutex);
  beast::error_code ec;
  impl_->ws.ping({}, ec);
  if (ec) throw WebSocketError("WebSocket ping failed: " + ec.message());
}

int WebSocketClient::pongs_received() const {
  return impl_->pongs.load();
}

std::optional<std::string> WebSocketClient::receive() {
  if (impl_->closed) return std::nullopt;
  beast::error_code ec;
  impl_->buffer.consume(impl_->buffer.size());
  impl_->ws.read(impl_->buffer, ec);
  if (ec) {
    impl_->closed = true;
    return std::nullopt;
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

void WebSocketClient::close() {
  if (impl_->closed) return;
  impl_->closed = true;
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(5));
  {
    std::lock_guard lock(impl_->write_mutex);
    impl_->ws.close(websocket::close_code::normal, ec);
  }
  // Drain until the server's close frame (the read then fails with `closed`).
  while (!ec) impl_->ws.read(impl_->buffer, ec);
}

uint16_t WebSocketClient::close_code() const {
  return static_cast<uint16_t>(impl_->ws.reason().code);
}

}  // namespace skiff::http
