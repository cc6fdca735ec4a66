#include "server/controllers/kubernetes_service_controller.h"

#include "pkg/log/log.h"
#include "server/controllers/endpoints_compute.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {

namespace {

constexpr const char* kKey = "default/kubernetes";

const api::ResourceInfo& resource(const char* api_version, const char* kind) {
  return resource_of(api_version, kind);
}

Json metadata(const Json& labels) {
  return {{"name", "kubernetes"}, {"namespace", "default"}, {"labels", labels}};
}

// `desired` over `stored`'s identity, for a PUT guarded by its revision.
Json replacing(const Json& stored, Json desired) {
  for (const char* field : {"resourceVersion", "uid", "creationTimestamp", "annotations"}) {
    const Json& value = json::at(stored, {"metadata", field});
    if (!value.is_null()) desired["metadata"][field] = value;
  }
  return desired;
}

Json api_ports(const ApiEndpoint& endpoint) {
  return Json::array({{{"name", "https"}, {"port", endpoint.port}, {"protocol", "TCP"}}});
}

}  // namespace

Json kubernetes_service(const ApiEndpoint& endpoint) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", metadata({{"component", "apiserver"}, {"provider", "kubernetes"}})},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", endpoint.cluster_ip},
            {"sessionAffinity", "None"},
            {"ports", Json::array({{{"name", "https"},
                                    {"port", 443},
                                    {"protocol", "TCP"},
                                    {"targetPort", endpoint.port}}})}}}};
}

Json kubernetes_endpoints(const ApiEndpoint& endpoint) {
  return {{"apiVersion", "v1"},
          {"kind", "Endpoints"},
          {"metadata", metadata({{"endpointslice.kubernetes.io/skip-mirror", "true"}})},
          {"subsets", Json::array({{{"addresses", Json::array({{{"ip", endpoint.address}}})},
                                    {"ports", api_ports(endpoint)}}})}};
}

Json kubernetes_endpoint_slice(const ApiEndpoint& endpoint) {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata", metadata({{kServiceNameLabel, "kubernetes"}})},
          {"addressType", "IPv4"},
          {"endpoints", Json::array({{{"addresses", Json::array({endpoint.address})},
                                      {"conditions", {{"ready", true}}}}})},
          {"ports", api_ports(endpoint)}};
}

KubernetesServiceController::KubernetesServiceController(Informer& services, Informer& endpoints,
                                                         Informer& endpoint_slices, Client& client)
    : services_(services),
      endpoints_(endpoints),
      endpoint_slices_(endpoint_slices),
      client_(client),
      loop_("kubernetes-service", [this](const std::string& key) { return sync(key); }) {
  auto watch_ours = [this](const ObjectPtr& old, const ObjectPtr& current) {
    if (object_key(current ? *current : *old) == kKey) loop_.enqueue(kKey);
  };
  services_.add_handler(watch_ours);
  endpoints_.add_handler(watch_ours);
  endpoint_slices_.add_handler(watch_ours);
}

void KubernetesServiceController::start(ApiEndpoint endpoint) {
  endpoint_ = std::move(endpoint);
  loop_.start(1);
  loop_.enqueue(kKey);
}

SyncResult KubernetesServiceController::sync(const std::string&) {
  const Json service = kubernetes_service(endpoint_);
  if (ObjectPtr stored = services_.get(kKey); !stored) {
    create(client_, resource("v1", "Service"), service);
  } else {
    const std::string cluster_ip = json::string_at(*stored, {"spec", "clusterIP"});
    if (cluster_ip != endpoint_.cluster_ip) {
      log::warn("the kubernetes Service keeps its ClusterIP outside the expected one",
                {{"clusterIP", cluster_ip}, {"expected", endpoint_.cluster_ip}});
    }
    const bool right = json::at(*stored, {"spec", "ports"}) == service["spec"]["ports"] &&
                       json::string_at(*stored, {"spec", "type"}) == "ClusterIP" &&
                       json::at(*stored, {"spec", "selector"}).is_null();
    if (!right) {
      Json fixed = *stored;
      fixed["spec"]["type"] = "ClusterIP";
      fixed["spec"]["ports"] = service["spec"]["ports"];
      fixed["spec"].erase("selector");
      update(client_, resource("v1", "Service"), fixed);
    }
  }
  const Json endpoints = kubernetes_endpoints(endpoint_);
  if (ObjectPtr stored = endpoints_.get(kKey); !stored) {
    create(client_, resource("v1", "Endpoints"), endpoints);
  } else if (json::at(*stored, {"subsets"}) != endpoints["subsets"]) {
    update(client_, resource("v1", "Endpoints"), replacing(*stored, endpoints));
  }
  const Json slice = kubernetes_endpoint_slice(endpoint_);
  if (ObjectPtr stored = endpoint_slices_.get(kKey); !stored) {
    create(client_, resource("discovery.k8s.io/v1", "EndpointSlice"), slice);
  } else if (json::at(*stored, {"endpoints"}) != slice["endpoints"] ||
             json::at(*stored, {"ports"}) != slice["ports"]) {
    update(client_, resource("discovery.k8s.io/v1", "EndpointSlice"), replacing(*stored, slice));
  }
  return SyncResult::done();
}

}  // namespace skiff::controllers
