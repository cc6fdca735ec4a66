#pragma once
// The node's ingress: the embedded proxy (agent/ingress/) kept in step with what the server
// streams. One thread turns changes of Ingresses, Services, EndpointSlices and Secrets into a
// new snapshot for the proxy (a burst of changes costs one rebuild), starts the proxy once the
// settings say the cluster has an ingress, and stops it when they say it has none.
//
// A port that cannot be bound (another web server on 80) is logged and tried again with a
// growing pause (up to a minute), so the node's pods and services are not held up by it.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/ingress/proxy_options.h"
#include "agent/ingress/tls_contexts.h"
#include "agent/nodeclient/node_session.h"

namespace skiff::agent {

namespace ingress {
class IngressProxy;
}

class NodeIngress final : public nodeclient::NodeObjectHandler {
 public:
  using Lister = std::function<std::vector<Json>(nodeclient::ObjectKind)>;
  NodeIngress(ingress::ProxyOptions options, Lister list,
              std::chrono::milliseconds debounce = std::chrono::milliseconds(20));
  ~NodeIngress() override;  // stop()
  NodeIngress(const NodeIngress&) = delete;
  NodeIngress& operator=(const NodeIngress&) = delete;

  void start();
  void stop();  // stops the proxy too; idempotent

  void object_changed(nodeclient::ObjectKind kind, const Json& object) override;
  void object_removed(nodeclient::ObjectKind kind, const Json& last_known) override;
  void settings_received(const nodeclient::ClusterSettings& settings) override;

 private:
  void mark(nodeclient::ObjectKind kind);
  void run();
  // One round; returns false when the proxy could not be started (tried again later).
  bool work(bool enabled);
  void publish();

  const ingress::ProxyOptions options_;
  const Lister list_;
  const std::chrono::milliseconds debounce_;

  // Touched by the thread only.
  std::unique_ptr<ingress::IngressProxy> proxy_;
  ingress::CertificateCache certificates_;
  std::vector<std::string> problems_;  // the last ones logged
  std::chrono::milliseconds retry_delay_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<bool> enabled_;  // from the settings, once received
  bool dirty_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::agent
