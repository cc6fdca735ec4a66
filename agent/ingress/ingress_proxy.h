#pragma once
// The ingress proxy as the agent (and the benchmark) sees it: started with its options, fed
// snapshots, stopped. Connections in flight keep the snapshot they started a request with.
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "agent/ingress/ingress_snapshot.h"
#include "agent/ingress/proxy_options.h"
#include "agent/ingress/proxy_worker.h"

namespace skiff::agent::ingress {

class IngressProxy {
 public:
  explicit IngressProxy(ProxyOptions options);
  ~IngressProxy();  // stop()
  IngressProxy(const IngressProxy&) = delete;
  IngressProxy& operator=(const IngressProxy&) = delete;

  // Binds the listeners and starts the workers. Throws std::runtime_error naming the address
  // when a port cannot be bound (in use, or no permission).
  void start();
  void stop();  // idempotent; open connections are closed

  void publish(std::shared_ptr<const IngressSnapshot> snapshot) {
    snapshots_.publish(std::move(snapshot));
  }

  // The ports bound (useful with port 0); 0 when that listener is off.
  unsigned short http_port() const { return http_port_; }
  unsigned short https_port() const { return https_port_; }
  const ProxyCounters& counters() const { return counters_; }
  // Whether the workers do their I/O through io_uring (they choose as they start).
  bool uses_io_uring() const { return !workers_.empty() && workers_.front()->uses_ring(); }

 private:
  const ProxyOptions options_;
  SnapshotHolder snapshots_;
  std::unique_ptr<boost::asio::ssl::context> default_tls_;
  ProxyCounters counters_;
  std::vector<std::unique_ptr<ProxyWorker>> workers_;
  std::vector<std::thread> threads_;
  unsigned short http_port_ = 0;
  unsigned short https_port_ = 0;
};

}  // namespace skiff::agent::ingress
