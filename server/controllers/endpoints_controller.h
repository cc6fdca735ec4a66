#pragma once
// The Endpoints and EndpointSlice controller: keeps, for every Service with a selector, the
// Endpoints object of the same name and its EndpointSlices equal to what endpoints_compute.h
// says the selected pods make.
//
// sync("<ns>/<service>"):
//   - the service is gone (or being deleted): the Endpoints we wrote (managed-by label) and our
//     slices are deleted;
//   - it has no selector (Endpoints written by hand, the `kubernetes` Service) or is an
//     ExternalName: left alone;
//   - otherwise the Endpoints and the slices are created, updated (with the resourceVersion
//     read, a 409 requeues) or deleted until they match. Unchanged objects are not written.
// Only slices labelled managed-by endpointslice-controller.k8s.io are ours to change.
#include <string>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

class EndpointsController {
 public:
  // Informers of Services, Pods, Endpoints and EndpointSlices; the slices informer must have
  // the index from endpoint_slice_service_index() named "service". All must outlive the
  // controller. Register before the informers start.
  EndpointsController(Informer& services, Informer& pods, Informer& endpoints,
                      Informer& endpoint_slices, Client& client);

  void start(int workers) { loop_.start(workers); }
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  void on_pod_change(const ObjectPtr& old, const ObjectPtr& current);
  void sync_endpoints(const std::string& key, const Json* desired);
  void sync_slices(const std::string& key, const std::vector<Json>& desired);

  Informer& services_;
  Informer& pods_;
  Informer& endpoints_;
  Informer& endpoint_slices_;
  Client& client_;
  ControllerLoop loop_;
};

// Index of EndpointSlices by "<namespace>/<kubernetes.io/service-name label>".
std::vector<std::string> endpoint_slice_service_index(const Json& slice);

}  // namespace skiff::controllers
