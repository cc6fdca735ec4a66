#pragma once
// After a 101 Switching Protocols the connection is no longer HTTP: bytes are copied both ways
// until either side is done. An end of stream is passed on as a half-close where the other side
// is plain TCP; anything else (an error, a TLS client) closes both. A tunnel silent both ways
// for the idle timeout is closed.
#include <chrono>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include "agent/ingress/proxy_io.h"

#include "agent/ingress/deadlines.h"

namespace skiff::agent::ingress {

namespace tunnel_detail {

template <class Socket>
bool half_close(Socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(Socket::shutdown_send, ignored);
  return true;
}
template <class Socket>
bool half_close(TlsStream<Socket>&) {
  return false;  // TLS has no half-close that every client understands
}

template <class Waiter>
struct TunnelState {
  Waiter& both_done;
  int running = 2;
  Deadline deadline;
  std::chrono::milliseconds idle_timeout;
};

template <class From, class To, class Waiter>
Task<void> pump(From& from, boost::beast::flat_buffer& pending, To& to, TunnelState<Waiter>& state,
                std::size_t piece) {
  using boost::asio::redirect_error;
  boost::system::error_code error;
  if (pending.size() != 0) {
    co_await boost::asio::async_write(to, pending.data(), redirect_error(use_task, error));
    pending.consume(pending.size());
  }
  auto buffer = std::make_unique<char[]>(piece);
  while (!error) {
    const std::size_t got = co_await from.async_read_some(boost::asio::buffer(buffer.get(), piece),
                                                          redirect_error(use_task, error));
    if (error) break;
    state.deadline.expire_after(state.idle_timeout);
    co_await boost::asio::async_write(to, boost::asio::buffer(buffer.get(), got),
                                      redirect_error(use_task, error));
  }
  const bool clean_end =
      error == boost::asio::error::eof || error == boost::asio::ssl::error::stream_truncated;
  if (!clean_end || !half_close(to)) {
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(from).close(ignored);
    boost::beast::get_lowest_layer(to).close(ignored);
  }
  if (--state.running == 0) state.both_done.cancel();
}

}  // namespace tunnel_detail

// Runs the tunnel to its end. `client_pending` / `upstream_pending` hold bytes already read past
// the HTTP messages; they are delivered first. `both_done` (a timer that never expires, or a
// RingWaiter) is what this coroutine waits on until both directions are finished.
template <class Client, class Upstream, class Waiter>
Task<void> tunnel(boost::asio::io_context& context, DeadlineList& deadlines, Client& client,
                  boost::beast::flat_buffer& client_pending, Upstream& upstream,
                  boost::beast::flat_buffer& upstream_pending, Waiter& both_done,
                  std::chrono::milliseconds idle_timeout, std::size_t piece = 16 * 1024) {
  tunnel_detail::TunnelState<Waiter> state{both_done, 2, Deadline(deadlines), idle_timeout};
  state.deadline.guard(boost::beast::get_lowest_layer(client), 0);
  state.deadline.guard(upstream, 1);
  state.deadline.expire_after(idle_timeout);
  // Both pumps reference this frame, which waits until both have finished.
  boost::asio::co_spawn(context,
                        tunnel_detail::pump(client, client_pending, upstream, state, piece),
                        boost::asio::detached);
  boost::asio::co_spawn(context,
                        tunnel_detail::pump(upstream, upstream_pending, client, state, piece),
                        boost::asio::detached);
  boost::system::error_code ignored;
  while (state.running > 0) {
    co_await state.both_done.async_wait(boost::asio::redirect_error(use_task, ignored));
  }
}

}  // namespace skiff::agent::ingress
