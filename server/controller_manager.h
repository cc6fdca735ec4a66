#pragma once
// The server's control loops in one place: the shared informers, the event recorder, the
// Deployment, ReplicaSet and node lifecycle controllers, the scheduler, and the services
// plane's controllers (endpoints, ServiceLB, node IPAM, the `kubernetes` Service), the Ingress
// plane's (the IngressClass `skiff`, Ingress status), all writing
// through the API in-process. Start order: handlers registered, informers listed and watching
// (caches synced), then the workers. Stop is the reverse; both are safe at any moment
// because every loop is level-triggered and rebuilds its view from the store.
#include <chrono>
#include <memory>

#include "pkg/http/server.h"
#include "pkg/util/ipv4.h"
#include "server/controllers/kubernetes_service_controller.h"
#include "server/store/store.h"

namespace skiff::server {

struct ControllerManagerOptions {
  std::chrono::milliseconds node_monitor_grace_period{40000};
  int replicaset_workers = 2;
  int deployment_workers = 2;
  // Services: node pod subnets come out of cluster_cidr; the `kubernetes` Service points at
  // the API server (start_kubernetes_service); ServiceLB runs unless disabled (--disable
  // servicelb).
  util::Ipv4Cidr cluster_cidr{0x0a2a0000u, 16};
  bool servicelb = true;
  int endpoints_workers = 2;
  // The Ingress plane: the IngressClass `skiff` and Ingress status, unless --disable ingress.
  bool ingress = true;
};

class ControllerManager {
 public:
  // `api` is the API server's handler; it and `store` must outlive the manager.
  ControllerManager(store::Store& store, http::Handler api, ControllerManagerOptions options = {});
  ~ControllerManager();
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;

  void start();  // throws when an informer cannot list
  void stop();   // idempotent
  // Starts keeping the `kubernetes` Service and its endpoints pointed at the API server; after
  // start(), once the API listens.
  void start_kubernetes_service(controllers::ApiEndpoint endpoint);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace skiff::server
