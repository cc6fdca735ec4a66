#include "server/controllers/servicelb_controller.h"

#include "server/controllers/json_access.h"
#include "server/controllers/servicelb_decide.h"

namespace skiff::controllers {

namespace {

constexpr const char* kServiceLbController = "servicelb-controller";

const api::ResourceInfo& services_resource() {
  static const api::ResourceInfo& r = resource_of("v1", "Service");
  return r;
}

bool has_ingress(const Json& service) {
  const Json& ingress = json::at(service, {"status", "loadBalancer", "ingress"});
  return ingress.is_array() && !ingress.empty();
}

}  // namespace

ServiceLbController::ServiceLbController(Informer& services, Informer& nodes, Client& client,
                                         EventRecorder& events)
    : services_(services),
      nodes_(nodes),
      client_(client),
      events_(events),
      loop_("servicelb", [this](const std::string& key) { return sync(key); }) {
  services_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    const bool was = old && is_servicelb_service(*old);
    const bool is = current && is_servicelb_service(*current);
    if (was || is) {
      enqueue_all_load_balancers();
    }
    if (current && !is && has_ingress(*current)) loop_.enqueue(object_key(*current));
  });
  nodes_.add_handler([this](const ObjectPtr&, const ObjectPtr&) { enqueue_all_load_balancers(); });
}

void ServiceLbController::enqueue_all_load_balancers() {
  for (const auto& service : services_.list()) {
    if (is_servicelb_service(*service)) loop_.enqueue(object_key(*service));
  }
}

SyncResult ServiceLbController::sync(const std::string& key) {
  ObjectPtr service = services_.get(key);
  if (!service) return SyncResult::done();
  auto [namespace_name, name] = split_key(key);
  if (!is_servicelb_service(*service)) {
    // Only a service that left the LoadBalancer type has its leftover ingress cleared; one of
    // another class belongs to that class's controller.
    if (json::string_at(*service, {"spec", "type"}) != "LoadBalancer" && has_ingress(*service)) {
      Json patch = {{"status", {{"loadBalancer", {{"ingress", nullptr}}}}}};
      merge_patch(client_, services_resource(), namespace_name, name, patch, "status");
    }
    return SyncResult::done();
  }
  auto decisions = decide_load_balancers(services_.list(), nodes_.list());
  const LoadBalancerDecision& decision = decisions[key];
  Json ingress = Json::array();
  for (const auto& address : decision.ingress) ingress.push_back({{"ip", address}});
  const Json& stored = json::at(*service, {"status", "loadBalancer", "ingress"});
  const bool unchanged = ingress.empty() ? !has_ingress(*service) : stored == ingress;
  if (!unchanged) {
    Json patch = {
        {"status",
         {{"loadBalancer", {{"ingress", ingress.empty() ? Json(nullptr) : Json(ingress)}}}}}};
    merge_patch(client_, services_resource(), namespace_name, name, patch, "status");
  }
  if (!decision.conflict.empty()) {
    events_.record(*service, "Warning", "AllocationFailed",
                   "port " + decision.conflict + " is already used by LoadBalancer service " +
                       decision.holder + "; this service stays pending until it is free",
                   kServiceLbController);
  }
  return SyncResult::done();
}

}  // namespace skiff::controllers
