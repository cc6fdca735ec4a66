#include "pkg/http/server_connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "pkg/http/server_stream.h"
#include "pkg/http/server_websocket.h"

namespace skiff::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::asio::ip::tcp;

std::string format_stream_head(unsigned status, const Headers& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " ";
  head += std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
  head += "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  // Streams end the connection: a watch or log follow is long-lived and clients re-dial.
  head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  return head;
}

Connection::Connection(std::shared_ptr<Server::Core> core, tcp::socket socket)
    : core_(std::move(core)), stream_(std::move(socket)) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void Connection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void Connection::shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    switch (self->state_) {
      case State::Reading:
        self->close_socket();
        break;
      case State::Streaming:
        if (self->active_stream_) self->active_stream_->close();
        break;
      case State::Upgraded:
        if (self->active_websocket_) self->active_websocket_->close(1001);  // going away
        break;
      default:
        break;  // the response in flight is sent with Connection: close
    }
  });
}

void Connection::read_header() {
  if (core_->stopping) return close_socket();
  state_ = State::Reading;
  parser_.emplace();
  parser_->body_limit(core_->options.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(core_->options.header_limit));
  stream_.expires_after(first_request_ ? core_->options.header_timeout
                                       : core_->options.idle_timeout);
  first_request_ = false;
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  // Beast checks Content-Length against the body limit while parsing the header.
  if (ec == bhttp::error::body_limit) return reject_too_large();
  if (ec) return close_socket();  // EOF, timeout, garbage: nobody to answer
  auto length = parser_->content_length();
  if (length && *length > core_->options.body_limit) return reject_too_large();
  if (http::iequals(std::string_view(parser_->get()[bhttp::field::expect]), "100-continue")) {
    auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
    asio::async_write(stream_, asio::buffer(*interim),
                      [self = shared_from_this(), interim](beast::error_code ec, size_t) {
                        if (ec) return self->close_socket();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void Connection::read_body() {
  if (parser_->is_done()) return on_body({});
  stream_.expires_after(core_->options.header_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
}

void Connection::on_body(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) return reject_too_large();
  if (ec) return close_socket();
  stream_.expires_never();
  auto message = parser_->release();
  keep_alive_ = message.keep_alive();
  if (beast::websocket::is_upgrade(message)) {
    upgrade_request_.emplace(message);
  } else {
    upgrade_request_.reset();
  }
  auto request = std::make_shared<Request>();
  request->method = std::string(message.method_string());
  request->target = std::string(message.target());
  parse_target(request->target, *request);
  for (const auto& field : message)
    request->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  request->body = std::move(message.body());
  request->remote_address = remote_address_;
  state_ = State::Handling;
  bool posted = core_->pool->post([self = shared_from_this(), request] { self->handle(*request); });
  if (!posted) close_socket();
}

void Connection::handle(Request& request) {
  HandlerResult result;
  try {
    result = core_->handler(request);
  } catch (const std::exception& e) {
    result = status_response(500, "InternalError", e.what());
  } catch (...) {
    result = status_response(500, "InternalError", "unknown error");
  }
  if (auto* upgrade = std::get_if<WebSocketUpgrade>(&result)) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), upgrade = std::move(*upgrade)]() mutable {
                 self->begin_websocket(std::move(upgrade));
               });
    return;
  }
  if (auto* response = std::get_if<Response>(&result)) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), response = std::move(*response)]() mutable {
                 self->send(std::move(response), false);
               });
    return;
  }
  auto& streaming = std::get<StreamingResponse>(result);
  auto stream =
      std::make_shared<StreamImpl>(shared_from_this(), core_->options.stream_queue_limit,
                                   format_stream_head(streaming.status, streaming.headers));
  asio::post(stream_.get_executor(),
             [self = shared_from_this(), stream] { self->begin_streaming(stream); });
  if (!streaming.start) return stream->close();
  try {
    streaming.start(stream);
  } catch (...) {
    stream->close();  // the headers are out; all we can do is end the body
  }
}

void Connection::send(Response response, bool close_after) {
  if (state_ == State::Closed) return;
  state_ = State::Writing;
  response_ = {};
  response_.version(11);
  response_.result(response.status);
  for (auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive_ && !close_after && !core_->stopping);
  response_.prepare_payload();
  stream_.expires_after(core_->options.write_timeout);
  bhttp::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->on_written(ec);
  });
}

void Connection::on_written(beast::error_code ec) {
  if (ec || !response_.keep_alive()) return close_socket();
  read_header();
}

void Connection::begin_streaming(const std::shared_ptr<StreamImpl>& stream) {
  if (state_ == State::Closed) return stream->connection_gone();
  state_ = State::Streaming;
  active_stream_ = stream;
  stream_.expires_never();
  stream->send_head();
  if (core_->stopping) stream->close();
  watch_for_disconnect();
}

void Connection::begin_websocket(WebSocketUpgrade upgrade) {
  if (state_ == State::Closed) {
    if (upgrade.failed) upgrade.failed();
    return;
  }
  if (!upgrade_request_) {
    // A handler bug: only upgrade requests can be upgraded. Answer rather than hang.
    if (upgrade.failed) upgrade.failed();
    return send(status_response(400, "BadRequest", "the request is not a WebSocket upgrade"), true);
  }
  if (core_->stopping) {
    if (upgrade.failed) upgrade.failed();
    return send(status_response(503, "ServiceUnavailable", "the server is shutting down"), true);
  }
  state_ = State::Upgraded;
  auto websocket = std::make_shared<WebSocketImpl>(
      std::move(stream_), core_->options.stream_queue_limit, core_->options.websocket_idle_timeout);
  active_websocket_ = websocket;
  auto request = std::move(*upgrade_request_);
  upgrade_request_.reset();
  websocket->accept(std::move(request), std::move(upgrade), [self = shared_from_this()] {
    // On the strand: the socket is gone; drop the reference (it held this connection).
    self->state_ = State::Closed;
    self->active_websocket_.reset();
  });
}

void Connection::watch_for_disconnect() {
  // The client sends nothing during a stream; a completed read means EOF or an error, i.e.
  // the client went away. Stray bytes are ignored (the stream ends the connection anyway).
  stream_.socket().async_read_some(asio::buffer(scratch_),
                                   [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (ec) return self->close_socket();
                                     self->watch_for_disconnect();
                                   });
}

void Connection::reject_too_large() {
  auto response = status_response(413, "RequestEntityTooLarge",
                                  "the request body is larger than the limit of " +
                                      std::to_string(core_->options.body_limit) + " bytes");
  state_ = State::Writing;
  response_ = {};
  response_.version(11);
  response_.result(response.status);
  for (auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(false);
  response_.prepare_payload();
  stream_.expires_after(core_->options.write_timeout);
  bhttp::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->close_socket();
    self->linger_then_close();
  });
}

void Connection::linger_then_close() {
  // Closing with unread request bytes would reset the connection and could destroy the 413
  // before the client reads it; so half-close and drain for a little while first.
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(5));
  stream_.async_read_some(asio::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->close_socket();
                            self->linger_then_close();
                          });
}

void Connection::close_socket() {
  if (state_ == State::Closed) return;
  if (state_ == State::Upgraded) {  // the socket belongs to the WebSocket now
    if (auto websocket = active_websocket_) websocket->abort();
    return;
  }
  state_ = State::Closed;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  if (auto stream = std::move(active_stream_)) stream->connection_gone();
}

}  // namespace skiff::http
