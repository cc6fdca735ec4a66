#pragma once
// A connection that was upgraded to a WebSocket (see WebSocket in server.h). It owns the socket
// from the handshake on. Senders queue whole messages from any thread; the messages are written
// on the connection's strand one at a time, then the close frame. One read is always pending,
// which is also what lets Beast answer the client's pings and its close frame.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "pkg/http/server.h"

namespace skiff::http {

// NextLayer: the connection's stream (plain TCP or TLS; instantiated for both in the .cpp).
template <class NextLayer>
class WebSocketImpl : public WebSocket,
                      public std::enable_shared_from_this<WebSocketImpl<NextLayer>> {
 public:
  using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

  WebSocketImpl(NextLayer&& stream, size_t queue_limit, std::chrono::seconds idle_timeout);

  // Strand only. Completes the handshake for `request`, then runs `upgrade.start`; `finished`
  // runs once when the socket is gone (after a failed handshake too).
  void accept(UpgradeRequest request, WebSocketUpgrade upgrade, std::function<void()> finished);

  bool send(std::string message) override;
  void close(uint16_t code = 1000) override;
  bool closed() const override;

  // Strand only: drop the socket at once (server stop after the grace period, queue overflow).
  void abort();

 private:
  void on_accepted(boost::beast::error_code ec, WebSocketUpgrade upgrade);
  void read_next();              // strand
  void flush();                  // strand
  void schedule_flush_locked();  // any thread, mutex_ held
  void finish();                 // strand; fires on_close once

  using std::enable_shared_from_this<WebSocketImpl<NextLayer>>::shared_from_this;

  boost::beast::websocket::stream<NextLayer> ws_;
  const size_t queue_limit_;
  boost::beast::flat_buffer read_buffer_;
  WebSocketEvents events_;
  std::function<void()> finished_;

  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  std::optional<uint16_t> close_code_;  // close() asked for this code
  bool open_ = false;                   // handshake done, not yet ended
  bool writing_ = false;                // a write or the close is in flight
  bool flush_scheduled_ = false;
  bool close_started_ = false;
  bool ended_ = false;
  bool fired_ = false;  // finish() ran
};

}  // namespace skiff::http
