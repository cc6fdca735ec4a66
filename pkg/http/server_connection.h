#pragma once
// One accepted TCP connection: reads requests (with deadlines and the body limit), runs the
// handler on the worker pool, writes the response, and keeps the connection alive. A streaming
// response turns the connection into a chunked stream until either side ends it; a WebSocket
// upgrade hands the socket to a WebSocketImpl.
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "pkg/http/server_core.h"

namespace skiff::http {

class StreamImpl;
class WebSocketImpl;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Server::Core> core, boost::asio::ip::tcp::socket socket);

  void start();
  // Any thread: close when idle, end a stream, or close after the response in flight.
  void shutdown();

  // --- used by StreamImpl (strand only unless noted) ---
  boost::asio::any_io_executor executor() { return stream_.get_executor(); }  // any thread
  boost::beast::tcp_stream& socket_stream() { return stream_; }
  void close_socket();

 private:
  enum class State { Reading, Handling, Writing, Streaming, Upgraded, Closed };

  void read_header();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void handle(Request& request);  // worker thread
  void send(Response response, bool close_after);
  void on_written(boost::beast::error_code ec);
  void begin_streaming(const std::shared_ptr<StreamImpl>& stream);
  void watch_for_disconnect();
  void begin_websocket(WebSocketUpgrade upgrade);
  void reject_too_large();
  void linger_then_close();

  std::shared_ptr<Server::Core> core_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::string remote_address_;
  State state_ = State::Reading;
  bool first_request_ = true;
  bool keep_alive_ = true;
  std::shared_ptr<StreamImpl> active_stream_;
  // The request as parsed, kept only when it asks for a WebSocket upgrade (the handshake needs
  // its headers); the upgraded socket, until it ends.
  std::optional<boost::beast::http::request<boost::beast::http::string_body>> upgrade_request_;
  std::shared_ptr<WebSocketImpl> active_websocket_;
  char scratch_[512];
};

// Formats the status line and headers of a chunked streaming response.
std::string format_stream_head(unsigned status, const Headers& headers);

}  // namespace skiff::http
