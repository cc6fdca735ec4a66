#include "agent/network/service_objects.h"

#include <arpa/inet.h>

#include <cstdint>

#include "pkg/api/validation.h"

namespace skiff::agent::network {
namespace {

// Members that are absent or null read as absent, as in the API's Go structs.
const Json* member_or_null(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

// Errors name the object ("Service default/web") and the field path inside it.
class Reader {
 public:
  explicit Reader(std::string object) : object_(std::move(object)) {}
  void rename(std::string object) { object_ = std::move(object); }

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw ObjectError(object_ + ": " + path + ": " + message);
  }

  const Json& object_at(const Json& parent, const char* key, const std::string& path) const {
    static const Json kEmpty = Json::object();
    const Json* value = member_or_null(parent, key);
    if (!value) return kEmpty;
    if (!value->is_object()) fail(path, "must be an object");
    return *value;
  }
  const Json& array_at(const Json& parent, const char* key, const std::string& path) const {
    static const Json kEmpty = Json::array();
    const Json* value = member_or_null(parent, key);
    if (!value) return kEmpty;
    if (!value->is_array()) fail(path, "must be a list");
    return *value;
  }
  std::string string_at(const Json& parent, const char* key, const std::string& path,
                        std::string fallback = "") const {
    const Json* value = member_or_null(parent, key);
    if (!value) return fallback;
    if (!value->is_string()) fail(path, "must be a string");
    return value->get<std::string>();
  }
  int64_t int_at(const Json& parent, const char* key, const std::string& path,
                 int64_t fallback) const {
    const Json* value = member_or_null(parent, key);
    if (!value) return fallback;
    if (!value->is_number_integer()) fail(path, "must be an integer");
    return value->get<int64_t>();
  }
  std::optional<bool> bool_at(const Json& parent, const char* key, const std::string& path) const {
    const Json* value = member_or_null(parent, key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) fail(path, "must be true or false");
    return value->get<bool>();
  }

  int port_at(const Json& parent, const char* key, const std::string& path, bool required) const {
    int64_t value = int_at(parent, key, path, 0);
    if (value == 0 && !required) return 0;
    if (value < 1 || value > 65535) fail(path, "must be between 1 and 65535");
    return static_cast<int>(value);
  }

  Protocol protocol_at(const Json& parent, const std::string& path) const {
    std::string value = string_at(parent, "protocol", path, "TCP");
    if (value == "TCP") return Protocol::Tcp;
    if (value == "UDP") return Protocol::Udp;
    if (value == "SCTP") return Protocol::Sctp;
    fail(path, "unsupported protocol \"" + value + "\" (TCP, UDP or SCTP)");
  }

  // Names go into nftables chain names: only DNS-1123 labels are accepted.
  std::string label_at(const Json& parent, const char* key, const std::string& path) const {
    std::string value = string_at(parent, key, path);
    if (value.empty()) fail(path, "is required");
    if (auto problems = api::validate_dns1123_label(value); !problems.empty())
      fail(path, problems.front());
    return value;
  }

 private:
  std::string object_;
};

bool is_ipv4(const std::string& text) {
  in_addr parsed{};
  return inet_pton(AF_INET, text.c_str(), &parsed) == 1;
}
bool is_ipv6(const std::string& text) {
  in6_addr parsed{};
  return inet_pton(AF_INET6, text.c_str(), &parsed) == 1;
}

// Adds an IPv4 address once; counts an IPv6 one as skipped; anything else is an error.
void add_address(const Reader& reader, std::vector<std::string>& out, int& ipv6_skipped,
                 const std::string& value, const std::string& path) {
  if (is_ipv4(value)) {
    for (const auto& known : out)
      if (known == value) return;
    out.push_back(value);
  } else if (is_ipv6(value)) {
    ++ipv6_skipped;
  } else {
    reader.fail(path, "\"" + value + "\" is not an IP address");
  }
}

TrafficPolicy policy_at(const Reader& reader, const Json& spec, const char* key) {
  std::string path = std::string("spec.") + key;
  std::string value = reader.string_at(spec, key, path, "Cluster");
  if (value == "Cluster") return TrafficPolicy::Cluster;
  if (value == "Local") return TrafficPolicy::Local;
  reader.fail(path, "must be Cluster or Local, not \"" + value + "\"");
}

std::string indexed(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

void read_service_addresses(const Reader& reader, const Json& service, ServiceView& view) {
  const Json& spec = reader.object_at(service, "spec", "spec");
  std::string type = reader.string_at(spec, "type", "spec.type", "ClusterIP");
  std::string cluster_ip = reader.string_at(spec, "clusterIP", "spec.clusterIP");
  if (type == "ExternalName" || cluster_ip == "None") {
    view.proxied = false;
    return;
  }
  const Json& cluster_ips = reader.array_at(spec, "clusterIPs", "spec.clusterIPs");
  for (size_t i = 0; i < cluster_ips.size(); ++i) {
    std::string path = indexed("spec.clusterIPs", i);
    if (!cluster_ips[i].is_string()) reader.fail(path, "must be a string");
    add_address(reader, view.cluster_ips, view.ipv6_skipped, cluster_ips[i].get<std::string>(),
                path);
  }
  if (cluster_ips.empty() && !cluster_ip.empty())
    add_address(reader, view.cluster_ips, view.ipv6_skipped, cluster_ip, "spec.clusterIP");

  const Json& external_ips = reader.array_at(spec, "externalIPs", "spec.externalIPs");
  for (size_t i = 0; i < external_ips.size(); ++i) {
    std::string path = indexed("spec.externalIPs", i);
    if (!external_ips[i].is_string()) reader.fail(path, "must be a string");
    add_address(reader, view.external_ips, view.ipv6_skipped, external_ips[i].get<std::string>(),
                path);
  }
  if (type == "LoadBalancer") {
    const Json& status = reader.object_at(service, "status", "status");
    const Json& balancer = reader.object_at(status, "loadBalancer", "status.loadBalancer");
    const Json& ingress = reader.array_at(balancer, "ingress", "status.loadBalancer.ingress");
    for (size_t i = 0; i < ingress.size(); ++i) {
      std::string path = indexed("status.loadBalancer.ingress", i) + ".ip";
      std::string ip = reader.string_at(ingress[i], "ip", path);
      if (!ip.empty()) add_address(reader, view.external_ips, view.ipv6_skipped, ip, path);
    }
  } else if (type != "ClusterIP" && type != "NodePort") {
    reader.fail("spec.type", "unsupported service type \"" + type + "\"");
  }
}

}  // namespace

const char* nft_protocol(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return "tcp";
    case Protocol::Udp:
      return "udp";
    case Protocol::Sctp:
      return "sctp";
  }
  return "tcp";
}

const Json& list_items(const Json& list, const char* what) {
  static const Json kEmpty = Json::array();
  if (list.is_null()) return kEmpty;  // absent, as a Go client's nil list
  if (list.is_array()) return list;
  if (list.is_object()) {
    const Json* items = member_or_null(list, "items");
    if (!items) return kEmpty;
    if (items->is_array()) return *items;
  }
  throw ObjectError(std::string(what) + ": must be a list of objects");
}

ServiceView parse_service(const Json& service) {
  Reader reader("Service");
  if (!service.is_object()) reader.fail("(object)", "must be an object");
  const Json& metadata = reader.object_at(service, "metadata", "metadata");
  ServiceView view;
  view.namespace_name = reader.string_at(metadata, "namespace", "metadata.namespace", "default");
  view.name = reader.string_at(metadata, "name", "metadata.name");
  reader.rename("Service " + view.namespace_name + "/" + view.name);
  view.namespace_name = reader.label_at(metadata, "namespace", "metadata.namespace");
  view.name = reader.label_at(metadata, "name", "metadata.name");

  read_service_addresses(reader, service, view);
  if (!view.proxied) return view;

  const Json& spec = reader.object_at(service, "spec", "spec");
  const Json& ports = reader.array_at(spec, "ports", "spec.ports");
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string path = indexed("spec.ports", i);
    if (!ports[i].is_object()) reader.fail(path, "must be an object");
    ServicePortView port;
    port.name = reader.string_at(ports[i], "name", path + ".name");
    port.protocol = reader.protocol_at(ports[i], path + ".protocol");
    port.port = reader.port_at(ports[i], "port", path + ".port", true);
    port.node_port = reader.port_at(ports[i], "nodePort", path + ".nodePort", false);
    for (const auto& known : view.ports)
      if (known.port == port.port && known.protocol == port.protocol)
        reader.fail(path, "duplicate port " + std::to_string(port.port));
    view.ports.push_back(port);
  }

