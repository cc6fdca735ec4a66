#pragma once
// A worker's idle keep-alive connections to upstream endpoints (pod IP:port). Taking returns the
// most recently parked one, whose peer is the least likely to have timed it out; sweeping closes
// those idle longer than the limit. Single-threaded, like everything a worker owns.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <unordered_map>

#include "agent/ingress/proxy_io.h"

namespace skiff::agent::ingress {

struct EndpointHash {
  std::size_t operator()(const boost::asio::ip::tcp::endpoint& endpoint) const;
};

class UpstreamPool {
 public:
  using Clock = std::chrono::steady_clock;
  UpstreamPool(std::size_t max_idle_per_endpoint, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle_per_endpoint), idle_timeout_(idle_timeout) {}

  std::optional<Socket> take(const boost::asio::ip::tcp::endpoint& endpoint);
  // Parks a connection whose last response was complete and allowed keep-alive.
  void park(const boost::asio::ip::tcp::endpoint& endpoint, Socket socket, Clock::time_point now);
  void sweep(Clock::time_point now);
  void clear() { idle_.clear(); }

 private:
  struct Idle {
    Socket socket;
    Clock::time_point since;
  };
  const std::size_t max_idle_;
  const std::chrono::milliseconds idle_timeout_;
  std::unordered_map<boost::asio::ip::tcp::endpoint, std::deque<Idle>, EndpointHash> idle_;
};

// Whether a parked connection still looks usable: no EOF and no unexpected bytes waiting.
// Costs one non-blocking recv; used before sending a request body, which cannot be replayed.
bool looks_alive(Socket& socket);

}  // namespace skiff::agent::ingress
