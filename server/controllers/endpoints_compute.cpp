#include "server/controllers/endpoints_compute.h"

#include <algorithm>
#include <map>

#include "server/controllers/json_access.h"
#include "server/controllers/ownership.h"

namespace skiff::controllers {

namespace {

bool is_ready(const Json& pod) {
  const Json& conditions = json::at(pod, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const auto& condition : conditions) {
    if (condition.is_object() && condition.value("type", "") == "Ready")
      return condition.value("status", "") == "True";
  }
  return false;
}

bool is_terminating(const Json& pod) {
  return !json::at(pod, {"metadata", "deletionTimestamp"}).is_null();
}

// A pod that may serve at all: selected, has an IP, has not finished.
bool is_candidate(const Json& service, const Json& pod) {
  if (!service_selects(service, pod)) return false;
  if (json::string_at(pod, {"status", "podIP"}).empty()) return false;
  const std::string phase = json::string_at(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed";
}

Json target_ref(const Json& pod) {
  return {{"kind", "Pod"},
          {"namespace", json::string_at(pod, {"metadata", "namespace"})},
          {"name", json::string_at(pod, {"metadata", "name"})},
          {"uid", json::string_at(pod, {"metadata", "uid"})}};
}

// The service ports resolved for one pod, as EndpointPorts (name only when the service port
// has one). `all_named` adds "name": "" as EndpointSlice ports carry it.
Json resolved_ports(const Json& service, const Json& pod, bool all_named) {
  Json ports = Json::array();
  const Json& service_ports = json::at(service, {"spec", "ports"});
  if (!service_ports.is_array()) return ports;
  for (const auto& service_port : service_ports) {
    auto number = resolve_target_port(service_port, pod);
    if (!number) continue;
    Json port = {{"port", *number}, {"protocol", service_port.value("protocol", "TCP")}};
    const std::string name = service_port.value("name", "");
    if (!name.empty() || all_named) port["name"] = name;
    if (service_port.contains("appProtocol")) port["appProtocol"] = service_port["appProtocol"];
    ports.push_back(std::move(port));
  }
  return ports;
}

bool has_service_ports(const Json& service) {
  const Json& ports = json::at(service, {"spec", "ports"});
  return ports.is_array() && !ports.empty();
}

// The hostname a pod publishes for this service (spec.hostname when spec.subdomain names it).
std::string pod_hostname(const Json& service, const Json& pod) {
  if (json::string_at(pod, {"spec", "subdomain"}) != json::string_at(service, {"metadata", "name"}))
    return "";
  return json::string_at(pod, {"spec", "hostname"});
}

std::vector<const Json*> sorted_by_name(const std::vector<store::ObjectPtr>& pods) {
  std::vector<const Json*> out;
  for (const auto& pod : pods) out.push_back(pod.get());
  std::sort(out.begin(), out.end(), [](const Json* a, const Json* b) {
    return json::string_at(*a, {"metadata", "name"}) < json::string_at(*b, {"metadata", "name"});
  });
  return out;
}

Json copied_labels(const Json& service) {
  const Json& labels = json::at(service, {"metadata", "labels"});
  return labels.is_object() ? labels : Json::object();
}

// A short stable name part for a port set: FNV-1a over its JSON, in the name-suffix alphabet.
std::string port_set_suffix(const std::string& key) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += kAlphabet[hash % (sizeof(kAlphabet) - 1)];
    hash /= sizeof(kAlphabet) - 1;
  }
  return out;
}

bool by_ip(const Json& a, const Json& b) {
  return a.value("ip", "") < b.value("ip", "");
}

}  // namespace

std::optional<int64_t> resolve_target_port(const Json& service_port, const Json& pod) {
  const Json& target = json::at(service_port, {"targetPort"});
  if (target.is_number_integer() && target.get<int64_t>() != 0) return target.get<int64_t>();
  if (!target.is_string() || target.get<std::string>().empty()) {
    const Json& port = json::at(service_port, {"port"});
    if (port.is_number_integer()) return port.get<int64_t>();
    return std::nullopt;
  }
  const std::string name = target.get<std::string>();
  const std::string protocol = service_port.value("protocol", "TCP");
  const Json& containers = json::at(pod, {"spec", "containers"});
  if (!containers.is_array()) return std::nullopt;
  for (const auto& container : containers) {
    const Json& ports = json::at(container, {"ports"});
    if (!ports.is_array()) continue;
    for (const auto& port : ports) {
      if (port.is_object() && port.value("name", "") == name &&
          port.value("protocol", "TCP") == protocol && port.contains("containerPort") &&
          port["containerPort"].is_number_integer())
        return port["containerPort"].get<int64_t>();
    }
  }
  return std::nullopt;
}

bool service_selects(const Json& service, const Json& pod) {
  const Json& selector = json::at(service, {"spec", "selector"});
  if (!selector.is_object() || selector.empty()) return false;
  const Json& labels = json::at(pod, {"metadata", "labels"});
  if (!labels.is_object()) return false;
  for (const auto& [key, value] : selector.items()) {
    auto it = labels.find(key);
    if (it == labels.end() || *it != value) return false;
  }
  return true;
}

