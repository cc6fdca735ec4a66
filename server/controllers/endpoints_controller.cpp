#include "server/controllers/endpoints_controller.h"

#include <set>

#include "server/controllers/endpoints_compute.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {

namespace {

const api::ResourceInfo& endpoints_resource() {
  static const api::ResourceInfo& r = resource_of("v1", "Endpoints");
  return r;
}
const api::ResourceInfo& endpoint_slices_resource() {
  static const api::ResourceInfo& r = resource_of("discovery.k8s.io/v1", "EndpointSlice");
  return r;
}

bool managed_by_us(const Json& slice) {
  return json::string_at(slice, {"metadata", "labels", kManagedByLabel}) ==
         kEndpointSliceController;
}

// The fields the controller owns, compared to decide whether to write.
bool same_endpoints(const Json& stored, const Json& desired) {
  return json::at(stored, {"subsets"}) == json::at(desired, {"subsets"}) &&
         json::at(stored, {"metadata", "labels"}) == json::at(desired, {"metadata", "labels"});
}
bool same_slice(const Json& stored, const Json& desired) {
  for (const char* field : {"addressType", "endpoints", "ports"}) {
    if (json::at(stored, {field}) != json::at(desired, {field})) return false;
  }
  return json::at(stored, {"metadata", "labels"}) == json::at(desired, {"metadata", "labels"});
}

// `desired` with the stored object's identity, ready for a PUT guarded by its revision.
Json replacing(const Json& stored, Json desired) {
  Json& metadata = desired["metadata"];
  const Json& old = stored.at("metadata");
  for (const char* field : {"resourceVersion", "uid", "creationTimestamp", "annotations",
                            "finalizers", "ownerReferences"}) {
    if (old.contains(field) && !metadata.contains(field)) metadata[field] = old[field];
  }
  metadata["resourceVersion"] = old.value("resourceVersion", "");
  return desired;
}

}  // namespace

std::vector<std::string> endpoint_slice_service_index(const Json& slice) {
  const std::string service = json::string_at(slice, {"metadata", "labels", kServiceNameLabel});
  if (service.empty()) return {};
  return {json::string_at(slice, {"metadata", "namespace"}) + "/" + service};
}

EndpointsController::EndpointsController(Informer& services, Informer& pods, Informer& endpoints,
                                         Informer& endpoint_slices, Client& client)
    : services_(services),
      pods_(pods),
      endpoints_(endpoints),
      endpoint_slices_(endpoint_slices),
      client_(client),
      loop_("endpoints", [this](const std::string& key) { return sync(key); }) {
  services_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    loop_.enqueue(object_key(current ? *current : *old));
  });
  // Someone changed or deleted what we keep: put it back.
  endpoints_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    loop_.enqueue(object_key(current ? *current : *old));
  });
  endpoint_slices_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    for (const auto& key : endpoint_slice_service_index(current ? *current : *old))
      loop_.enqueue(key);
  });
  pods_.add_handler(
      [this](const ObjectPtr& old, const ObjectPtr& current) { on_pod_change(old, current); });
}

void EndpointsController::on_pod_change(const ObjectPtr& old, const ObjectPtr& current) {
  // Every service that selected the pod before or selects it now.
  const Json& any = current ? *current : *old;
  for (const auto& service : services_.list(json::string_at(any, {"metadata", "namespace"}))) {
    if ((old && service_selects(*service, *old)) ||
        (current && service_selects(*service, *current)))
      loop_.enqueue(object_key(*service));
  }
}

SyncResult EndpointsController::sync(const std::string& key) {
  ObjectPtr service = services_.get(key);
  if (!service || !json::at(*service, {"metadata", "deletionTimestamp"}).is_null()) {
    sync_endpoints(key, nullptr);
    sync_slices(key, {});
    return SyncResult::done();
  }
  const Json& selector = json::at(*service, {"spec", "selector"});
  if (!selector.is_object() || selector.empty() ||
      json::string_at(*service, {"spec", "type"}) == "ExternalName")
    return SyncResult::done();
  const auto pods = pods_.list(json::string_at(*service, {"metadata", "namespace"}));
  const Json endpoints = compute_endpoints(*service, pods);
  sync_endpoints(key, &endpoints);
  sync_slices(key, compute_endpoint_slices(*service, pods));
  return SyncResult::done();
}

void EndpointsController::sync_endpoints(const std::string& key, const Json* desired) {
  ObjectPtr stored = endpoints_.get(key);
  auto [namespace_name, name] = split_key(key);
  if (!desired) {
    if (stored && json::string_at(*stored, {"metadata", "labels", kEndpointsManagedByLabel}) ==
                      kEndpointsController)
      remove(client_, endpoints_resource(), namespace_name, name,
             json::string_at(*stored, {"metadata", "uid"}));
    return;
  }
  if (!stored) {
    create(client_, endpoints_resource(), *desired);
  } else if (!same_endpoints(*stored, *desired)) {
    update(client_, endpoints_resource(), replacing(*stored, *desired));
  }
}

void EndpointsController::sync_slices(const std::string& key, const std::vector<Json>& desired) {
  auto namespace_name = split_key(key).first;
  std::set<std::string> wanted;
  for (const auto& slice : desired) {
    const std::string name = json::string_at(slice, {"metadata", "name"});
    wanted.insert(name);
    ObjectPtr stored = endpoint_slices_.get(namespace_name, name);
    if (!stored) {
      create(client_, endpoint_slices_resource(), slice);
    } else if (!same_slice(*stored, slice)) {
      update(client_, endpoint_slices_resource(), replacing(*stored, slice));
    }
  }
  for (const auto& stored : endpoint_slices_.by_index("service", key)) {
    const std::string name = json::string_at(*stored, {"metadata", "name"});
    if (managed_by_us(*stored) && !wanted.count(name))
      remove(client_, endpoint_slices_resource(), namespace_name, name,
             json::string_at(*stored, {"metadata", "uid"}));
  }
}

}  // namespace skiff::controllers
