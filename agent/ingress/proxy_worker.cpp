#include "agent/ingress/proxy_worker.h"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agent/ingress/proxy_session.h"
#include "pkg/log/log.h"

namespace skiff::agent::ingress {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kTick{500};
using ReusePort = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

Task<void> accept_loop(ProxyWorker& worker, Acceptor& acceptor, bool tls) {
  Timer pause(worker.context());
  while (acceptor.is_open()) {
    boost::system::error_code error;
    Socket socket = co_await acceptor.async_accept(net::redirect_error(use_task, error));
    if (error) {
      if (error == net::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors or memory: let connections finish instead of spinning.
      log::warn("ingress: accept failed", {{"error", error.message()}});
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(net::redirect_error(use_task, error));
      continue;
    }
    socket.set_option(tcp::no_delay(true), error);
    worker.counters().connections.fetch_add(1, std::memory_order_relaxed);
    net::co_spawn(worker.context(), serve_client(worker, std::move(socket), tls), net::detached);
  }
}

}  // namespace

ProxyWorker::ProxyWorker(const ProxyOptions& options, const SnapshotHolder& snapshots,
                         net::ssl::context& default_tls, ProxyCounters& counters)
    : options_(options),
      default_tls_(default_tls),
      counters_(counters),
      snapshots_(snapshots),
      upstreams_(options.upstream_idle_per_endpoint, options.upstream_idle_timeout) {}

ProxyWorker::~ProxyWorker() {
  // Sockets in the pool and the acceptors belong to the context: close them before it goes.
  acceptors_.clear();
  upstreams_.clear();
}

unsigned short ProxyWorker::listen(const tcp::endpoint& endpoint, bool tls) {
  auto acceptor = std::make_unique<Acceptor>(context_);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->set_option(ReusePort(true));
  acceptor->bind(endpoint);
  acceptor->listen(net::socket_base::max_listen_connections);
  const unsigned short port = acceptor->local_endpoint().port();
  net::co_spawn(context_, accept_loop(*this, *acceptor, tls), net::detached);
  acceptors_.push_back(std::move(acceptor));
  return port;
}

void ProxyWorker::run() {
  start_ticks();
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
}

void ProxyWorker::start_ticks() {
  tick_.expires_after(kTick);
  tick_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    deadlines_.sweep();
    upstreams_.sweep(deadlines_.now());
    start_ticks();
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