Json compute_endpoints(const Json& service, const std::vector<store::ObjectPtr>& pods) {
  const bool publish_not_ready = json::at(service, {"spec", "publishNotReadyAddresses"}) == true;
  // Resolved ports (as JSON text) -> the subset being built.
  std::map<std::string, Json> subsets;
  for (const Json* pod : sorted_by_name(pods)) {
    if (!is_candidate(service, *pod)) continue;
    if (is_terminating(*pod) && !publish_not_ready) continue;
    Json ports = resolved_ports(service, *pod, false);
    if (ports.empty() && has_service_ports(service)) continue;
    Json address = {{"ip", json::string_at(*pod, {"status", "podIP"})},
                    {"targetRef", target_ref(*pod)}};
    const std::string node = json::string_at(*pod, {"spec", "nodeName"});
    if (!node.empty()) address["nodeName"] = node;
    if (auto hostname = pod_hostname(service, *pod); !hostname.empty())
      address["hostname"] = hostname;
    const std::string key = ports.dump();
    Json& subset = subsets[key];
    if (subset.is_null() && !ports.empty()) subset["ports"] = std::move(ports);
    const bool ready = publish_not_ready || is_ready(*pod);
    subset[ready ? "addresses" : "notReadyAddresses"].push_back(std::move(address));
  }
  Json labels = copied_labels(service);
  if (json::string_at(service, {"spec", "clusterIP"}) == "None")
    labels["service.kubernetes.io/headless"] = "";
  labels[kEndpointsManagedByLabel] = kEndpointsController;
  Json endpoints = {{"apiVersion", "v1"},
                    {"kind", "Endpoints"},
                    {"metadata",
                     {{"name", json::string_at(service, {"metadata", "name"})},
                      {"namespace", json::string_at(service, {"metadata", "namespace"})}}}};
  endpoints["metadata"]["labels"] = std::move(labels);
  if (!subsets.empty()) {
    Json list = Json::array();
    for (auto& [key, subset] : subsets) {
      for (const char* field : {"addresses", "notReadyAddresses"}) {
        if (subset.contains(field)) std::sort(subset[field].begin(), subset[field].end(), by_ip);
      }
      list.push_back(std::move(subset));
    }
    endpoints["subsets"] = std::move(list);
  }
  return endpoints;
}

std::vector<Json> compute_endpoint_slices(const Json& service,
                                          const std::vector<store::ObjectPtr>& pods) {
  const bool publish_not_ready = json::at(service, {"spec", "publishNotReadyAddresses"}) == true;
  std::map<std::string, std::pair<Json, std::vector<Json>>> groups;  // ports text -> (ports, eps)
  for (const Json* pod : sorted_by_name(pods)) {
    if (!is_candidate(service, *pod)) continue;
    Json ports = resolved_ports(service, *pod, true);
    if (ports.empty() && has_service_ports(service)) continue;
    const bool serving = is_ready(*pod);
    const bool terminating = is_terminating(*pod);
    Json endpoint = {{"addresses", Json::array({json::string_at(*pod, {"status", "podIP"})})},
                     {"conditions",
                      {{"ready", publish_not_ready || (serving && !terminating)},
                       {"serving", serving},
                       {"terminating", terminating}}},
                     {"targetRef", target_ref(*pod)}};
    const std::string node = json::string_at(*pod, {"spec", "nodeName"});
    if (!node.empty()) endpoint["nodeName"] = node;
    if (auto hostname = pod_hostname(service, *pod); !hostname.empty())
      endpoint["hostname"] = hostname;
    auto& group = groups[ports.dump()];
    group.first = std::move(ports);
    group.second.push_back(std::move(endpoint));
  }
  const std::string service_name = json::string_at(service, {"metadata", "name"});
  Json labels = copied_labels(service);
  labels[kServiceNameLabel] = service_name;
  labels[kManagedByLabel] = kEndpointSliceController;
  auto make_slice = [&](const std::string& name, Json ports, Json endpoints) {
    Json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                  {"kind", "EndpointSlice"},
                  {"metadata",
                   {{"name", name},
                    {"namespace", json::string_at(service, {"metadata", "namespace"})},
                    {"labels", labels},
                    {"ownerReferences", Json::array({controller_reference(service)})}}},
                  {"addressType", "IPv4"},
                  {"endpoints", std::move(endpoints)}};
    if (!ports.is_null()) slice["ports"] = std::move(ports);
    return slice;
  };
  std::vector<Json> slices;
  if (groups.empty()) {
    slices.push_back(make_slice(service_name + "-" + port_set_suffix(""), Json(), Json::array()));
    return slices;
  }
  for (auto& [key, group] : groups) {
    auto& [ports, endpoints] = group;
    std::sort(endpoints.begin(), endpoints.end(), [](const Json& a, const Json& b) {
      return a["addresses"][0].get<std::string>() < b["addresses"][0].get<std::string>();
    });
    const std::string base = service_name + "-" + port_set_suffix(key);
    for (size_t start = 0, part = 0; start < endpoints.size();
         start += kMaxEndpointsPerSlice, ++part) {
      size_t end = std::min(endpoints.size(), start + kMaxEndpointsPerSlice);
      Json chunk = Json::array();
      for (size_t i = start; i < end; ++i) chunk.push_back(endpoints[i]);
      slices.push_back(make_slice(part == 0 ? base : base + "-" + std::to_string(part), ports,
                                  std::move(chunk)));
    }
  }
  return slices;
}

}  // namespace skiff::controllers
