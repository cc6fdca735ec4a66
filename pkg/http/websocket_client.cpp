#include "pkg/http/websocket_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <mutex>

namespace skiff::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace {

namespace ssl = asio::ssl;

using PlainSocket = websocket::stream<beast::tcp_stream>;
using TlsSocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct ParsedUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

ParsedUrl parse_url(const std::string& url) {
  ParsedUrl parsed;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    parsed.tls = true;
    rest = url.substr(8);
  } else {
    throw WebSocketError("cannot open a WebSocket to " + url + ": not an http(s):// URL");
  }
  auto slash = rest.find('/');
  std::string authority = slash == std::string::npos ? rest : rest.substr(0, slash);
  parsed.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    parsed.host = authority.substr(0, colon);
    parsed.port = authority.substr(colon + 1);
  } else {
    parsed.host = authority;
    parsed.port = parsed.tls ? "443" : "80";
  }
  if (parsed.host.size() > 1 && parsed.host.front() == '[' && parsed.host.back() == ']')
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  if (parsed.host.empty()) throw WebSocketError("invalid URL " + url);
  return parsed;
}

// The client's TLS context: TLS 1.2+, the server verified (unless told not to) against the
// given CA or the system's, and the client certificate when one is given.
void configure_tls(ssl::context& context, const WebSocketClientOptions& options) {
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  if (options.insecure_skip_tls_verify) {
    context.set_verify_mode(ssl::verify_none);
  } else {
    context.set_verify_mode(ssl::verify_peer);
    if (!options.ca_pem.empty())
      context.add_certificate_authority(asio::buffer(options.ca_pem), ec);
    else if (!options.ca_file.empty())
      context.load_verify_file(options.ca_file, ec);
    else
      context.set_default_verify_paths(ec);
    if (ec) throw WebSocketError("cannot use the CA certificate: " + ec.message());
  }
  if (!options.client_cert_pem.empty())
    context.use_certificate_chain(asio::buffer(options.client_cert_pem), ec);
  else if (!options.client_cert_file.empty())
    context.use_certificate_chain_file(options.client_cert_file, ec);
  if (ec) throw WebSocketError("cannot use the client certificate: " + ec.message());
  if (!options.client_key_pem.empty())
    context.use_private_key(asio::buffer(options.client_key_pem), ssl::context::pem, ec);
  else if (!options.client_key_file.empty())
    context.use_private_key_file(options.client_key_file, ssl::context::pem, ec);
  if (ec) throw WebSocketError("cannot use the client key: " + ec.message());
}

}  // namespace

struct WebSocketClient::Impl {
  asio::io_context io;
  ssl::context tls_context{ssl::context::tls_client};
  // Exactly one is set, by the URL's scheme.
  std::unique_ptr<PlainSocket> plain;
  std::unique_ptr<TlsSocket> tls;
  beast::flat_buffer buffer;
  std::string subprotocol;
  std::mutex write_mutex;  // send() may race receive() (which answers pings)
  std::atomic<int> pongs{0};
  bool closed = false;

  // Runs `action` on whichever socket this client has.
  template <class Action>
  decltype(auto) with_socket(Action&& action) {
    if (tls) return action(*tls);
    return action(*plain);
  }
};

WebSocketClient::WebSocketClient(const std::string& url, const WebSocketClientOptions& options)
    : impl_(std::make_unique<Impl>()) {
  ParsedUrl parsed = parse_url(url);
  beast::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(parsed.host, parsed.port, ec);
  if (ec) throw WebSocketError("cannot resolve " + parsed.host + ": " + ec.message());
  if (parsed.tls) {
    configure_tls(impl_->tls_context, options);
    impl_->tls = std::make_unique<TlsSocket>(impl_->io, impl_->tls_context);
  } else {
    impl_->plain = std::make_unique<PlainSocket>(impl_->io);
  }
  impl_->with_socket([&](auto& ws) {
    auto& tcp_stream = beast::get_lowest_layer(ws);
    tcp_stream.expires_after(options.connect_timeout);
    tcp_stream.connect(endpoints, ec);
    if (ec) {
      throw WebSocketError("cannot connect to " + parsed.host + ":" + parsed.port + ": " +
                           ec.message());
    }
    tcp_stream.socket().set_option(tcp::no_delay(true), ec);
    if constexpr (std::is_same_v<std::decay_t<decltype(ws)>, TlsSocket>) {
      auto& stream = ws.next_layer();
      // SNI and the name the certificate must carry (an IP address is checked as one).
      SSL_set_tlsext_host_name(stream.native_handle(), parsed.host.c_str());
      if (!options.insecure_skip_tls_verify) {
        X509_VERIFY_PARAM* verify = SSL_get0_param(stream.native_handle());
        if (X509_VERIFY_PARAM_set1_ip_asc(verify, parsed.host.c_str()) != 1)
          X509_VERIFY_PARAM_set1_host(verify, parsed.host.c_str(), 0);
      }
      stream.handshake(ssl::stream_base::client, ec);
      if (ec) throw WebSocketError("TLS handshake with " + url + " failed: " + ec.message());
    }
    std::string offered;
    for (const auto& protocol : options.subprotocols)
      offered += (offered.empty() ? "" : ", ") + protocol;
    ws.set_option(
        websocket::stream_base::decorator([&options, offered](websocket::request_type& request) {
          request.set(beast::http::field::user_agent, "skiff");
          if (!offered.empty()) request.set(beast::http::field::sec_websocket_protocol, offered);
          for (const auto& [name, value] : options.headers) request.set(name, value);
        }));
    // The asynchronous handshake, run to completion here: unlike the blocking one it hands
    // back the server's answer when the upgrade is declined (the Status to show).
    websocket::response_type response;
    ws.async_handshake(response, parsed.host + ":" + parsed.port, parsed.target,
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
    ws.binary(true);
    ws.control_callback([impl = impl_.get()](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++impl->pongs;
    });
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
  impl_->with_socket([&](auto& ws) { ws.write(asio::buffer(message.data(), message.size()), ec); });
  if (ec) throw WebSocketError("WebSocket write failed: " + ec.message());
}

void WebSocketClient::ping() {
  std::lock_guard lock(impl_->write_mutex);
  beast::error_code ec;
  impl_->with_socket([&](auto& ws) { ws.ping({}, ec); });
  if (ec) throw WebSocketError("WebSocket ping failed: " + ec.message());
}

int WebSocketClient::pongs_received() const {
  return impl_->pongs.load();
}

std::optional<std::string> WebSocketClient::receive() {
  if (impl_->closed) return std::nullopt;
  beast::error_code ec;
  impl_->buffer.consume(impl_->buffer.size());
  impl_->with_socket([&](auto& ws) { ws.read(impl_->buffer, ec); });
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
  impl_->with_socket([&](auto& ws) {
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
    {
      std::lock_guard lock(impl_->write_mutex);
      ws.close(websocket::close_code::normal, ec);
    }
    // Drain until the server's close frame (the read then fails with `closed`).
    while (!ec) ws.read(impl_->buffer, ec);
  });
}

uint16_t WebSocketClient::close_code() const {
  return const_cast<Impl&>(*impl_).with_socket(
      [](auto& ws) { return static_cast<uint16_t>(ws.reason().code); });
}

}  // namespace skiff::http
