#pragma once
// One event loop of the ingress proxy with everything its connections share: its own listeners
// (the port is shared with the other workers through SO_REUSEPORT, so the kernel spreads the
// connections), its upstream pool, its relay buffers and its deadline sweep. A connection lives
// and dies on the worker that accepted it: nothing here is locked. The loop does its I/O through
// io_uring where it can and through Asio's reactor otherwise (io_backends.h).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include "agent/ingress/proxy_io.h"

#include "agent/ingress/connection_gauge.h"
#include "agent/ingress/deadlines.h"
#include "agent/ingress/ingress_snapshot.h"
#include "agent/ingress/io_backends.h"
#include "agent/ingress/proxy_options.h"
#include "agent/ingress/upstream_pool.h"

namespace skiff::agent::ingress {

// Shared by the workers; read for logs now and /metrics later.
struct ProxyCounters {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> not_found{0};        // 404: no rule
  std::atomic<uint64_t> unavailable{0};      // 503: no ready endpoint
  std::atomic<uint64_t> bad_gateway{0};      // 502
  std::atomic<uint64_t> gateway_timeout{0};  // 504
  std::atomic<uint64_t> bad_requests{0};     // 400, 431: requests that could not be read
  std::atomic<uint64_t> upgrades{0};
  std::atomic<uint64_t> upstream_connects{0};
  ConnectionGauge open_connections;
};

class ProxyWorker {
 public:
  ProxyWorker(const ProxyOptions& options, const SnapshotHolder& snapshots,
              boost::asio::ssl::context& default_tls, ProxyCounters& counters);
  ~ProxyWorker();
  ProxyWorker(const ProxyWorker&) = delete;
  ProxyWorker& operator=(const ProxyWorker&) = delete;

  // Before run(): listens on `endpoint` with SO_REUSEPORT; returns the port bound (for port 0).
  // Throws boost::system::system_error when the port cannot be bound.
  unsigned short listen(const boost::asio::ip::tcp::endpoint& endpoint, bool tls);
  void run();   // the worker's thread; returns after stop()
  void stop();  // any thread
  // After run() started: whether this worker's I/O goes through io_uring.
  bool uses_ring() const { return uses_ring_.load(); }

  // For the connections of this worker (its thread only).
  const ProxyOptions& options() const { return options_; }
  boost::asio::ssl::context& default_tls() { return default_tls_; }
  SnapshotReader& snapshots() { return snapshots_; }
  template <class Io>
  UpstreamPool<typename Io::Socket>& upstreams() {
    if constexpr (std::is_same_v<Io, RingIo>) {
      return ring_upstreams_;
    } else {
      return asio_upstreams_;
    }
  }
  RingReactor& ring() { return *ring_; }  // only with uses_ring()
  DeadlineList& deadlines() { return deadlines_; }
  ProxyCounters& counters() { return counters_; }
  boost::asio::io_context& context() { return context_; }
  // What the tunnel of an upgraded connection waits on.
  template <class Io>
  typename Io::Waiter new_waiter() {
    if constexpr (std::is_same_v<Io, RingIo>) {
      return RingWaiter(*ring_);
    } else {
      return Timer(context_, Timer::time_point::max());
    }
  }
  // A socket for a new upstream connection, on this worker's kind of I/O.
  template <class Io>
  typename Io::Socket new_socket() {
    if constexpr (std::is_same_v<Io, RingIo>) {
      return RingSocket(*ring_);
    } else {
      return AsioSocket(context_);
    }
  }

  // A relay buffer of options().relay_chunk bytes, handed back when the body is through.
  std::unique_ptr<char[]> take_buffer();
  void give_back(std::unique_ptr<char[]> buffer);

 private:
  struct Listener {
    int descriptor;
    boost::asio::ip::tcp protocol;
    bool tls;
  };
  void run_with_ring();
  void run_with_asio();
  void tick();
  void start_asio_ticks();

  const ProxyOptions& options_;
  boost::asio::ssl::context& default_tls_;
  ProxyCounters& counters_;
  SnapshotReader snapshots_;
  // Connections' coroutine frames are destroyed with the io_context, and they unlink from the
  // deadline list and hand buffers back as they go: both are declared before it.
  DeadlineList deadlines_;
  std::vector<std::unique_ptr<char[]>> spare_buffers_;
  // One thread runs it and only that thread touches its sockets (stop() only posts), so the
  // reactor's per-socket locks can go; the scheduler keeps its lock for that post.
  boost::asio::io_context context_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::vector<Listener> listeners_;  // bound and listening; closed by the destructor
  std::atomic<bool> uses_ring_{false};
  // The io_uring path. Created and destroyed on the worker's thread (the kernel lets only the
  // creating thread submit), after the pool that holds its sockets is emptied.
  std::optional<RingReactor> ring_;
  UpstreamPool<RingSocket> ring_upstreams_;
  std::vector<std::unique_ptr<RingAcceptor>> ring_acceptors_;
  // The Asio path. The tick is a timer only here: in the other path an Asio timer would start
  // Asio's reactor (an epoll_wait per loop round) for nothing.
  UpstreamPool<AsioSocket> asio_upstreams_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::optional<Timer> tick_;
  std::mutex stop_mutex_;  // stop() against the reactor's creation and destruction
};

}  // namespace skiff::agent::ingress
