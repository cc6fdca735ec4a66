#pragma once
// Everything the proxy needs to answer one request, frozen: routes, the ready endpoints of every
// backend they name, and the TLS certificates. The agent builds a new snapshot when Ingresses,
// Services, EndpointSlices or Secrets change and swaps it in; a request in flight keeps the
// snapshot it started with, so a change never disturbs an open connection.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "agent/ingress/ingress_routes.h"

namespace skiff::agent::ingress {

// The ready endpoints of one Service port, picked round-robin.
class BackendEndpoints {
 public:
  explicit BackendEndpoints(std::vector<boost::asio::ip::tcp::endpoint> ready)
      : ready_(std::move(ready)) {}
  bool empty() const { return ready_.empty(); }
  // Round-robin over the endpoints; the counter is shared by the workers (relaxed: fairness, not
  // ordering, is what matters). Requires !empty().
  const boost::asio::ip::tcp::endpoint& pick() const {
    return ready_[next_.fetch_add(1, std::memory_order_relaxed) % ready_.size()];
  }

 private:
  std::vector<boost::asio::ip::tcp::endpoint> ready_;
  mutable std::atomic<uint32_t> next_{0};
};

struct IngressSnapshot {
  RouteTable routes;
  // Every backend the routes name; a backend without ready endpoints maps to an empty set.
  std::map<BackendRef, std::shared_ptr<const BackendEndpoints>> backends;
  // Server contexts by "namespace/secret"; an entry the Secret of which is missing or invalid is
  // absent, and its hosts get the default certificate.
  std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> certificates;

  const BackendEndpoints* endpoints_of(const BackendRef& backend) const {
    auto found = backends.find(backend);
    return found == backends.end() ? nullptr : found->second.get();
  }
  // The context for a TLS client hello naming `server_name`; nullptr: the default certificate.
  boost::asio::ssl::context* certificate_for(std::string_view server_name) const;
};

// The current snapshot, shared by the workers. Readers hold a copy of the pointer and check a
// version number per request, so the common case takes no lock.
class SnapshotHolder {
 public:
  SnapshotHolder() : current_(std::make_shared<const IngressSnapshot>()) {}
  void publish(std::shared_ptr<const IngressSnapshot> snapshot) {
    std::lock_guard lock(mutex_);
    current_ = std::move(snapshot);
    version_.fetch_add(1, std::memory_order_release);
  }
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const IngressSnapshot> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const IngressSnapshot> current_;
  std::atomic<uint64_t> version_{1};
};

// A worker's view of the holder: refreshed when the version moved.
class SnapshotReader {
 public:
  explicit SnapshotReader(const SnapshotHolder& holder) : holder_(holder) {}
  const std::shared_ptr<const IngressSnapshot>& get() {
    const uint64_t version = holder_.version();
    if (version != seen_) {
      cached_ = holder_.current();
      seen_ = version;
    }
    return cached_;
  }

 private:
  const SnapshotHolder& holder_;
  std::shared_ptr<const IngressSnapshot> cached_;
  uint64_t seen_ = 0;
};

}  // namespace skiff::agent::ingress
