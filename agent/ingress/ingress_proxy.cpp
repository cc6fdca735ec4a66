#include "agent/ingress/ingress_proxy.h"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

#include "agent/ingress/tls_contexts.h"
#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::agent::ingress {

namespace net = boost::asio;
using tcp = net::ip::tcp;

IngressProxy::IngressProxy(ProxyOptions options)
    : options_(std::move(options)), default_tls_(make_default_context(snapshots_)) {}

IngressProxy::~IngressProxy() {
  stop();
}

void IngressProxy::start() {
  if (!workers_.empty()) return;
  unsigned count = options_.workers;
  if (count == 0) count = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  boost::system::error_code error;
  const auto address = net::ip::make_address(options_.bind_address, error);
  if (error) {
    throw std::runtime_error("ingress: bind address \"" + options_.bind_address +
                             "\" is not an IP address");
  }
  for (unsigned i = 0; i < count; ++i) {
    workers_.push_back(
        std::make_unique<ProxyWorker>(options_, snapshots_, *default_tls_, counters_));
  }
  // The first worker may be given port 0; the others share the port it got.
  auto bind_all = [&](int requested, bool tls) -> unsigned short {
    if (requested < 0) return 0;
    unsigned short port = static_cast<unsigned short>(requested);
    for (auto& worker : workers_) {
      try {
        port = worker->listen(tcp::endpoint(address, port), tls);
      } catch (const boost::system::system_error& failure) {
        workers_.clear();
        throw std::runtime_error("ingress: cannot listen on " + options_.bind_address + ":" +
                                 std::to_string(port) + ": " + failure.code().message());
      }
    }
    return port;
  };
  http_port_ = bind_all(options_.http_port, false);
  https_port_ = bind_all(options_.https_port, true);
  for (auto& worker : workers_) {
    threads_.emplace_back([&worker = *worker] {
      util::name_this_thread("ingress-proxy");
      worker.run();
    });
  }
  log::info("ingress proxy listening",
            {{"http", http_port_}, {"https", https_port_}, {"workers", count}});
}

void IngressProxy::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  workers_.clear();
}

}  // namespace skiff::agent::ingress