  std::string affinity = reader.string_at(spec, "sessionAffinity", "spec.sessionAffinity", "None");
  if (affinity == "ClientIP") {
    const Json& config =
        reader.object_at(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig");
    const Json& client =
        reader.object_at(config, "clientIP", "spec.sessionAffinityConfig.clientIP");
    const char* path = "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
    int64_t timeout = reader.int_at(client, "timeoutSeconds", path, 10800);
    if (timeout < 1 || timeout > 86400) reader.fail(path, "must be between 1 and 86400");
    view.affinity_timeout_seconds = static_cast<int>(timeout);
  } else if (affinity != "None") {
    reader.fail("spec.sessionAffinity", "must be None or ClientIP, not \"" + affinity + "\"");
  }
  view.external_policy = policy_at(reader, spec, "externalTrafficPolicy");
  view.internal_policy = policy_at(reader, spec, "internalTrafficPolicy");
  return view;
}

EndpointGroup parse_endpoint_slice(const Json& slice) {
  Reader reader("EndpointSlice");
  if (!slice.is_object()) reader.fail("(object)", "must be an object");
  const Json& metadata = reader.object_at(slice, "metadata", "metadata");
  reader.rename("EndpointSlice " +
                reader.string_at(metadata, "namespace", "metadata.namespace", "default") + "/" +
                reader.string_at(metadata, "name", "metadata.name"));
  EndpointGroup group;
  group.namespace_name = reader.label_at(metadata, "namespace", "metadata.namespace");
  const Json& labels = reader.object_at(metadata, "labels", "metadata.labels");
  group.service_name = reader.label_at(labels, "kubernetes.io/service-name",
                                       "metadata.labels[kubernetes.io/service-name]");

  std::string address_type = reader.string_at(slice, "addressType", "addressType", "IPv4");
  const Json& endpoints = reader.array_at(slice, "endpoints", "endpoints");
  if (address_type != "IPv4") {
    group.ipv6_skipped = static_cast<int>(endpoints.size());
    return group;
  }
  const Json& ports = reader.array_at(slice, "ports", "ports");
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string path = indexed("ports", i);
    EndpointPortView port;
    port.name = reader.string_at(ports[i], "name", path + ".name");
    port.protocol = reader.protocol_at(ports[i], path + ".protocol");
    port.port = reader.port_at(ports[i], "port", path + ".port", true);
    group.ports.push_back(port);
  }
  for (size_t i = 0; i < endpoints.size(); ++i) {
    std::string path = indexed("endpoints", i);
    const Json& addresses = reader.array_at(endpoints[i], "addresses", path + ".addresses");
    if (addresses.empty() || !addresses[0].is_string())
      reader.fail(path + ".addresses", "needs at least one address");
    EndpointAddressView address;
    address.ip = addresses[0].get<std::string>();
    if (!is_ipv4(address.ip))
      reader.fail(path + ".addresses[0]", "\"" + address.ip + "\" is not an IPv4 address");
    address.node_name = reader.string_at(endpoints[i], "nodeName", path + ".nodeName");
    // As in the API: ready unset means ready, serving unset means "as ready", terminating unset
    // means not terminating.
    const Json& conditions = reader.object_at(endpoints[i], "conditions", path + ".conditions");
    address.ready = reader.bool_at(conditions, "ready", path + ".conditions.ready").value_or(true);
    address.serving =
        reader.bool_at(conditions, "serving", path + ".conditions.serving").value_or(address.ready);
    address.terminating =
        reader.bool_at(conditions, "terminating", path + ".conditions.terminating").value_or(false);
    group.addresses.push_back(address);
  }
  return group;
}

