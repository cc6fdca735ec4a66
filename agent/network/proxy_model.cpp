#include "agent/network/proxy_model.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace skiff::agent::network {
namespace {

using ServiceKey = std::pair<std::string, std::string>;  // namespace, name

// "a.b.c.d/n" with n in 0..32: the only shape written into the script.
bool is_ipv4_cidr(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos || slash + 1 >= text.size() || text.size() - slash > 3)
    return false;
  in_addr parsed{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &parsed) != 1) return false;
  int bits = 0;
  for (size_t i = slash + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    bits = bits * 10 + (text[i] - '0');
  }
  return bits <= 32;
}

// Reads every object of one list, keeping what parses and reporting the rest.
template <typename Parse>
void for_each_item(const Json& list, const char* what, std::vector<std::string>& problems,
                   Parse parse) {
  const Json* items = nullptr;
  try {
    items = &list_items(list, what);
  } catch (const ObjectError& error) {
    problems.push_back(error.what());
    return;
  }
  for (const Json& item : *items) {
    try {
      parse(item);
    } catch (const ObjectError& error) {
      problems.push_back(error.what());
    } catch (const Json::exception& error) {  // a shape the readers did not foresee
      problems.push_back(std::string(what) + ": unreadable object: " + error.what());
    }
  }
}

// The backends of one service port: addresses of every group that carries a port with the
// same name and protocol.
std::vector<Backend> resolve_backends(const ServicePortView& service_port,
                                      const std::vector<EndpointGroup>& groups) {
  std::vector<Backend> backends;
  for (const auto& group : groups) {
    const EndpointPortView* target = nullptr;
    for (const auto& port : group.ports)
      if (port.name == service_port.name && port.protocol == service_port.protocol) target = &port;
    if (!target) continue;
    for (const auto& address : group.addresses) {
      backends.push_back(Backend{address.ip, target->port, address.node_name, address.ready,
                                 address.serving, address.terminating});
    }
  }
  auto key = [](const Backend& b) { return std::tie(b.ip, b.port); };
  std::stable_sort(backends.begin(), backends.end(),
                   [&](const Backend& a, const Backend& b) { return key(a) < key(b); });
  // The same endpoint in two slices (a slice being replaced) counts once: the first seen.
  backends.erase(std::unique(backends.begin(), backends.end(),
                             [&](const Backend& a, const Backend& b) { return key(a) == key(b); }),
                 backends.end());
  return backends;
}

}  // namespace

ProxyModelBuild build_proxy_model(const ProxyModelInput& input) {
  ProxyModelBuild build;
  build.model.node_name = input.node_name;
  if (input.cluster_cidr.empty() || is_ipv4_cidr(input.cluster_cidr)) {
    build.model.cluster_cidr = input.cluster_cidr;
  } else {
    build.problems.push_back("cluster CIDR \"" + input.cluster_cidr +
                             "\" is not an IPv4 CIDR; ClusterIP traffic from off the pod network "
                             "is not masqueraded");
  }

  std::map<ServiceKey, std::vector<EndpointGroup>> from_slices;
  for_each_item(input.endpoint_slices, "endpointSlices", build.problems, [&](const Json& item) {
    EndpointGroup group = parse_endpoint_slice(item);
    from_slices[{group.namespace_name, group.service_name}].push_back(std::move(group));
  });
  std::map<ServiceKey, std::vector<EndpointGroup>> from_endpoints;
  for_each_item(input.endpoints, "endpoints", build.problems, [&](const Json& item) {
    for (auto& group : parse_endpoints(item))
      from_endpoints[{group.namespace_name, group.service_name}].push_back(std::move(group));
  });

  std::map<ServiceKey, bool> seen;
  for_each_item(input.services, "services", build.problems, [&](const Json& item) {
    ServiceView service = parse_service(item);
    ServiceKey key{service.namespace_name, service.name};
    if (std::exchange(seen[key], true))
      throw ObjectError("Service " + key.first + "/" + key.second + ": listed twice");
    if (!service.proxied) return;
    static const std::vector<EndpointGroup> kNone;
    auto slices = from_slices.find(key);
    auto endpoints = from_endpoints.find(key);
    const auto& groups = slices != from_slices.end()         ? slices->second
                         : endpoints != from_endpoints.end() ? endpoints->second
                                                             : kNone;
    for (const auto& service_port : service.ports) {
      ProxiedPort port;
      port.namespace_name = service.namespace_name;
      port.service_name = service.name;
      port.port_name = service_port.name;
      port.protocol = service_port.protocol;
      port.port = service_port.port;
      port.node_port = service_port.node_port;
      port.cluster_ips = service.cluster_ips;
      port.external_ips = service.external_ips;
      port.affinity_timeout_seconds = service.affinity_timeout_seconds;
      port.external_policy = service.external_policy;
      port.internal_policy = service.internal_policy;
      port.backends = resolve_backends(service_port, groups);
      build.model.ports.push_back(std::move(port));
    }
  });

  auto order = [](const ProxiedPort& p) {
    return std::tie(p.namespace_name, p.service_name, p.protocol, p.port);
  };
  std::sort(build.model.ports.begin(), build.model.ports.end(),
            [&](const ProxiedPort& a, const ProxiedPort& b) { return order(a) < order(b); });
  return build;
}

std::vector<Backend> usable_backends(const ProxiedPort& port, bool local_only,
                                     const std::string& node_name) {
  std::vector<Backend> ready;
  std::vector<Backend> draining;
  for (const auto& backend : port.backends) {
    if (local_only && (node_name.empty() || backend.node_name != node_name)) continue;
    if (backend.ready) {
      ready.push_back(backend);
    } else if (backend.serving && backend.terminating) {
      draining.push_back(backend);
    }
  }
  return ready.empty() ? draining : ready;
}

}  // namespace skiff::agent::network
