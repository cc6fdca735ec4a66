#pragma once
// A small blocking WebSocket client (RFC 6455 on Boost.Beast) for `skiff kubectl exec` and
// tests, over http:// or https:// (TLS 1.2+, the server verified with the given CA or the
// system's, an optional client certificate — the same TLS material as the HTTP client's).
//
// Contracts: one thread uses a client at a time, except that send() may be called while
// another thread waits in receive(). Transport failures throw WebSocketError; a server that
// answers the upgrade with anything but 101 throws WebSocketRejected carrying its status and
// body (a Kubernetes Status, for the API server).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::http {

class WebSocketError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WebSocketRejected : public WebSocketError {
 public:
  WebSocketRejected(unsigned status, std::string body)
      : WebSocketError("the server refused the WebSocket upgrade with HTTP " +
                       std::to_string(status)),
        status_(status),
        body_(std::move(body)) {}
  unsigned status() const { return status_; }
  const std::string& body() const { return body_; }

 private:
  unsigned status_;
  std::string body_;
};

struct WebSocketClientOptions {
  std::vector<std::string> subprotocols;  // offered in Sec-WebSocket-Protocol, in order
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization
  std::chrono::milliseconds connect_timeout{10'000};
  // https:// only (each as file or PEM, like ClientOptions in client.h).
  std::string ca_file, ca_pem;
  std::string client_cert_file, client_cert_pem;
  std::string client_key_file, client_key_pem;
  bool insecure_skip_tls_verify = false;
};

class WebSocketClient {
 public:
  // Connects to `url` ("http(s)://host:port/path?query") and completes the handshake.
  WebSocketClient(const std::string& url, const WebSocketClientOptions& options);
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // The subprotocol the server chose ("" when none).
  const std::string& subprotocol() const;
  // Sends one binary message.
  void send(std::string_view message);
  // Sends a ping frame; pongs are counted (pongs_received) as the next receive() sees them.
  void ping();
  int pongs_received() const;
  // The next data message; none once the server closed the socket (close_code() says how).
  std::optional<std::string> receive();
  // Sends a close frame (1000) and waits for the server's. Idempotent.
  void close();
  // The code of the server's close frame; 0 when it dropped the socket without one.
  uint16_t close_code() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::http
