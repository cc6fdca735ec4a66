// Defaulting per kind, mirroring k8s.io/kubernetes/pkg/apis/*/v1/defaults.go plus the defaults
// that Kubernetes' always-on admission plugins add to Pods (ServiceAccount, Priority,
// DefaultTolerationSeconds). Only fields that are absent (or null) are filled, so defaulting is
// idempotent and never overrides what a user wrote. Malformed subtrees (a string where an object
// belongs) are left alone: validation reports them.
#include "pkg/api/defaults.h"

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "pkg/api/base64.h"

namespace skiff::api {

namespace {

bool absent(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null();
}

// Whether a default is a string (a string field also defaults when it is "").
bool is_string_default(const Json& value) {
  return value.is_string();
}
template <typename Value>
constexpr bool is_string_default(const Value&) {
  return std::is_convertible_v<const Value&, std::string_view>;
}

// Like Kubernetes' Go defaulting: pointer fields default when nil, string fields also when "".
// One lookup, and the default is made into a Json only when it is used: a pod's create sets
// some forty of them, most of them absent.
template <typename Value>
void set_default(Json& object, const char* key, Value&& value) {
  if (!object.is_object()) return;
  auto it = object.find(key);
  if (it == object.end()) {
    object.emplace(key, std::forward<Value>(value));
    return;
  }
  const bool empty_string = is_string_default(value) && it->is_string() &&
                            it->template get_ref<const std::string&>().empty();
  if (it->is_null() || empty_string) *it = std::forward<Value>(value);
}

// Calls fn on every object element of object[key] when it is a list.
template <typename Fn>
void for_each_in(Json& object, const char* key, Fn fn) {
  if (!object.is_object()) return;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return;
  for (auto& element : *it) {
    if (element.is_object()) fn(element);
  }
}

Json* child_object(Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

// "nginx" and "nginx:latest" pull Always; any other tag or a digest pulls IfNotPresent.
std::string pull_policy_for(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag) return "Always";
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void default_probe(Json& probe) {
  set_default(probe, "timeoutSeconds", 1);
  set_default(probe, "periodSeconds", 10);
  set_default(probe, "successThreshold", 1);
  set_default(probe, "failureThreshold", 3);
  if (Json* http = child_object(probe, "httpGet")) set_default(*http, "scheme", "HTTP");
}

void default_env(Json& container) {
  for_each_in(container, "env", [](Json& env) {
    Json* from = child_object(env, "valueFrom");
    if (!from) return;
    if (Json* field_ref = child_object(*from, "fieldRef")) {
      set_default(*field_ref, "apiVersion", "v1");
    }
    if (Json* resource_ref = child_object(*from, "resourceFieldRef")) {
      set_default(*resource_ref, "divisor", "0");
    }
  });
}

void default_container(Json& container) {
  set_default(container, "terminationMessagePath", "/dev/termination-log");
  set_default(container, "terminationMessagePolicy", "File");
  if (absent(container, "imagePullPolicy")) {
    auto image = container.find("image");
    if (image != container.end() && image->is_string()) {
      container["imagePullPolicy"] = pull_policy_for(image->get<std::string>());
    }
  }
  set_default(container, "resources", Json::object());
  for_each_in(container, "ports", [](Json& port) { set_default(port, "protocol", "TCP"); });
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (Json* p = child_object(container, probe)) default_probe(*p);
  }
  default_env(container);
}

void default_volume(Json& volume) {
  for (const char* source : {"configMap", "secret"}) {
    if (Json* v = child_object(volume, source)) set_default(*v, "defaultMode", 420);
  }
  if (Json* projected = child_object(volume, "projected")) {
    set_default(*projected, "defaultMode", 420);
  }
  if (Json* host_path = child_object(volume, "hostPath")) set_default(*host_path, "type", "");
}

// SetDefaults_PodSpec and the per-container defaults; shared by Pods and pod templates.
void default_pod_spec(Json& spec) {
  if (!spec.is_object()) return;
  set_default(spec, "restartPolicy", "Always");
  set_default(spec, "terminationGracePeriodSeconds", 30);
  set_default(spec, "dnsPolicy", "ClusterFirst");
  set_default(spec, "schedulerName", "default-scheduler");
  set_default(spec, "securityContext", Json::object());
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    for_each_in(spec, list, default_container);
  }
  for_each_in(spec, "volumes", default_volume);
}

// A limit without a request makes the request equal to the limit (SetDefaults_Pod).
void default_requests_from_limits(Json& container) {
  Json* resources = child_object(container, "resources");
  if (!resources) return;
  Json* limits = child_object(*resources, "limits");
  if (!limits || limits->empty()) return;
  if (absent(*resources, "requests")) (*resources)["requests"] = Json::object();
  Json& requests = (*resources)["requests"];
  if (!requests.is_object()) return;
  for (const auto& [name, value] : limits->items()) {
    if (!requests.contains(name)) requests[name] = value;
  }
}

bool tolerates(const Json& tolerations, const std::string& key) {
  if (!tolerations.is_array()) return false;
  for (const auto& t : tolerations) {
    if (!t.is_object()) continue;
    std::string k = t.value("key", "");
    std::string effect = t.value("effect", "");
    if ((k == key || k.empty()) && (effect == "NoExecute" || effect.empty())) return true;
  }
  return false;
}

void default_pod(Json& pod) {
  Json* spec = child_object(pod, "spec");
  if (!spec) return;
  default_pod_spec(*spec);
  for (const char* list : {"containers", "initContainers"}) {
    for_each_in(*spec, list, default_requests_from_limits);
  }
  set_default(*spec, "enableServiceLinks", true);
  // With the host's network, a container port is also a host port.
  if (auto host_network = spec->find("hostNetwork");
      host_network != spec->end() && *host_network == true) {
    for_each_in(*spec, "containers", [](Json& container) {
      for_each_in(container, "ports", [](Json& port) {
        if (absent(port, "hostPort") || port["hostPort"] == 0) {
          if (port.contains("containerPort")) port["hostPort"] = port["containerPort"];
        }
      });
    });
  }
  // Admission plugins: ServiceAccount, Priority, DefaultTolerationSeconds.
  set_default(*spec, "serviceAccountName", "default");
  set_default(*spec, "serviceAccount", (*spec)["serviceAccountName"]);
  if (absent(*spec, "priorityClassName")) set_default(*spec, "priority", 0);
  set_default(*spec, "preemptionPolicy", "PreemptLowerPriority");
  if (absent(*spec, "tolerations")) (*spec)["tolerations"] = Json::array();
  Json& tolerations = (*spec)["tolerations"];
  if (tolerations.is_array()) {
    for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
      if (!tolerates(tolerations, key)) {
        tolerations.push_back({{"key", key},
                               {"operator", "Exists"},
                               {"effect", "NoExecute"},
                               {"tolerationSeconds", 300}});
      }
    }
  }
  set_default(pod, "status", Json::object());
  if (pod["status"].is_object()) set_default(pod["status"], "phase", "Pending");
}

