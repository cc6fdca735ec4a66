#include "server/controllers/ingress_status_controller.h"

#include "server/controllers/ingress_status.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {

namespace {

const api::ResourceInfo& ingresses_resource() {
  static const api::ResourceInfo& r = resource_of("networking.k8s.io/v1", "Ingress");
  return r;
}

}  // namespace

IngressStatusController::IngressStatusController(Informer& ingresses, Informer& nodes,
                                                 Client& client)
    : ingresses_(ingresses),
      nodes_(nodes),
      client_(client),
      loop_("ingress-status", [this](const std::string& key) { return sync(key); }) {
  ingresses_.add_handler([this](const ObjectPtr&, const ObjectPtr& current) {
    if (current && is_skiff_ingress(*current)) loop_.enqueue(object_key(*current));
  });
  nodes_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    if (node_change_matters(old.get(), current.get())) enqueue_all();
  });
}

void IngressStatusController::enqueue_all() {
  for (const auto& ingress : ingresses_.list())
    if (is_skiff_ingress(*ingress)) loop_.enqueue(object_key(*ingress));
}

SyncResult IngressStatusController::sync(const std::string& key) {
  ObjectPtr ingress = ingresses_.get(key);
  if (!ingress || !is_skiff_ingress(*ingress)) return SyncResult::done();
  if (!json::at(*ingress, {"metadata", "deletionTimestamp"}).is_null()) return SyncResult::done();
  auto patch = ingress_status_patch(*ingress, ingress_load_balancer_points(nodes_.list()));
  if (patch) {
    auto [namespace_name, name] = split_key(key);
    try {
      merge_patch(client_, ingresses_resource(), namespace_name, name, *patch, "status");
    } catch (const std::exception& error) {
      if (!is_api_error(error, 404)) throw;  // deleted meanwhile: nothing to write
    }
  }
  return SyncResult::done();
}

}  // namespace skiff::controllers
