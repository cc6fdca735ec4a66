#pragma once
// The Ingress status controller: writes status.loadBalancer.ingress of every Ingress skiff
// serves (ingress_status.h) through the /status subresource, only when it differs. A change of
// an Ingress queues that Ingress; a node change that can move the addresses (readiness,
// addresses, the enablelb label) queues every skiff Ingress. Ingresses of other classes are
// never touched, not even to clear what skiff wrote before their class changed: their
// controller owns the status now. Not built at all with `--disable ingress`.
#include <string>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

class IngressStatusController {
 public:
  // Informers and client must outlive the controller. Register before the informers start.
  IngressStatusController(Informer& ingresses, Informer& nodes, Client& client);

  void start(int workers) { loop_.start(workers); }
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  void enqueue_all();

  Informer& ingresses_;
  Informer& nodes_;
  Client& client_;
  ControllerLoop loop_;
};

}  // namespace skiff::controllers
