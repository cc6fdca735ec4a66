#include "agent/ingress/ring_socket.h"

#include <unistd.h>

namespace skiff::agent::ingress {

RingSocket::RingSocket(RingSocket&& other) noexcept
    : reactor_(other.reactor_),
      descriptor_(std::exchange(other.descriptor_, -1)),
      read_(std::exchange(other.read_, nullptr)),
      write_(std::exchange(other.write_, nullptr)) {
  adopt_operations();
}

RingSocket& RingSocket::operator=(RingSocket&& other) noexcept {
  if (this == &other) return *this;
  boost::system::error_code ignored;
  close(ignored);
  release_operations();  // cancelled by close(); they complete without this socket
  reactor_ = other.reactor_;
  descriptor_ = std::exchange(other.descriptor_, -1);
  read_ = std::exchange(other.read_, nullptr);
  write_ = std::exchange(other.write_, nullptr);
  adopt_operations();
  return *this;
}

RingSocket::~RingSocket() {
  boost::system::error_code ignored;
  close(ignored);
  release_operations();
}

void RingSocket::adopt_operations() {
  if (read_) read_->owner = &read_;
  if (write_) write_->owner = &write_;
}

void RingSocket::release_operations() {
  if (read_) read_->owner = nullptr;
  if (write_) write_->owner = nullptr;
  read_ = write_ = nullptr;
}

void RingSocket::open(const protocol_type& protocol, boost::system::error_code& error) {
  error = {};
  if (descriptor_ >= 0) {
    error = boost::asio::error::already_open;
    return;
  }
  descriptor_ = ::socket(protocol.family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (descriptor_ < 0) error.assign(errno, boost::system::system_category());
}

void RingSocket::cancel_pending() {
  // Nothing in flight: the reactor may be gone already (a socket dropped after the loop ended).
  if ((!read_ && !write_) || reactor_->shutting_down()) return;
  bool cancelled = false;
  for (RingOp* op : {read_, write_}) {
    if (op && op->in_kernel) {
      reactor_->cancel(*op);
      cancelled = true;
    }
  }
  if (cancelled) reactor_->flush();
}

void RingSocket::close(boost::system::error_code& error) {
  error = {};
  if (descriptor_ < 0) return;
  // The kernel holds the file for operations in flight: closing the descriptor alone would leave
  // them waiting for data that never comes.
  cancel_pending();
  ::close(descriptor_);
  descriptor_ = -1;
}

void RingSocket::shutdown(shutdown_type what, boost::system::error_code& error) {
  error = {};
  if (::shutdown(descriptor_, static_cast<int>(what)) != 0) {
    error.assign(errno, boost::system::system_category());
  }
}

namespace {

// getpeername or getsockname into an endpoint.
RingSocket::endpoint_type endpoint_of(int descriptor, int (*get)(int, sockaddr*, socklen_t*),
                                      boost::system::error_code& error) {
  RingSocket::endpoint_type endpoint;
  socklen_t size = static_cast<socklen_t>(endpoint.capacity());
  error = {};
  if (get(descriptor, endpoint.data(), &size) != 0) {
    error.assign(errno, boost::system::system_category());
    return {};
  }
  endpoint.resize(size);
  return endpoint;
}

}  // namespace

RingSocket::endpoint_type RingSocket::remote_endpoint(boost::system::error_code& error) const {
  return endpoint_of(descriptor_, ::getpeername, error);
}

RingSocket::endpoint_type RingSocket::local_endpoint(boost::system::error_code& error) const {
  return endpoint_of(descriptor_, ::getsockname, error);
}

io_uring_sqe& RingSocket::start(RingOp& op, RingOp*& slot, std::uint8_t opcode) {
  op.owner = &slot;
  slot = &op;
  io_uring_sqe& sqe = reactor_->submit(op);
  sqe.opcode = opcode;
  sqe.fd = descriptor_;
  return sqe;
}

void RingSocket::finish_locally(RingOp& op, int result, RingOp*& slot) {
  op.owner = &slot;
  slot = &op;
  reactor_->track(op);
  reactor_->complete_soon(op, result);
}

}  // namespace skiff::agent::ingress
