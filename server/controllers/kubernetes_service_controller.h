#pragma once
// The `kubernetes` Service in `default` and its Endpoints and EndpointSlice: how pods find the
// API server (Kubernetes' apiserver bootstrap controller). Created at start and put back when
// someone changes or deletes them:
//   Service   ClusterIP = the service CIDR's first address, port 443 (name https) -> the API port
//   Endpoints / EndpointSlice `kubernetes`: the API server's address and port.
// The service has no selector, so the endpoints controller leaves these alone. A `kubernetes`
// Service holding another ClusterIP (a changed --service-cidr) keeps it: ClusterIPs are
// immutable, and deleting it would break clients; a warning is logged.
#include <string>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

struct ApiEndpoint {
  std::string cluster_ip;  // "10.43.0.1"
  std::string address;     // where pods reach the API server, "192.168.1.10"
  int port = 6443;
};

// The three objects as they should be (no resourceVersion). Pure.
Json kubernetes_service(const ApiEndpoint& endpoint);
Json kubernetes_endpoints(const ApiEndpoint& endpoint);
Json kubernetes_endpoint_slice(const ApiEndpoint& endpoint);

class KubernetesServiceController {
 public:
  // Informers and client must outlive the controller. Register before the informers start.
  KubernetesServiceController(Informer& services, Informer& endpoints, Informer& endpoint_slices,
                              Client& client);

  // One worker; the first sync creates what is missing. Called once the API's port is known.
  void start(ApiEndpoint endpoint);
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  Informer& services_;
  Informer& endpoints_;
  Informer& endpoint_slices_;
  Client& client_;
  ApiEndpoint endpoint_;  // set by start(), before the worker runs
  ControllerLoop loop_;
};

}  // namespace skiff::controllers