void default_template(Json& workload_spec) {
  Json* template_ = child_object(workload_spec, "template");
  if (!template_) return;
  if (Json* spec = child_object(*template_, "spec")) default_pod_spec(*spec);
}

void default_deployment(Json& deployment) {
  Json* spec = child_object(deployment, "spec");
  if (!spec) return;
  set_default(*spec, "replicas", 1);
  set_default(*spec, "strategy", Json::object());
  if (Json* strategy = child_object(*spec, "strategy")) {
    set_default(*strategy, "type", "RollingUpdate");
    if ((*strategy)["type"] == "RollingUpdate") {
      set_default(*strategy, "rollingUpdate", Json::object());
      if (Json* rolling = child_object(*strategy, "rollingUpdate")) {
        set_default(*rolling, "maxUnavailable", "25%");
        set_default(*rolling, "maxSurge", "25%");
      }
    }
  }
  set_default(*spec, "revisionHistoryLimit", 10);
  set_default(*spec, "progressDeadlineSeconds", 600);
  default_template(*spec);
}

void default_replicaset(Json& replicaset) {
  Json* spec = child_object(replicaset, "spec");
  if (!spec) return;
  set_default(*spec, "replicas", 1);
  default_template(*spec);
}

void default_service(Json& service) {
  Json* spec = child_object(service, "spec");
  if (!spec) return;
  set_default(*spec, "type", "ClusterIP");
  set_default(*spec, "sessionAffinity", "None");
  const Json type = (*spec)["type"];
  for_each_in(*spec, "ports", [](Json& port) {
    set_default(port, "protocol", "TCP");
    if (absent(port, "targetPort") || port["targetPort"] == 0 || port["targetPort"] == "") {
      if (port.contains("port")) port["targetPort"] = port["port"];
    }
  });
  if (type != "ExternalName") {
    set_default(*spec, "ipFamilies", Json::array({"IPv4"}));
    set_default(*spec, "ipFamilyPolicy", "SingleStack");
    set_default(*spec, "internalTrafficPolicy", "Cluster");
  }
  // clusterIPs mirrors clusterIP once the API server has allocated one (or "None").
  if (auto ip = spec->find("clusterIP"); ip != spec->end() && ip->is_string() && *ip != "") {
    set_default(*spec, "clusterIPs", Json::array({*ip}));
  }
  if (type == "NodePort" || type == "LoadBalancer") {
    set_default(*spec, "externalTrafficPolicy", "Cluster");
  }
  if (type == "LoadBalancer") set_default(*spec, "allocateLoadBalancerNodePorts", true);
  if ((*spec)["sessionAffinity"] == "ClientIP") {
    set_default(*spec, "sessionAffinityConfig", Json{{"clientIP", {{"timeoutSeconds", 10800}}}});
  }
}

