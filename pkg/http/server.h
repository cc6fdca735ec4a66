#pragma once
// The HTTP/1.1 server (Boost.Beast on Asio). It owns sockets and threads and nothing else:
// every request is handed, fully read, to one Handler that returns a complete Response, a
// DeferredResponse answered later from any thread (a create waiting for its commit), a
// StreamingResponse (watch, log follow) fed from any thread, or a WebSocket upgrade.
//
// Threads: `io_threads` run all socket I/O, each its own event loop with its share of the
// connections (a connection stays on one thread); handlers run on a separate pool of
// `worker_threads`, because they may block (store writes wait for their group commit), except
// the requests `handle_on_io_thread` picks: those are answered on the I/O thread that read
// them, which saves two thread hand-offs (on a small VM most of a quick request's cost). A
// deferred or streaming response holds no thread: whoever finishes the work answers or writes.
//
// Contracts:
//  - Every read has a deadline (header timeout for a new connection, idle timeout between
//    keep-alive requests). Bodies over `body_limit` get 413 with a Kubernetes Status body.
//  - Handler exceptions become 500 Status responses; the connection survives.
//  - stop() refuses new connections, ends streams, lets in-flight handlers (and the deferred
//    responses they started) finish and joins every thread. It is idempotent and called by the
//    destructor.
//  - Plain TCP, or TLS when `tls_context` is set: it is asked for the context on every accepted
//    connection, so a renewed certificate is served from the next connection on without a
//    restart while open connections keep theirs. A verified client certificate's subject
//    reaches the handler as Request::client_identity (pkg/http/tls_server.h makes contexts).
//  - A handler may answer a WebSocket upgrade request with a WebSocketUpgrade: the connection
//    completes the handshake (101 with the chosen subprotocol) and becomes that WebSocket until
//    either side closes it. Other upgrades (SPDY) are not served.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "pkg/http/request.h"

namespace boost::asio::ssl {
class context;
}

namespace skiff::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  unsigned status = 200;
  Headers headers;  // e.g. {"Content-Type", "application/json"}; Content-Length is added
  std::string body;
};

// The body of a streaming response, sent with chunked transfer encoding. Thread-safe.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues `data` as one chunk. Returns false once the stream has ended (closed by either side,
  // or ended because the client was too slow and the queue passed its limit).
  virtual bool write(std::string data) = 0;
  // Ends the body cleanly (last chunk) and closes the connection after it. Idempotent.
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // `callback` runs once, on an I/O thread, when the stream ends for any reason (close(),
  // client disconnect, overflow, server shutdown); immediately (posted) if it already ended.
  // It may block briefly (e.g. to stop a store watch) but must not wait on the stream.
  virtual void on_close(std::function<void()> callback) = 0;
};
using ResponseStreamPtr = std::shared_ptr<ResponseStream>;

struct StreamingResponse {
  unsigned status = 200;
  Headers headers;
  // Called on the handler thread right after the headers are queued. The producer keeps the
  // stream and writes to it from any thread; it must register on_close to stop producing.
  std::function<void(ResponseStreamPtr)> start;
};

// One accepted WebSocket (RFC 6455), server side. Thread-safe. Pings are answered with pongs
// by the server itself; a client that sends nothing (not even pings) for `websocket_idle_timeout`
// is pinged, then dropped.
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  // Queues one binary message. False once the socket is closing or gone, or when the client
  // does not read and the queue passed the stream queue limit (then the socket is dropped).
  virtual bool send(std::string message) = 0;
  // Sends what is queued, then a close frame with `code` (1000 normal), and ends. Idempotent.
  virtual void close(uint16_t code = 1000) = 0;
  virtual bool closed() const = 0;
};
using WebSocketPtr = std::shared_ptr<WebSocket>;

// What the application hears from the client. Both run on an I/O thread and must not block.
struct WebSocketEvents {
  std::function<void(std::string message)> on_message;  // each data message, in order
  std::function<void()> on_close;  // once, when the socket ended for any reason
};

// The answer to a request with `Upgrade: websocket` (see websocket_upgrade_requested()).
struct WebSocketUpgrade {
  std::string subprotocol;  // sent back in Sec-WebSocket-Protocol; "" sends none
  // Called on an I/O thread once the handshake succeeded; must not block. The returned events
  // start flowing after it returns.
  std::function<WebSocketEvents(WebSocketPtr)> start;
  // Called instead of `start` when the handshake fails (the client went away). May be empty.
  std::function<void()> failed;
};

// Where a deferred response goes. Thread-safe: send() may be called from any thread, and only
// the first call counts. Dropping the last reference without sending answers 500, so a lost
// completion never leaves the client waiting.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void send(Response response) = 0;
};
using ResponderPtr = std::shared_ptr<Responder>;

// A response that is finished later, for a handler that would otherwise hold its thread while
// waiting (a store write waiting for its group commit): the handler returns at once and the
// work it waits for answers through the Responder when it completes. Such handlers can run on
// the I/O thread (ServerOptions::handle_on_io_thread), saving the hand-offs to a worker thread
// and back.
struct DeferredResponse {
  // Called on the handler's thread right after the handler returns; must not block.
  std::function<void(ResponderPtr)> start;
};

using HandlerResult = std::variant<Response, StreamingResponse, WebSocketUpgrade, DeferredResponse>;
using Handler = std::function<HandlerResult(Request&)>;

// For callers in the same process that need the plain answer (controllers, the node
// service): a Response as it is, a DeferredResponse started and waited for. nullopt for a
// stream or an upgrade.
std::optional<Response> settle(HandlerResult result);
// settle() without waiting: `done` gets the answer once it is there, at once for a Response and
// from whichever thread answers a DeferredResponse; nullopt for a stream or an upgrade.
void settle_async(HandlerResult result, std::function<void(std::optional<Response>)> done);

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0 = an ephemeral port; see Server::port()
  int io_threads = 2;
  int worker_threads = 8;
  size_t body_limit = 3 * 1024 * 1024;
  size_t header_limit = 64 * 1024;
  std::chrono::seconds header_timeout{30};          // first request on a connection
  std::chrono::seconds idle_timeout{120};           // between keep-alive requests
  std::chrono::seconds write_timeout{60};           // writing one complete response
  size_t stream_queue_limit = 16 * 1024 * 1024;     // queued bytes before a slow stream is ended
  std::chrono::seconds websocket_idle_timeout{60};  // silence before a ping, then a drop
  // Requests whose handler never blocks (reads served from memory, work handed off through a
  // DeferredResponse) may be handled on the I/O thread that read them. It must not pick anything
  // that can wait on a lock held across I/O, another process or the network: that I/O thread serves
  // other connections meanwhile. Empty: every request goes to the worker pool.
  std::function<bool(const Request&)> handle_on_io_thread;
  // TLS: the context for the next connection (null: refuse it). Empty function: plain TCP.
  std::function<std::shared_ptr<boost::asio::ssl::context>()> tls_context;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Throws std::runtime_error when the address cannot
  // be bound. Returns the bound port.
  uint16_t start();
  void stop();
  uint16_t port() const;

  struct Core;  // shared with connections; defined in server_core.h

 private:
  std::shared_ptr<Core> core_;
};

// True when `request` asks for a WebSocket upgrade (GET, Connection: Upgrade, Upgrade:
// websocket); only such requests may be answered with a WebSocketUpgrade.
bool websocket_upgrade_requested(const Request& request);

// A Response carrying the Kubernetes Status JSON of an HTTP-level failure (413, 500...).
Response status_response(unsigned status, const std::string& reason, const std::string& message);

}  // namespace skiff::http
