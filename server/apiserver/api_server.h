#pragma once
// The Kubernetes-shaped API server: one function from an HTTP request to a response, over a
// Store. It serves discovery, /version, health, OpenAPI and the resource paths, and runs the
// small background reactors the API semantics need (namespace lifecycle, default service
// accounts, garbage collection through ownerReferences, Event expiry).
//
// It knows nothing about sockets: http::Server (or a unit test) calls handle().
#include <chrono>
#include <memory>
#include <string>

#include "pkg/http/server.h"
#include "server/apiserver/service_addresses.h"
#include "server/store/store.h"

namespace skiff::nodeservice {
class NodeTunnel;
}

namespace skiff::apiserver {

struct ApiServerOptions {
  std::string server_address = "127.0.0.1:6443";  // advertised in the legacy /api document
  bool run_controllers = true;       // namespace lifecycle, garbage collector, event expiry
  ServiceNetwork service_network{};  // where Services get their ClusterIPs and NodePorts
  // Events not written for this long are deleted (kube-apiserver's --event-ttl); 0 keeps them.
  std::chrono::seconds event_ttl{3600};
};

class ApiServer {
 public:
  ApiServer(store::Store& store, ApiServerOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Creates the system namespaces (idempotent) and starts the reactors. Throws on failure.
  void start();
  // Stops the reactors. Open watches end when their streams close.
  void stop();

  // The reverse tunnel to the agents, for pods/log and pods/exec; until it is set (or with
  // nullptr) they answer 503 "no node connection". `tunnel` must outlive the server's
  // requests; set it before serving.
  void set_node_tunnel(nodeservice::NodeTunnel* tunnel);

  // Never throws: every failure is a Status response.
  http::HandlerResult handle(http::Request& request);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace skiff::apiserver
