#pragma once
// One accepted connection, plain TCP or TLS: (TLS: handshake first, noting the client
// certificate's verified identity) reads requests (with deadlines and the body limit), runs the
// handler on the worker pool, writes the response, and keeps the connection alive. A streaming
// response turns the connection into a chunked stream until either side ends it; a WebSocket
// upgrade hands the stream to a WebSocketImpl.
//
// The code is written once for both stream types (BasicConnection<Stream>, instantiated in
// server_connection.cpp for PlainStream and TlsStream); StreamImpl and the server core see only
// the ConnectionBase interface.
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "pkg/http/server_core.h"

namespace skiff::http {

class StreamImpl;
template <class NextLayer>
class WebSocketImpl;

// The streams name their executor's concrete type: with asio's default type-erased executor,
// every asynchronous operation copied and destroyed a polymorphic executor several times (4% of
// the I/O threads' time per create, measured).
using IoExecutor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
// The bare socket, not Beast's basic_stream: that one arms and cancels its timer around every
// read and write (4-5% of the I/O threads' time per create, measured); the connection keeps
// one coarse deadline of its own instead (see set_deadline).
using PlainStream = Socket;
using TlsStream = boost::beast::ssl_stream<Socket>;

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  virtual void start() = 0;
  // Any thread: close when idle, end a stream, or close after the response in flight.
  virtual void shutdown() = 0;

  // --- used by StreamImpl (strand only unless noted) ---
  virtual boost::asio::any_io_executor executor() = 0;  // any thread
  using WriteDone = std::function<void(boost::system::error_code, size_t)>;
  virtual void write_raw(boost::asio::const_buffer bytes, WriteDone done) = 0;
  virtual void close_socket() = 0;
};

template <class Stream>
class BasicConnection final : public ConnectionBase,
                              public std::enable_shared_from_this<BasicConnection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // Plain: a socket; TLS: a socket and the context (kept alive while the connection lives, as
  // the server may swap in a renewed certificate meanwhile).
  BasicConnection(std::shared_ptr<Server::Core> core, Socket socket,
                  std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

  void start() override;
  void shutdown() override;
  boost::asio::any_io_executor executor() override { return stream_.get_executor(); }
  void write_raw(boost::asio::const_buffer bytes, WriteDone done) override;
  void close_socket() override;

 private:
  using std::enable_shared_from_this<BasicConnection<Stream>>::shared_from_this;
  Socket& socket() { return boost::beast::get_lowest_layer(stream_); }
  // The connection is closed if it is still waiting to read or write `timeout` from now. One
  // timer per connection, re-armed only when a deadline comes earlier than its expiry: a
  // keep-alive connection's requests usually move the deadline later, which costs a clock
  // read and no timer operation.
  void set_deadline(std::chrono::steady_clock::duration timeout);
  void clear_deadline() { deadline_ = std::chrono::steady_clock::time_point::max(); }
  void wait_for_deadline(std::chrono::steady_clock::time_point expiry);
  void on_deadline_timer(std::uint64_t generation);
  void on_handshake(boost::beast::error_code ec);  // TLS only
  enum class State { Reading, Handling, Writing, Streaming, Upgraded, Closed };

  void read_header();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void handle(Request& request);  // worker thread
  void send(Response response, bool close_after);
  // Writes the response (keep_alive_ says whether the connection stays open), then calls
  // on_done(*this, error) on the connection's thread.
  template <class OnDone>
  void write_response(Response response, OnDone on_done);
  void on_written(boost::beast::error_code ec);
  void begin_streaming(const std::shared_ptr<StreamImpl>& stream);
  void watch_for_disconnect();
  void begin_websocket(WebSocketUpgrade upgrade);
  void reject_too_large();
  void linger_then_close();

  std::shared_ptr<Server::Core> core_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Stream stream_;
  using DeadlineTimer = boost::asio::basic_waitable_timer<
      std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;
  DeadlineTimer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  // The pending wait's expiry; a wait whose generation is not the latest is stale (replaced
  // by an earlier one) and ignored.
  std::optional<std::chrono::steady_clock::time_point> timer_expiry_;
  std::uint64_t timer_generation_ = 0;
  // The I/O context (one thread) the connection lives on, and the way to it for answers that
  // another thread finishes (a store write's group commit).
  boost::asio::io_context& io_context_;
  util::HandoffTarget& handoff_;
  std::optional<PeerIdentity> peer_;  // TLS: the verified client certificate's subject
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  // The response being written; kept here until the write completes.
  std::string response_head_;
  std::string response_body_;
  std::string remote_address_;
  State state_ = State::Reading;
  bool first_request_ = true;
  bool keep_alive_ = true;
  std::shared_ptr<StreamImpl> active_stream_;
  // The request as parsed, kept only when it asks for a WebSocket upgrade (the handshake needs
  // its headers); the upgraded socket, until it ends.
  std::optional<boost::beast::http::request<boost::beast::http::string_body>> upgrade_request_;
  std::shared_ptr<WebSocketImpl<Stream>> active_websocket_;
  char scratch_[512];
};

using PlainConnection = BasicConnection<PlainStream>;
using TlsConnection = BasicConnection<TlsStream>;

}  // namespace skiff::http
