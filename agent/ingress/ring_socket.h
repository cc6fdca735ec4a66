#pragma once
// A TCP socket whose reads, writes and connect go through a worker's RingReactor, with the part
// of basic_stream_socket's interface that Beast, asio::ssl::stream, asio::async_write and the
// proxy use: so the proxy's code is the same over either kind of socket. Also the listener's
// accept and a waiter (an operation completed by cancel(), like a timer that never expires).
//
// As with Asio's sockets: one read and one write may be in flight at a time; close() cancels
// them (their handlers get operation_aborted); handlers never run inside the initiating call.
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>

#include "agent/ingress/proxy_io.h"
#include "agent/ingress/ring_reactor.h"

namespace skiff::agent::ingress {

namespace ring_detail {

inline boost::system::error_code error_of(int result) {
  return result < 0 ? boost::system::error_code(-result, boost::system::system_category())
                    : boost::system::error_code();
}

// An operation carrying a handler called with (error_code, Args...); `finish` turns the kernel's
// result into those arguments.
template <class Handler, class Finish>
class HandlerOp final : public RingOp {
 public:
  HandlerOp(RingReactor& reactor, Handler handler, Finish finish)
      : reactor_(reactor), handler_(std::move(handler)), finish_(std::move(finish)) {}

  void complete(int result) override {
    // Freed before the call, as Asio does, so the handler can start the next operation in the
    // memory this one used.
    Handler handler(std::move(handler_));
    Finish finish(std::move(finish_));
    free_ring_op(reactor_, *this);
    finish(std::move(handler), result);
  }
  void discard() override { free_ring_op(reactor_, *this); }

  // What the kernel reads while the operation is in flight.
  msghdr message{};
  iovec pieces[16]{};
  sockaddr_storage address{};
  socklen_t address_size = 0;
  __kernel_timespec timeout{};

 private:
  RingReactor& reactor_;
  Handler handler_;
  Finish finish_;
};

template <class Handler, class Finish>
HandlerOp<Handler, Finish>& make_op(RingReactor& reactor, Handler&& handler, Finish finish) {
  return make_ring_op<HandlerOp<std::decay_t<Handler>, Finish>>(
      reactor, reactor, std::forward<Handler>(handler), std::move(finish));
}

}  // namespace ring_detail

class RingSocket : public boost::asio::socket_base {
 public:
  using executor_type = Executor;
  using lowest_layer_type = RingSocket;
  using protocol_type = boost::asio::ip::tcp;
  using endpoint_type = boost::asio::ip::tcp::endpoint;
  using native_handle_type = int;

  explicit RingSocket(RingReactor& reactor, int descriptor = -1)
      : reactor_(&reactor), descriptor_(descriptor) {}
  RingSocket(RingSocket&& other) noexcept;
  RingSocket& operator=(RingSocket&& other) noexcept;
  ~RingSocket();

  executor_type get_executor() { return reactor_->context().get_executor(); }
  RingSocket& lowest_layer() { return *this; }
  const RingSocket& lowest_layer() const { return *this; }
  int native_handle() const { return descriptor_; }
  bool is_open() const { return descriptor_ >= 0; }