std::vector<EndpointGroup> parse_endpoints(const Json& endpoints) {
  Reader reader("Endpoints");
  if (!endpoints.is_object()) reader.fail("(object)", "must be an object");
  const Json& metadata = reader.object_at(endpoints, "metadata", "metadata");
  reader.rename("Endpoints " +
                reader.string_at(metadata, "namespace", "metadata.namespace", "default") + "/" +
                reader.string_at(metadata, "name", "metadata.name"));
  std::string namespace_name = reader.label_at(metadata, "namespace", "metadata.namespace");
  std::string service_name = reader.label_at(metadata, "name", "metadata.name");

  std::vector<EndpointGroup> groups;
  const Json& subsets = reader.array_at(endpoints, "subsets", "subsets");
  for (size_t s = 0; s < subsets.size(); ++s) {
    std::string subset_path = indexed("subsets", s);
    EndpointGroup group;
    group.namespace_name = namespace_name;
    group.service_name = service_name;
    const Json& ports = reader.array_at(subsets[s], "ports", subset_path + ".ports");
    for (size_t i = 0; i < ports.size(); ++i) {
      std::string path = indexed(subset_path + ".ports", i);
      EndpointPortView port;
      port.name = reader.string_at(ports[i], "name", path + ".name");
      port.protocol = reader.protocol_at(ports[i], path + ".protocol");
      port.port = reader.port_at(ports[i], "port", path + ".port", true);
      group.ports.push_back(port);
    }
    // Endpoints has no serving/terminating: ready addresses serve, not-ready ones do not.
    for (const char* key : {"addresses", "notReadyAddresses"}) {
      bool ready = std::string(key) == "addresses";
      std::string list_path = subset_path + "." + key;
      const Json& addresses = reader.array_at(subsets[s], key, list_path);
      for (size_t i = 0; i < addresses.size(); ++i) {
        std::string path = indexed(list_path, i);
        EndpointAddressView address;
        address.ip = reader.string_at(addresses[i], "ip", path + ".ip");
        if (is_ipv6(address.ip)) {
          ++group.ipv6_skipped;
          continue;
        }
        if (!is_ipv4(address.ip))
          reader.fail(path + ".ip", "\"" + address.ip + "\" is not an IP address");
        address.node_name = reader.string_at(addresses[i], "nodeName", path + ".nodeName");
        address.ready = ready;
        address.serving = ready;
        group.addresses.push_back(address);
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace skiff::agent::network