void default_namespace(Json& ns) {
  set_default(ns, "spec", Json::object());
  if (Json* spec = child_object(ns, "spec")) {
    set_default(*spec, "finalizers", Json::array({"kubernetes"}));
  }
  set_default(ns, "status", Json::object());
  if (Json* status = child_object(ns, "status")) set_default(*status, "phase", "Active");
  // Kubernetes labels every namespace with its own name (immutable, for namespace selectors).
  Json* metadata = child_object(ns, "metadata");
  if (metadata && metadata->contains("name") && (*metadata)["name"].is_string()) {
    set_default(*metadata, "labels", Json::object());
    if (Json* labels = child_object(*metadata, "labels")) {
      (*labels)["kubernetes.io/metadata.name"] = (*metadata)["name"];
    }
  }
}

// Kubernetes never stores stringData: it is written into data (base64) on every write, with
// stringData winning over data for the same key.
void fold_string_data(Json& secret) {
  auto it = secret.find("stringData");
  if (it == secret.end()) return;
  if (it->is_object()) {
    if (absent(secret, "data")) secret["data"] = Json::object();
    Json& data = secret["data"];
    if (!data.is_object()) return;  // validation reports it
    for (const auto& [key, value] : it->items()) {
      if (value.is_string()) data[key] = base64_encode(value.get<std::string>());
    }
  } else if (!it->is_null()) {
    return;
  }
  secret.erase("stringData");
}

void default_endpoint_ports(Json& endpoints) {
  for_each_in(endpoints, "subsets", [](Json& subset) {
    for_each_in(subset, "ports", [](Json& port) { set_default(port, "protocol", "TCP"); });
  });
}

}  // namespace

void apply_defaults(const ResourceInfo& resource, Json& object) {
  if (!object.is_object()) return;
  const std::string& kind = resource.kind;
  if (kind == "Pod") {
    default_pod(object);
  } else if (kind == "Deployment") {
    default_deployment(object);
  } else if (kind == "ReplicaSet") {
    default_replicaset(object);
  } else if (kind == "Service") {
    default_service(object);
  } else if (kind == "Secret") {
    set_default(object, "type", "Opaque");
    fold_string_data(object);
  } else if (kind == "Namespace") {
    default_namespace(object);
  } else if (kind == "Endpoints") {
    default_endpoint_ports(object);
  } else if (kind == "EndpointSlice") {
    for_each_in(object, "ports", [](Json& port) { set_default(port, "protocol", "TCP"); });
  }
}

}  // namespace skiff::api
