#include "agent/ingress/upstream_pool.h"

#include <sys/socket.h>

#include <cerrno>
#include <functional>

namespace skiff::agent::ingress {

std::size_t EndpointHash::operator()(const boost::asio::ip::tcp::endpoint& endpoint) const {
  std::size_t seed = std::hash<unsigned short>{}(endpoint.port());
  const auto address = endpoint.address();
  if (address.is_v4()) return seed ^ (std::hash<uint32_t>{}(address.to_v4().to_uint()) << 1);
  for (auto byte : address.to_v6().to_bytes()) seed = seed * 131 + byte;
  return seed;
}

std::optional<Socket> UpstreamPool::take(const boost::asio::ip::tcp::endpoint& endpoint) {
  auto found = idle_.find(endpoint);
  if (found == idle_.end() || found->second.empty()) return std::nullopt;
  Socket socket = std::move(found->second.back().socket);
  found->second.pop_back();
  return socket;
}

void UpstreamPool::park(const boost::asio::ip::tcp::endpoint& endpoint, Socket socket,
                        Clock::time_point now) {
  auto& parked = idle_[endpoint];
  if (parked.size() >= max_idle_) parked.pop_front();  // the oldest is the likeliest to be stale
  parked.push_back(Idle{std::move(socket), now});
}

void UpstreamPool::sweep(Clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& parked = it->second;
    while (!parked.empty() && now - parked.front().since >= idle_timeout_) parked.pop_front();
    it = parked.empty() ? idle_.erase(it) : std::next(it);
  }
}

bool looks_alive(Socket& socket) {
  char byte;
  const ssize_t got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace skiff::agent::ingress
