#pragma once
// A worker's idle keep-alive connections to upstream endpoints (pod IP:port). Taking returns the
// most recently parked one, whose peer is the least likely to have timed it out; sweeping closes
// those idle longer than the limit. Single-threaded, like everything a worker owns.
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>

namespace skiff::agent::ingress {

struct EndpointHash {
  std::size_t operator()(const boost::asio::ip::tcp::endpoint& endpoint) const;
};

template <class Socket>
class UpstreamPool {
 public:
  using Clock = std::chrono::steady_clock;
  UpstreamPool(std::size_t max_idle_per_endpoint, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle_per_endpoint), idle_timeout_(idle_timeout) {}

  std::optional<Socket> take(const boost::asio::ip::tcp::endpoint& endpoint) {
    auto found = idle_.find(endpoint);
    if (found == idle_.end() || found->second.empty()) return std::nullopt;
    Socket socket = std::move(found->second.back().socket);
    found->second.pop_back();
    return socket;
  }

  // Parks a connection whose last response was complete and allowed keep-alive.
  void park(const boost::asio::ip::tcp::endpoint& endpoint, Socket socket, Clock::time_point now) {
    auto& parked = idle_[endpoint];
    if (parked.size() >= max_idle_) parked.pop_front();  // the oldest is the likeliest stale
    parked.push_back(Idle{std::move(socket), now});
  }

  void sweep(Clock::time_point now) {
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& parked = it->second;
      while (!parked.empty() && now - parked.front().since >= idle_timeout_) parked.pop_front();
      it = parked.empty() ? idle_.erase(it) : std::next(it);
    }
  }
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

// Whether a parked connection (its descriptor) still looks usable: no EOF and no unexpected
// bytes waiting. Costs one non-blocking recv; used before sending a request body, which cannot
// be replayed.
bool looks_alive(int descriptor);

}  // namespace skiff::agent::ingress