  void open(const protocol_type& protocol, boost::system::error_code& error);
  void close(boost::system::error_code& error);
  void shutdown(shutdown_type what, boost::system::error_code& error);
  endpoint_type remote_endpoint(boost::system::error_code& error) const;
  endpoint_type local_endpoint(boost::system::error_code& error) const;
  template <class Option>
  void set_option(const Option& option, boost::system::error_code& error) {
    const protocol_type protocol = protocol_type::v4();
    error = {};
    if (::setsockopt(descriptor_, option.level(protocol), option.name(protocol),
                     option.data(protocol), static_cast<socklen_t>(option.size(protocol))) != 0) {
      error.assign(errno, boost::system::system_category());
    }
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& buffers) {
          start_read(std::move(handler), boost::asio::buffer_sequence_begin(buffers),
                     boost::asio::buffer_sequence_end(buffers));
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& buffers) {
          start_write(std::move(handler), boost::asio::buffer_sequence_begin(buffers),
                      boost::asio::buffer_sequence_end(buffers));
        },
        token, buffers);
  }

  template <class Token>
  auto async_connect(const endpoint_type& endpoint, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler, const endpoint_type& endpoint) {
          auto& op = ring_detail::make_op(
              *reactor_, std::move(handler),
              [](auto handler, int result) { handler(ring_detail::error_of(result)); });
          std::memcpy(&op.address, endpoint.data(), endpoint.size());
          op.address_size = static_cast<socklen_t>(endpoint.size());
          io_uring_sqe& sqe = start(op, write_, IORING_OP_CONNECT);
          sqe.addr = reinterpret_cast<std::uint64_t>(&op.address);
          sqe.off = op.address_size;
        },
        token, endpoint);
  }

 private:
  template <class Handler, class Iterator>
  void start_read(Handler&& handler, Iterator begin, Iterator end) {
    boost::asio::mutable_buffer target;
    for (; begin != end && target.size() == 0; ++begin) target = *begin;
    const bool empty = target.size() == 0;
    auto& op = ring_detail::make_op(
        *reactor_, std::forward<Handler>(handler), [empty](auto handler, int result) {
          if (result < 0) {
            handler(ring_detail::error_of(result), std::size_t(0));
          } else if (result == 0 && !empty) {
            // Nothing read into a non-empty buffer: the peer's end.
            handler(boost::asio::error::make_error_code(boost::asio::error::eof), std::size_t(0));
          } else {
            handler(boost::system::error_code(), static_cast<std::size_t>(result));
          }
        });
    if (empty || descriptor_ < 0) {
      finish_locally(op, empty ? 0 : -EBADF, read_);
      return;
    }
    io_uring_sqe& sqe = start(op, read_, IORING_OP_RECV);
    sqe.addr = reinterpret_cast<std::uint64_t>(target.data());
    sqe.len = static_cast<unsigned>(target.size());
  }

  template <class Handler, class Iterator>
  void start_write(Handler&& handler, Iterator begin, Iterator end) {
    auto& op = ring_detail::make_op(
        *reactor_, std::forward<Handler>(handler), [](auto handler, int result) {
          handler(ring_detail::error_of(result), result > 0 ? std::size_t(result) : 0);
        });
    std::size_t count = 0;
    std::size_t total = 0;
    constexpr std::size_t kMaxPieces = sizeof op.pieces / sizeof op.pieces[0];
    for (; begin != end && count < kMaxPieces; ++begin) {
      const boost::asio::const_buffer piece(*begin);
      if (piece.size() == 0) continue;
      op.pieces[count++] = iovec{const_cast<void*>(piece.data()), piece.size()};
      total += piece.size();
    }
    if (total == 0 || descriptor_ < 0) {
      finish_locally(op, total == 0 ? 0 : -EBADF, write_);
      return;
    }
    if (count == 1) {
      io_uring_sqe& sqe = start(op, write_, IORING_OP_SEND);
      sqe.addr = reinterpret_cast<std::uint64_t>(op.pieces[0].iov_base);
      sqe.len = static_cast<unsigned>(op.pieces[0].iov_len);
      sqe.msg_flags = MSG_NOSIGNAL;
      return;
    }
    op.message.msg_iov = op.pieces;
    op.message.msg_iovlen = count;
    io_uring_sqe& sqe = start(op, write_, IORING_OP_SENDMSG);
    sqe.addr = reinterpret_cast<std::uint64_t>(&op.message);
    sqe.len = 1;
    sqe.msg_flags = MSG_NOSIGNAL;
  }

  // Queues `op` as this socket's operation in `slot` (read_ or write_).
  io_uring_sqe& start(RingOp& op, RingOp*& slot, std::uint8_t opcode);
  // Completes `op` from the loop without the kernel: a read or write of nothing (Asio answers
  // those at once with success), or one on a closed socket.
  void finish_locally(RingOp& op, int result, RingOp*& slot);
  void cancel_pending();
  void adopt_operations();    // after a move: the operations in flight now point here
  void release_operations();  // they complete without this socket

  RingReactor* reactor_;
  int descriptor_ = -1;
  RingOp* read_ = nullptr;
  RingOp* write_ = nullptr;  // or the connect
};

// A listening socket (already bound and listening) accepting through the ring.
class RingAcceptor {
 public:
  RingAcceptor(RingReactor& reactor, int descriptor) : reactor_(reactor), descriptor_(descriptor) {}
  // The listening descriptor belongs to the worker, which closes it after the ring is gone.
  bool is_open() const { return descriptor_ >= 0; }

  // Completes with (error_code, RingSocket).
  template <class Token>
  auto async_accept(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, RingSocket)>(
        [this](auto handler) {
          RingReactor& reactor = reactor_;
          auto& op = ring_detail::make_op(reactor, std::move(handler),
                                          [&reactor](auto handler, int result) {
                                            handler(ring_detail::error_of(result),
                                                    RingSocket(reactor, result < 0 ? -1 : result));
                                          });
          io_uring_sqe& sqe = reactor_.submit(op);
          sqe.opcode = IORING_OP_ACCEPT;
          sqe.fd = descriptor_;
          sqe.accept_flags = SOCK_CLOEXEC;
        },
        token);
  }

 private:
  RingReactor& reactor_;
  int descriptor_;
};

// Waits until cancel() (the tunnel's "both directions are done"). Its handler gets
// operation_aborted, as a cancelled timer's does.
class RingWaiter {
 public:
  explicit RingWaiter(RingReactor& reactor) : reactor_(reactor) {}
  ~RingWaiter() { cancel(); }
  RingWaiter(const RingWaiter&) = delete;
  RingWaiter& operator=(const RingWaiter&) = delete;

  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          auto& op = ring_detail::make_op(
              reactor_, std::move(handler),
              [](auto handler, int result) { handler(ring_detail::error_of(result)); });
          reactor_.track(op);
          op.owner = &waiting_;
          waiting_ = &op;
        },
        token);
  }
  void cancel() {
    if (!waiting_) return;  // nothing waits, or the reactor dropped the wait
    RingOp& op = *std::exchange(waiting_, nullptr);
    op.owner = nullptr;
    reactor_.complete_soon(op, -ECANCELED);
  }

 private:
  RingReactor& reactor_;
  RingOp* waiting_ = nullptr;
};

// Completes after `duration` (a pause after a failed accept).
template <class Token>
auto async_ring_sleep(RingReactor& reactor, std::chrono::milliseconds duration, Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
      [&reactor, duration](auto handler) {
        auto& op = ring_detail::make_op(reactor, std::move(handler), [](auto handler, int result) {
          handler(ring_detail::error_of(result == -ETIME ? 0 : result));
        });
        op.timeout.tv_sec = duration.count() / 1000;
        op.timeout.tv_nsec = (duration.count() % 1000) * 1'000'000;
        io_uring_sqe& sqe = reactor.submit(op);
        sqe.opcode = IORING_OP_TIMEOUT;
        sqe.fd = -1;
        sqe.addr = reinterpret_cast<std::uint64_t>(&op.timeout);
        sqe.len = 1;
      },
      token);
}

}  // namespace skiff::agent::ingress
