#pragma once
// The ServiceLB controller (k3s' ServiceLB, without helper pods): writes
// status.loadBalancer.ingress of the LoadBalancer Services it serves from the decision in
// servicelb_decide.h; the agents' service proxy forwards node address:port to the service.
//
// sync("<ns>/<service>"): recompute the decisions for all services (a port freed by one service
// may let a pending one through, so every change of a LoadBalancer service or of a node
// requeues them all), then write this service's status when it differs. A pending service gets
// a Warning Event naming the port and the service that holds it. A service that is no longer
// of type LoadBalancer has the ingress ServiceLB left cleared. Services of another
// loadBalancerClass are never touched. Turned off entirely with `--disable servicelb`.
#include <string>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

class ServiceLbController {
 public:
  // Informers, client and recorder must outlive the controller. Register before start.
  ServiceLbController(Informer& services, Informer& nodes, Client& client, EventRecorder& events);

  void start(int workers) { loop_.start(workers); }
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  void enqueue_all_load_balancers();

  Informer& services_;
  Informer& nodes_;
  Client& client_;
  EventRecorder& events_;
  ControllerLoop loop_;
};

}  // namespace skiff::controllers
