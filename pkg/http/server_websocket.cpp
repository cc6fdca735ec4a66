#include "pkg/http/server_websocket.h"

#include "pkg/http/server_connection.h"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace skiff::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

bool websocket_upgrade_requested(const Request& request) {
  if (request.method != "GET" || !iequals(request.header("Upgrade"), "websocket")) return false;
  // Connection is a token list ("keep-alive, Upgrade").
  std::string connection = request.header("Connection");
  for (auto& c : connection) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return connection.find("upgrade") != std::string::npos;
}

template <class NextLayer>
WebSocketImpl<NextLayer>::WebSocketImpl(NextLayer&& stream, size_t queue_limit,
                                        std::chrono::seconds idle_timeout)
    : ws_(std::move(stream)), queue_limit_(queue_limit) {
  // The websocket's own timeouts take over from the connection's deadline.
  auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeout.idle_timeout = idle_timeout;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.binary(true);
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::accept(UpgradeRequest request, WebSocketUpgrade upgrade,
                                      std::function<void()> finished) {
  finished_ = std::move(finished);
  ws_.set_option(websocket::stream_base::decorator(
      [subprotocol = upgrade.subprotocol](websocket::response_type& response) {
        response.set(beast::http::field::server, "skiff");
        if (!subprotocol.empty())
          response.set(beast::http::field::sec_websocket_protocol, subprotocol);
      }));
  auto held = std::make_shared<UpgradeRequest>(std::move(request));
  ws_.async_accept(
      *held, [self = shared_from_this(), held, upgrade = std::move(upgrade)](
                 beast::error_code ec) mutable { self->on_accepted(ec, std::move(upgrade)); });
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::on_accepted(beast::error_code ec, WebSocketUpgrade upgrade) {
  if (ec) {
    if (upgrade.failed) upgrade.failed();
    return finish();
  }
  {
    std::lock_guard lock(mutex_);
    open_ = true;
  }
  events_ = upgrade.start ? upgrade.start(shared_from_this()) : WebSocketEvents{};
  read_next();
  std::lock_guard lock(mutex_);
  schedule_flush_locked();  // what start() queued
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::read_next() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->finish();  // the client's close frame, a drop or a timeout
    std::string message = beast::buffers_to_string(self->read_buffer_.data());
    self->read_buffer_.consume(self->read_buffer_.size());
    try {
      if (self->events_.on_message) self->events_.on_message(std::move(message));
    } catch (const std::exception&) {
      return self->abort();  // the application could not take it: drop rather than crash
    }
    self->read_next();
  });
}

template <class NextLayer>
bool WebSocketImpl<NextLayer>::send(std::string message) {
  std::lock_guard lock(mutex_);
  if (ended_ || close_code_) return false;
  if (queued_bytes_ + message.size() > queue_limit_) {
    // The client does not read: end the socket rather than grow without bound.
    ended_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->abort(); });
    return false;
  }
  queued_bytes_ += message.size();
  queue_.push_back(std::move(message));
  schedule_flush_locked();
  return true;
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::close(uint16_t code) {
  std::lock_guard lock(mutex_);
  if (ended_ || close_code_) return;
  close_code_ = code;
  schedule_flush_locked();
}

template <class NextLayer>
bool WebSocketImpl<NextLayer>::closed() const {
  std::lock_guard lock(mutex_);
  return ended_ || close_code_.has_value();
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::schedule_flush_locked() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->flush(); });
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::flush() {
  std::unique_lock lock(mutex_);
  flush_scheduled_ = false;
  if (!open_ || writing_ || close_started_) return;
  if (!queue_.empty()) {
    auto message = std::make_shared<std::string>(std::move(queue_.front()));
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    ws_.async_write(asio::buffer(*message),
                    [self = shared_from_this(), message](beast::error_code ec, size_t) {
                      {
                        std::lock_guard lock(self->mutex_);
                        self->writing_ = false;
                        self->queued_bytes_ -= message->size();
                      }
                      if (ec) return self->finish();
                      self->flush();
                    });
    return;
  }
  if (!close_code_) return;
  close_started_ = true;
  writing_ = true;
  const uint16_t code = *close_code_;
  lock.unlock();
  ws_.async_close(websocket::close_reason(code), [self = shared_from_this()](beast::error_code ec) {
    {
      std::lock_guard lock(self->mutex_);
      self->writing_ = false;
    }
    // On success the pending read ends with `closed` once the client answers; finish then.
    if (ec) self->finish();
  });
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::abort() {
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close(ignored);
  finish();
}

template <class NextLayer>
void WebSocketImpl<NextLayer>::finish() {
  {
    std::lock_guard lock(mutex_);
    if (fired_) return;
    fired_ = true;
    ended_ = true;
    open_ = false;
  }
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close(ignored);
  // Clear the callbacks: they may hold the application's session, which holds this socket.
  auto events = std::move(events_);
  events_ = {};
  auto finished = std::move(finished_);
  finished_ = nullptr;
  if (events.on_close) events.on_close();
  if (finished) finished();
}

template class WebSocketImpl<PlainStream>;
template class WebSocketImpl<TlsStream>;

}  // namespace skiff::http
