// Tables for Services, Endpoints, EndpointSlices, Ingresses and IngressClasses.
#include <algorithm>

#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

namespace {

constexpr size_t kMaxListed = 3;  // kubectl lists three items, then "+ N more..."

std::vector<std::string> string_list(const Json& node) {
  std::vector<std::string> out;
  if (node.is_array())
    for (const auto& item : node)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

// Load-balancer ingress points: each entry's ip, or its hostname when it has no ip.
std::vector<std::string> load_balancer_ingress(const Json& object) {
  std::vector<std::string> out;
  const Json& ingress = node_at(object, "status.loadBalancer.ingress");
  if (ingress.is_array()) {
    for (const auto& point : ingress) {
      std::string ip = string_at(point, "ip");
      std::string host = string_at(point, "hostname");
      if (!ip.empty())
        out.push_back(ip);
      else if (!host.empty())
        out.push_back(host);
    }
  }
  return out;
}

std::string service_external_ip(const Json& service) {
  const std::string type = string_at(service, "spec.type", "ClusterIP");
  const std::vector<std::string> external_ips = string_list(node_at(service, "spec.externalIPs"));
  if (type == "ClusterIP" || type == "NodePort")
    return external_ips.empty() ? "<none>" : join(external_ips, ",");
  if (type == "LoadBalancer") {
    std::vector<std::string> all = load_balancer_ingress(service);
    all.insert(all.end(), external_ips.begin(), external_ips.end());
    return all.empty() ? "<pending>" : join(all, ",");
  }
  if (type == "ExternalName") return string_at(service, "spec.externalName");
  return "<unknown>";
}

std::string service_ports(const Json& service) {
  std::vector<std::string> pieces;
  const Json& ports = node_at(service, "spec.ports");
  if (ports.is_array()) {
    for (const auto& port : ports) {
      const std::string protocol = string_at(port, "protocol", "TCP");
      std::string piece = std::to_string(int_at(port, "port"));
      if (int_at(port, "nodePort") > 0) piece += ":" + std::to_string(int_at(port, "nodePort"));
      pieces.push_back(piece + "/" + protocol);
    }
  }
  return pieces.empty() ? "<none>" : join(pieces, ",");
}

Json service_row(const Json& service, TimePoint now) {
  std::string cluster_ip = "<none>";
  const Json& cluster_ips = node_at(service, "spec.clusterIPs");
  if (cluster_ips.is_array() && !cluster_ips.empty() && cluster_ips[0].is_string())
    cluster_ip = cluster_ips[0].get<std::string>();
  else if (!string_at(service, "spec.clusterIP").empty())
    cluster_ip = string_at(service, "spec.clusterIP");
  return Json::array({object_name(service), string_at(service, "spec.type", "ClusterIP"),
                      cluster_ip, service_external_ip(service), service_ports(service),
                      object_age(service, now), join_map(node_at(service, "spec.selector"))});
}

std::string host_port(const std::string& ip, long long port) {
  const bool ipv6 = ip.find(':') != std::string::npos;
  return (ipv6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

std::string endpoints_summary(const Json& endpoints) {
  const Json& subsets = node_at(endpoints, "subsets");
  if (!subsets.is_array() || subsets.empty()) return "<none>";
  std::vector<std::string> listed;
  size_t total = 0;
  auto add = [&](std::string entry) {
    ++total;
    if (listed.size() < kMaxListed) listed.push_back(std::move(entry));
  };
  for (const auto& subset : subsets) {
    const Json& addresses = node_at(subset, "addresses");
    const Json& ports = node_at(subset, "ports");
    if (!addresses.is_array()) continue;
    if (!ports.is_array() || ports.empty()) {
      for (const auto& address : addresses) add(string_at(address, "ip"));
      continue;
    }
    for (const auto& port : ports)
      for (const auto& address : addresses)
        add(host_port(string_at(address, "ip"), int_at(port, "port")));
  }
  return list_with_more(listed, total, kMaxListed, "<none>");
}

Json endpoints_row(const Json& endpoints, TimePoint now) {
  return Json::array(
      {object_name(endpoints), endpoints_summary(endpoints), object_age(endpoints, now)});
}

Json endpointslice_row(const Json& slice, TimePoint now) {
  std::vector<std::string> ports;
  size_t port_total = 0;
  const Json& port_list = node_at(slice, "ports");
  if (port_list.is_array()) {
    for (const auto& port : port_list) {
      ++port_total;
      if (ports.size() >= kMaxListed) continue;
      if (node_at(port, "port").is_number())
        ports.push_back(std::to_string(int_at(port, "port")));
      else if (node_at(port, "name").is_string())
        ports.push_back(string_at(port, "name"));
      else
        ports.push_back("*");
    }
  }
  std::vector<std::string> addresses;
  size_t address_total = 0;
  const Json& endpoint_list = node_at(slice, "endpoints");
  if (endpoint_list.is_array()) {
    for (const auto& endpoint : endpoint_list) {
      for (const auto& address : string_list(node_at(endpoint, "addresses"))) {
        ++address_total;
        if (addresses.size() < kMaxListed) addresses.push_back(address);
      }
    }
  }
  return Json::array({object_name(slice), string_at(slice, "addressType"),
                      list_with_more(ports, port_total, kMaxListed, "<unset>"),
                      list_with_more(addresses, address_total, kMaxListed, "<unset>"),
                      object_age(slice, now)});
}

// kubectl's HOSTS: the hosts of the rules until three are listed; then " + N more..." where N
// counts every rule past the third, host or not (kubectl's arithmetic, kept for equal output).
std::string ingress_hosts(const Json& ingress) {
  std::vector<std::string> hosts;
  bool more = false;
  const Json& rules = node_at(ingress, "spec.rules");
  if (rules.is_array()) {
    for (const auto& rule : rules) {
      if (hosts.size() == kMaxListed) more = true;
      std::string host = string_at(rule, "host");
      if (!more && !host.empty()) hosts.push_back(host);
    }
  }
  if (hosts.empty()) return "*";
  std::string out = join(hosts, ",");
  if (more) out += " + " + std::to_string(rules.size() - kMaxListed) + " more...";
  return out;
}

Json ingress_row(const Json& ingress, TimePoint now) {
  const Json& tls = node_at(ingress, "spec.tls");
  const bool has_tls = tls.is_array() && !tls.empty();
  // ADDRESS: the ingress points as a sorted set, as kubectl prints them.
  std::vector<std::string> addresses = load_balancer_ingress(ingress);
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  return Json::array({object_name(ingress), string_at(ingress, "spec.ingressClassName", "<none>"),
                      ingress_hosts(ingress), join(addresses, ","), has_tls ? "80, 443" : "80",
                      object_age(ingress, now)});
}

Json ingressclass_row(const Json& ingress_class, TimePoint now) {
  std::string parameters = "<none>";
  const Json& ref = node_at(ingress_class, "spec.parameters");
  if (ref.is_object()) {
    parameters = string_at(ref, "kind");
    if (ref.contains("apiGroup") && ref["apiGroup"].is_string())
      parameters += "." + ref["apiGroup"].get<std::string>();
    parameters += "/" + string_at(ref, "name");
  }
  return Json::array({object_name(ingress_class), string_at(ingress_class, "spec.controller"),
                      parameters, object_age(ingress_class, now)});
}

}  // namespace

Printer service_printer() {
  return {{name_column(),
           {"Type", "string", "", "How the service is exposed.", 0},
           {"Cluster-IP", "string", "", "The IP address of the service inside the cluster.", 0},
           {"External-IP", "string", "", "Addresses the service is reachable at from outside.", 0},
           {"Port(s)", "string", "", "The list of ports that are exposed by this service.", 0},
           age_column(),
           {"Selector", "string", "",
            "Route service traffic to pods with labels matching this selector.", 1}},
          service_row};
}

Printer endpoints_printer() {
  return {{name_column(),
           {"Endpoints", "string", "", "The set of all endpoints is the union of all subsets.", 0},
           age_column()},
          endpoints_row};
}

Printer endpointslice_printer() {
  return {{name_column(),
           {"AddressType", "string", "", "The type of address carried by this EndpointSlice.", 0},
           {"Ports", "string", "", "The network ports exposed by each endpoint.", 0},
           {"Endpoints", "string", "", "A list of unique endpoints in this slice.", 0},
           age_column()},
          endpointslice_row};
}

Printer ingress_printer() {
  return {{name_column(),
           {"Class", "string", "",
            "The name of the IngressClass resource that should be used for additional "
            "configuration",
            0},
           {"Hosts", "string", "",
            "Hosts that incoming requests are matched against before the ingress rule", 0},
           {"Address", "string", "",
            "Address is a list containing ingress points for the load-balancer", 0},
           {"Ports", "string", "", "Ports of TLS configurations that open", 0},
           age_column()},
          ingress_row};
}

Printer ingressclass_printer() {
  return {
      {name_column(),
       {"Controller", "string", "", "Controller that is responsible for handling this class", 0},
       {"Parameters", "string", "", "A reference to a resource with additional parameters", 0},
       age_column()},
      ingressclass_row};
}

}  // namespace skiff::apiserver::tables
