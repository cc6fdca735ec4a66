// Building a ClusterRecords snapshot from Services and EndpointSlices.
#include <algorithm>

#include "agent/dns/cluster_records.h"
#include "agent/dns/dns_names.h"
#include "pkg/util/ipv4.h"

namespace skiff::agent::dns {
namespace {

const Json& items(const Json& list) {
  static const Json kEmpty = Json::array();
  if (list.is_array()) return list;
  if (list.is_object() && list.contains("items") && list["items"].is_array()) return list["items"];
  return kEmpty;
}

std::string text(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

const Json& field(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

std::optional<uint16_t> port_number(const Json& port) {
  const Json& number = field(port, "port");
  if (!number.is_number_integer()) return std::nullopt;
  const auto value = number.get<int64_t>();
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string protocol_of(const Json& port) {
  const std::string protocol = lower(text(port, "protocol"));
  return protocol.empty() ? "tcp" : protocol;
}

// The first IPv4 address among spec.clusterIP and spec.clusterIPs (0 when none).
uint32_t first_cluster_ip(const Json& spec) {
  std::vector<std::string> candidates{text(spec, "clusterIP")};
  const Json& ips = field(spec, "clusterIPs");
  if (ips.is_array())
    for (const auto& ip : ips)
      if (ip.is_string()) candidates.push_back(ip.get<std::string>());
  for (const auto& candidate : candidates)
    if (auto ip = util::parse_ipv4(candidate)) return *ip;
  return 0;
}

}  // namespace

ClusterRecords::ClusterRecords(const Json& services, const Json& endpoint_slices,
                               std::string domain, uint32_t serial)
    : domain_(lower(trim_dots(domain))), serial_(serial) {
  if (domain_.empty()) domain_ = "cluster.local";
  for (const auto& service : items(services)) add_service(service);
  for (const auto& slice : items(endpoint_slices)) add_slice(slice);
  for (const auto& [key, service] : services_) {
    const std::string fqdn = key + ".svc." + domain_;
    if (service.kind == Service::Kind::ClusterIp && service.cluster_ip != 0)
      reverse_.emplace(service.cluster_ip, fqdn);
    if (service.kind == Service::Kind::Headless)
      for (const auto& endpoint : service.endpoints)
        reverse_.emplace(endpoint.ip, endpoint.hostname + "." + fqdn);
  }
}

void ClusterRecords::add_service(const Json& object) {
  const Json& metadata = field(object, "metadata");
  const Json& spec = field(object, "spec");
  const std::string name = lower(text(metadata, "name"));
  std::string namespace_name = lower(text(metadata, "namespace"));
  if (namespace_name.empty()) namespace_name = "default";
  if (!is_label(name) || !is_label(namespace_name)) return;

  Service service;
  if (text(spec, "type") == "ExternalName") {
    service.kind = Service::Kind::ExternalName;
    service.external_name = lower(trim_dots(text(spec, "externalName")));
    if (!is_domain_name(service.external_name)) return;
  } else if (text(spec, "clusterIP") == "None") {
    service.kind = Service::Kind::Headless;
  } else {
    service.cluster_ip = first_cluster_ip(spec);  // 0 while unallocated: the name exists, no A
  }
  const Json& ports = field(spec, "ports");
  if (ports.is_array()) {
    for (const auto& port : ports) {
      auto number = port_number(port);
      if (!number) continue;
      service.ports.push_back({lower(text(port, "name")), protocol_of(port), *number});
    }
  }
  service.publish_not_ready = field(spec, "publishNotReadyAddresses") == true;
  services_[name + "." + namespace_name] = std::move(service);
  ++namespaces_[namespace_name];
}

void ClusterRecords::add_slice(const Json& slice) {
  const Json& metadata = field(slice, "metadata");
  const std::string service_name =
      lower(text(field(metadata, "labels"), "kubernetes.io/service-name"));
  std::string namespace_name = lower(text(metadata, "namespace"));
  if (namespace_name.empty()) namespace_name = "default";
  const std::string key = service_name + "." + namespace_name;
  auto found = services_.find(key);
  if (found == services_.end() || found->second.kind == Service::Kind::ExternalName) return;
  const std::string address_type = text(slice, "addressType");
  if (!address_type.empty() && address_type != "IPv4") return;
  Service& service = found->second;

  auto ports = std::make_shared<std::map<std::string, uint16_t>>();
  const Json& slice_ports = field(slice, "ports");
  if (slice_ports.is_array())
    for (const auto& port : slice_ports)
      if (auto number = port_number(port))
        (*ports)[lower(text(port, "name")) + "/" + protocol_of(port)] = *number;

  const Json& endpoints = field(slice, "endpoints");
  if (!endpoints.is_array()) return;
  for (const auto& endpoint : endpoints) {
    const Json& ready = field(field(endpoint, "conditions"), "ready");
    if (ready == false && !service.publish_not_ready)
      continue;  // absent means ready (API contract)
    const Json& addresses = field(endpoint, "addresses");
    if (!addresses.is_array()) continue;
    const std::string hostname = lower(text(endpoint, "hostname"));
    for (const auto& address : addresses) {
      auto ip = address.is_string() ? util::parse_ipv4(address.get<std::string>()) : std::nullopt;
      if (!ip) continue;
      const bool known = std::any_of(service.endpoints.begin(), service.endpoints.end(),
                                     [&](const Endpoint& e) { return e.ip == *ip; });
      if (known) continue;  // slices overlap while the controller moves endpoints
      Endpoint entry{*ip, is_label(hostname) ? hostname : dashed_ipv4(*ip), ports};
      service.endpoints.push_back(std::move(entry));
    }
  }
}

}  // namespace skiff::agent::dns
