#include "agent/ingress/proxy_worker.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agent/ingress/proxy_session.h"
#include "pkg/log/log.h"
#include "pkg/util/allocator.h"

namespace skiff::agent::ingress {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kTick{500};
constexpr std::chrono::milliseconds kAcceptPause{100};
constexpr unsigned kRingEntries = 256;

void throw_errno(const char* what) {
  throw boost::system::system_error(errno, boost::system::system_category(), what);
}

// Out of descriptors or memory: the loops pause, letting connections finish, instead of spinning.
void log_accept_failure(const boost::system::error_code& error) {
  log::warn("ingress: accept failed", {{"error", error.message()}});
}

Task<void> pause_accepting(ProxyWorker& worker, AsioIo) {
  Timer pause(worker.context());
  pause.expires_after(kAcceptPause);
  boost::system::error_code ignored;
  co_await pause.async_wait(net::redirect_error(use_task, ignored));
}

Task<void> pause_accepting(ProxyWorker& worker, RingIo) {
  boost::system::error_code ignored;
  co_await async_ring_sleep(worker.ring(), kAcceptPause, net::redirect_error(use_task, ignored));
}

// Io: AsioIo with an Acceptor, RingIo with a RingAcceptor.
template <class Io, class AnyAcceptor>
Task<void> accept_loop(ProxyWorker& worker, AnyAcceptor& acceptor, bool tls) {
  while (acceptor.is_open()) {
    boost::system::error_code error;
    typename Io::Socket socket =
        co_await acceptor.async_accept(net::redirect_error(use_task, error));
    if (error) {
      if (error == net::error::operation_aborted || !acceptor.is_open()) co_return;
      log_accept_failure(error);
      co_await pause_accepting(worker, Io{});
      continue;
    }
    socket.set_option(tcp::no_delay(true), error);
    worker.counters().connections.fetch_add(1, std::memory_order_relaxed);
    net::co_spawn(worker.context(), serve_client<Io>(worker, std::move(socket), tls),
                  net::detached);
  }
}

}  // namespace

ProxyWorker::ProxyWorker(const ProxyOptions& options, const SnapshotHolder& snapshots,
                         net::ssl::context& default_tls, ProxyCounters& counters)
    : options_(options),
      default_tls_(default_tls),
      counters_(counters),
      snapshots_(snapshots),
      ring_upstreams_(options.upstream_idle_per_endpoint, options.upstream_idle_timeout),
      asio_upstreams_(options.upstream_idle_per_endpoint, options.upstream_idle_timeout) {}

ProxyWorker::~ProxyWorker() {
  // Sockets in the pool and the acceptors belong to the context: close them before it goes.
  acceptors_.clear();
  asio_upstreams_.clear();
  for (const Listener& listener : listeners_) ::close(listener.descriptor);
}

unsigned short ProxyWorker::listen(const tcp::endpoint& endpoint, bool tls) {
  // A plain descriptor, not an Asio acceptor: which reactor it joins is decided in run().
  const int descriptor =
      ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (descriptor < 0) throw_errno("socket");
  listeners_.push_back(Listener{descriptor, endpoint.protocol(), tls});
  const int on = 1;
  if (::setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    throw_errno("setsockopt");
  }
  if (::bind(descriptor, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
    throw_errno("bind");
  }
  if (::listen(descriptor, SOMAXCONN) != 0) throw_errno("listen");
  tcp::endpoint bound;
  socklen_t size = static_cast<socklen_t>(bound.capacity());
  if (::getsockname(descriptor, bound.data(), &size) != 0) throw_errno("getsockname");
  bound.resize(size);
  return bound.port();
}

void ProxyWorker::run() {
  if (options_.io_uring) {
    try {
      std::lock_guard lock(stop_mutex_);
      ring_.emplace(context_, kRingEntries);
    } catch (const std::system_error& failure) {
      log::warn("ingress: io_uring is not available, using epoll",
                {{"error", failure.code().message()}});
    }
  }
  if (ring_) {
    uses_ring_ = true;
    if (!ring_->deferred_completion()) {
      log::info("ingress: io_uring without deferred completion (Linux before 6.1)");
    }
    run_with_ring();
  } else {
    run_with_asio();
  }
}

void ProxyWorker::run_with_ring() {
  for (const Listener& listener : listeners_) {
    ring_acceptors_.push_back(std::make_unique<RingAcceptor>(*ring_, listener.descriptor));
    net::co_spawn(context_, accept_loop<RingIo>(*this, *ring_acceptors_.back(), listener.tls),
                  net::detached);
  }
  ring_->run(kTick, [this] { tick(); });
  // Everything holding the ring's operations goes on this thread, while the ring is here.
  ring_upstreams_.clear();
  std::lock_guard lock(stop_mutex_);
  ring_.reset();
  ring_acceptors_.clear();
}

void ProxyWorker::run_with_asio() {
  for (const Listener& listener : listeners_) {
    auto acceptor = std::make_unique<Acceptor>(context_);
    const int duplicate = ::dup(listener.descriptor);  // the acceptor closes its own
    boost::system::error_code error;
    acceptor->assign(listener.protocol, duplicate, error);
    if (error) {
      ::close(duplicate);
      log::error("ingress: cannot use a listener", {{"error", error.message()}});
      continue;
    }
    net::co_spawn(context_, accept_loop<AsioIo>(*this, *acceptor, listener.tls), net::detached);
    acceptors_.push_back(std::move(acceptor));
  }
  tick_.emplace(context_);
  start_asio_ticks();
  context_.run();
}

void ProxyWorker::stop() {
  net::post(context_, [this] {
    for (auto& acceptor : acceptors_) {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    }
    context_.stop();
  });
  std::lock_guard lock(stop_mutex_);
  if (ring_) ring_->wake();
}

void ProxyWorker::tick() {
  deadlines_.sweep();
  asio_upstreams_.sweep(deadlines_.now());
  ring_upstreams_.sweep(deadlines_.now());
  if (counters_.open_connections.burst_has_passed()) util::release_free_memory();
}

void ProxyWorker::start_asio_ticks() {
  tick_->expires_after(kTick);
  tick_->async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    tick();
    start_asio_ticks();
  });
}

std::unique_ptr<char[]> ProxyWorker::take_buffer() {
  if (spare_buffers_.empty()) return std::make_unique<char[]>(options_.relay_chunk);
  auto buffer = std::move(spare_buffers_.back());
  spare_buffers_.pop_back();
  return buffer;
}

void ProxyWorker::give_back(std::unique_ptr<char[]> buffer) {
  // A burst of large bodies should not pin its buffers forever.
  if (buffer && spare_buffers_.size() < 64) spare_buffers_.push_back(std::move(buffer));
}

}  // namespace skiff::agent::ingress
