#include "server/controller_manager.h"

#include "pkg/log/log.h"
#include "server/controllers/client.h"
#include "server/controllers/deployment_controller.h"
#include "server/controllers/endpoints_controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"
#include "server/controllers/ingress_class_bootstrap.h"
#include "server/controllers/ingress_status_controller.h"
#include "server/controllers/node_ipam_controller.h"
#include "server/controllers/node_lifecycle_controller.h"
#include "server/controllers/replicaset_controller.h"
#include "server/controllers/servicelb_controller.h"
#include "server/scheduler/scheduler.h"

namespace skiff::server {

using namespace skiff::controllers;

struct ControllerManager::Parts {
  Parts(store::Store& store, http::Handler api, const ControllerManagerOptions& options)
      : client(std::move(api)),
        events(client),
        pods(store, pods_resource()),
        nodes(store, nodes_resource()),
        leases(store, leases_resource()),
        replicasets(store, replicasets_resource()),
        deployments(store, deployments_resource()),
        services(store, resource_of("v1", "Service")),
        endpoints(store, resource_of("v1", "Endpoints")),
        endpoint_slices(store, resource_of("discovery.k8s.io/v1", "EndpointSlice")),
        replicaset_controller(replicasets, pods, client, events),
        deployment_controller(deployments, replicasets, pods, client, events),
        node_lifecycle(nodes, leases, pods, client, events,
                       NodeLifecycleOptions{options.node_monitor_grace_period}),
        scheduler(nodes, pods, client, events),
        endpoints_controller(services, pods, endpoints, endpoint_slices, client),
        node_ipam(nodes, client, events, options.cluster_cidr),
        kubernetes_service(services, endpoints, endpoint_slices, client),
        options(options) {
    if (options.servicelb)
      servicelb = std::make_unique<ServiceLbController>(services, nodes, client, events);
    if (options.ingress) {
      ingresses = std::make_unique<Informer>(store, resource_of("networking.k8s.io/v1", "Ingress"));
      ingress_status = std::make_unique<IngressStatusController>(*ingresses, nodes, client);
      ingress_class = std::make_unique<IngressClassBootstrap>(client);
    }
  }

  InProcessClient client;
  EventRecorder events;
  Informer pods, nodes, leases, replicasets, deployments;
  Informer services, endpoints, endpoint_slices;
  ReplicaSetController replicaset_controller;
  DeploymentController deployment_controller;
  NodeLifecycleController node_lifecycle;
  scheduler::Scheduler scheduler;
  EndpointsController endpoints_controller;
  NodeIpamController node_ipam;
  KubernetesServiceController kubernetes_service;
  std::unique_ptr<ServiceLbController> servicelb;  // null with --disable servicelb
  // All three null with --disable ingress.
  std::unique_ptr<Informer> ingresses;
  std::unique_ptr<IngressStatusController> ingress_status;
  std::unique_ptr<IngressClassBootstrap> ingress_class;
  ControllerManagerOptions options;
  bool started = false;
};

ControllerManager::ControllerManager(store::Store& store, http::Handler api,
                                     ControllerManagerOptions options) {
  // Indexes must exist before the informers list; the controllers register their handlers in
  // their constructors, which run in Parts' constructor, also before start().
  parts_ = std::make_unique<Parts>(store, std::move(api), options);
  parts_->pods.add_index("controller", controller_uid_index);
  parts_->pods.add_index("node", pod_node_index);
  parts_->pods.add_index("orphans", orphan_namespace_index);
  parts_->replicasets.add_index("controller", controller_uid_index);
  parts_->endpoint_slices.add_index("service", endpoint_slice_service_index);
}

ControllerManager::~ControllerManager() {
  stop();
}

void ControllerManager::start() {
  Parts& p = *parts_;
  p.events.start();
  for (Informer* informer : {&p.nodes, &p.leases, &p.pods, &p.replicasets, &p.deployments,
                             &p.services, &p.endpoints, &p.endpoint_slices}) {
    informer->start();
  }
  if (p.ingresses) p.ingresses->start();
  p.replicaset_controller.start(p.options.replicaset_workers);
  p.deployment_controller.start(p.options.deployment_workers);
  p.node_lifecycle.start(1);
  p.scheduler.start();
  p.endpoints_controller.start(p.options.endpoints_workers);
  p.node_ipam.start();
  if (p.servicelb) p.servicelb->start(1);
  if (p.ingress_status) p.ingress_status->start(1);
  if (p.ingress_class) p.ingress_class->start();
  p.started = true;
  log::info(
      "controllers started",
      {{"pods", p.pods.size()}, {"nodes", p.nodes.size()}, {"deployments", p.deployments.size()}});
}

void ControllerManager::start_kubernetes_service(ApiEndpoint endpoint) {
  parts_->kubernetes_service.start(std::move(endpoint));
}

void ControllerManager::stop() {
  if (!parts_) return;
  Parts& p = *parts_;
  if (p.ingress_class) p.ingress_class->stop();
  if (p.ingress_status) p.ingress_status->stop();
  if (p.servicelb) p.servicelb->stop();
  p.kubernetes_service.stop();
  p.node_ipam.stop();
  p.endpoints_controller.stop();
  p.scheduler.stop();
  p.node_lifecycle.stop();
  p.deployment_controller.stop();
  p.replicaset_controller.stop();
  for (Informer* informer : {&p.endpoint_slices, &p.endpoints, &p.services, &p.deployments,
                             &p.replicasets, &p.pods, &p.leases, &p.nodes}) {
    informer->stop();
  }
  if (p.ingresses) p.ingresses->stop();
  p.events.stop();
}

}  // namespace skiff::server
