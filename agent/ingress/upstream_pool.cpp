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

bool looks_alive(int descriptor) {
  char byte;
  const ssize_t got = ::recv(descriptor, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace skiff::agent::ingress
