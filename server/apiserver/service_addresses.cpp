#include "server/apiserver/service_addresses.h"

#include "pkg/api/errors.h"
#include "pkg/api/field_errors.h"

namespace skiff::apiserver {

namespace {

using api::validation::Errors;
using api::validation::Path;

std::string string_in(const Json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t int_in(const Json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

const Json& spec_of(const Json& service) {
  static const Json kEmpty = Json::object();
  auto it = service.find("spec");
  return it != service.end() && it->is_object() ? *it : kEmpty;
}

// clusterIP, or clusterIPs[0] when clusterIP is empty.
std::string requested_cluster_ip(const Json& spec) {
  std::string ip = string_in(spec, "clusterIP");
  if (!ip.empty()) return ip;
  auto ips = spec.find("clusterIPs");
  if (ips != spec.end() && ips->is_array() && !ips->empty() && (*ips)[0].is_string())
    return (*ips)[0].get<std::string>();
  return "";
}

// The old service's nodePort for the port with the same number and protocol (0 if none).
int64_t old_node_port(const Json* old_spec, const Json& port) {
  if (!old_spec) return 0;
  auto ports = old_spec->find("ports");
  if (ports == old_spec->end() || !ports->is_array()) return 0;
  for (const auto& candidate : *ports) {
    if (!candidate.is_object()) continue;
    if (int_in(candidate, "port") == int_in(port, "port") &&
        string_in(candidate, "protocol") == string_in(port, "protocol"))
      return int_in(candidate, "nodePort");
  }
  return 0;
}

// Scans the range from a random offset for a value `is_free` accepts.
template <typename IsFree>
std::optional<uint64_t> scan_from_random(uint64_t size, const RandomOffset& random,
                                         IsFree is_free) {
  uint64_t start = random && size > 0 ? random(size) % size : 0;
  for (uint64_t i = 0; i < size; ++i) {
    uint64_t offset = (start + i) % size;
    if (is_free(offset)) return offset;
  }
  return std::nullopt;
}

class Assigner {
 public:
  Assigner(const ServiceNetwork& network, const Json* old, Json& service,
           const AddressesInUse& in_use, const RandomOffset& random)
      : network_(network),
        old_spec_(old ? &spec_of(*old) : nullptr),
        service_(service),
        spec_(service["spec"]),
        in_use_(in_use),
        random_(random) {}

  ServiceAddresses run() {
    const std::string type = spec_.value("type", "ClusterIP");
    if (type == "ExternalName")
      drop_cluster_ip();
    else
      assign_cluster_ip(type);
    assign_node_ports(type);
    assign_health_check_node_port(type);
    drop_fields_of_old_type(type);
    if (!errors_.causes().empty()) {
      std::string name;
      if (auto metadata = service_.find("metadata"); metadata != service_.end())
        name = string_in(*metadata, "name");
      throw api::invalid("", "Service", name, errors_.causes());
    }
    return std::move(held_);
  }

 private:
  std::string old_type() const { return old_spec_ ? old_spec_->value("type", "ClusterIP") : ""; }
  std::string old_cluster_ip() const {
    if (!old_spec_ || old_type() == "ExternalName") return "";
    return requested_cluster_ip(*old_spec_);
  }

  void drop_cluster_ip() {
    std::string requested = requested_cluster_ip(spec_);
    if (requested.empty() || requested == old_cluster_ip()) {
      // Kubernetes drops the address an old type left behind.
      spec_.erase("clusterIP");
      spec_.erase("clusterIPs");
      return;
    }
    errors_.forbidden(Path("spec.clusterIP"), "may not be set for ExternalName services");
  }

  void assign_cluster_ip(const std::string& type) {
    std::string requested = requested_cluster_ip(spec_);
    const std::string previous = old_cluster_ip();
    if (!previous.empty() && (requested.empty() || requested == previous)) {
      set_cluster_ip(previous);
      if (auto ip = util::parse_ipv4(previous)) held_.cluster_ips.push_back(*ip);
      return;
    }
    if (!previous.empty()) {
      errors_.invalid(Path("spec.clusterIP"), requested, "field is immutable");
      return;
    }
    if (requested == "None") {
      if (type != "ClusterIP")
        errors_.invalid(Path("spec.clusterIP"), requested,
                        "may not be set to 'None' for " + type + " services");
      set_cluster_ip("None");
      return;
    }
    const auto& cidr = network_.service_cidr;
    if (requested.empty()) {
      auto offset = scan_from_random(cidr.size(), random_, [&](uint64_t offset) {
        return offset >= 2 && offset + 1 < cidr.size() && !reserved(cidr.at(offset)) &&
               !in_use_.cluster_ips.count(cidr.at(offset));
      });
      if (!offset) throw api::internal_error("failed to allocate a serviceIP: range is full");
      take_cluster_ip(cidr.at(*offset));
      return;
    }
    auto ip = util::parse_ipv4(requested);
    if (!ip) {
      errors_.invalid(Path("spec.clusterIP"), requested,
                      "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
      return;
    }
    const Json shown = Json::array({requested});
    const uint64_t offset = *ip - cidr.network;
    if (!cidr.contains(*ip) || offset == 0 || offset + 1 == cidr.size()) {
      errors_.invalid(Path("spec.clusterIPs"), shown,
                      "failed to allocate IP " + requested +
                          ": provided IP is not in the valid range. The range of valid IPs is " +
                          cidr.str());
      return;
    }
    if (in_use_.cluster_ips.count(*ip)) {
      errors_.invalid(Path("spec.clusterIPs"), shown,
                      "failed to allocate IP " + requested + ": provided IP is already allocated");
      return;
    }
    take_cluster_ip(*ip);
  }

  bool reserved(uint32_t ip) const { return network_.cluster_dns && *network_.cluster_dns == ip; }

  void take_cluster_ip(uint32_t ip) {
    held_.cluster_ips.push_back(ip);
    set_cluster_ip(util::format_ipv4(ip));
  }

  void set_cluster_ip(const std::string& ip) {
    spec_["clusterIP"] = ip;
    spec_["clusterIPs"] = Json::array({ip});
  }

  // A LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort (where the
  // nodes answer whether they have a local endpoint); any other service may not have one.
  void assign_health_check_node_port(const std::string& type) {
    const Path path("spec.healthCheckNodePort");
    const int64_t wanted = int_in(spec_, "healthCheckNodePort");
    const int64_t previous = old_spec_ ? int_in(*old_spec_, "healthCheckNodePort") : 0;
    const bool needed =
        type == "LoadBalancer" && spec_.value("externalTrafficPolicy", "") == "Local";
    if (!needed) {
      if (wanted == 0) return;
      if (wanted == previous) {
        spec_.erase("healthCheckNodePort");  // left from a Local LoadBalancer
      } else {
        errors_.invalid(path, wanted,
                        "may only be set when `type` is 'LoadBalancer' and "
                        "`externalTrafficPolicy` is 'Local'");
      }
      return;
    }
    int64_t port = wanted != 0 ? wanted : previous;
    if (port == 0) {
      port = allocate_node_port();
    } else if (port != previous) {
      if (held_here(port)) {
        errors_.duplicate(path, port);
        return;
      }
      if (!check_requested_port(path, spec_, port)) return;
    }
    spec_["healthCheckNodePort"] = port;
    held_.node_ports.push_back(port);
    claimed_ports_.push_back({port, "health"});
  }

  void assign_node_ports(const std::string& type) {
    auto ports = spec_.find("ports");
    if (ports == spec_.end() || !ports->is_array()) return;
    const bool allowed = type == "NodePort" || type == "LoadBalancer";
    const bool automatic =
        type == "NodePort" ||
        (type == "LoadBalancer" && spec_.value("allocateLoadBalancerNodePorts", true) != false);
    for (size_t i = 0; i < ports->size(); ++i) {
      Json& port = (*ports)[i];
      if (!port.is_object()) continue;
      const Path path = Path("spec.ports").index(i).child("nodePort");
      int64_t wanted = int_in(port, "nodePort");
      const int64_t previous = old_node_port(old_spec_, port);
      if (!allowed) {
        if (wanted == 0) continue;
        if (wanted == previous) {
          port.erase("nodePort");  // carried over from a NodePort/LoadBalancer type
        } else {
          errors_.forbidden(path, "may not be used when `type` is '" + type + "'");
        }
        continue;
      }
      if (wanted == 0 && previous != 0) wanted = previous;
      if (wanted == 0 && !automatic) continue;
      if (wanted == 0) {
        wanted = allocate_node_port();
      } else if (wanted != previous && !check_requested_port(path, port, wanted)) {
        continue;
      }
      port["nodePort"] = wanted;
      held_.node_ports.push_back(wanted);
      claimed_ports_.push_back({wanted, string_in(port, "protocol")});
    }
  }

  // Kubernetes' dropTypeDependentFields: fields only an external type has go when the type
  // changes, unless the same write set them anew.
  void drop_fields_of_old_type(const std::string& type) {
    if (!old_spec_ || type == old_type()) return;
    auto unchanged = [&](const char* field) {
      auto now = spec_.find(field);
      auto before = old_spec_->find(field);
      return now != spec_.end() && before != old_spec_->end() && *now == *before;
    };
    if (type != "NodePort" && type != "LoadBalancer") {
      if (unchanged("externalTrafficPolicy")) spec_.erase("externalTrafficPolicy");
    }
    if (type != "LoadBalancer") {
      for (const char* field : {"allocateLoadBalancerNodePorts", "loadBalancerClass"})
        if (unchanged(field)) spec_.erase(field);
    }
  }

  bool held_here(int64_t number) const {
    for (const auto& [port, protocol] : claimed_ports_)
      if (port == number) return true;
    return false;
  }

  int64_t allocate_node_port() {
    const auto& range = network_.node_ports;
    auto offset = scan_from_random(static_cast<uint64_t>(range.size()), random_, [&](uint64_t o) {
      int64_t number = range.first + static_cast<int64_t>(o);
      return !in_use_.node_ports.count(number) && !held_here(number);
    });
    if (!offset) throw api::internal_error("failed to allocate a nodePort: range is full");
    return range.first + static_cast<int64_t>(*offset);
  }

  // A requested port must be in the range and not held by another service; within this
  // service one number may serve two protocols (TCP and UDP of one port), not one twice.
  bool check_requested_port(const Path& path, const Json& port, int64_t wanted) {
    if (!network_.node_ports.contains(wanted)) {
      errors_.invalid(path, wanted,
                      "provided port is not in the valid range. The range of valid ports is " +
                          network_.node_ports.str());
      return false;
    }
    if (in_use_.node_ports.count(wanted)) {
      errors_.invalid(path, wanted, "provided port is already allocated");
      return false;
    }
    for (const auto& [number, protocol] : claimed_ports_) {
      if (number == wanted && protocol == string_in(port, "protocol")) {
        errors_.duplicate(path, wanted);
        return false;
      }
    }
    return true;
  }

  const ServiceNetwork& network_;
  const Json* old_spec_;
  Json& service_;
  Json& spec_;
  const AddressesInUse& in_use_;
  const RandomOffset& random_;
  Errors errors_;
  ServiceAddresses held_;
  std::vector<std::pair<int64_t, std::string>> claimed_ports_;
};

}  // namespace

ServiceAddresses addresses_of(const Json& service) {
  ServiceAddresses held;
  const Json& spec = spec_of(service);
  if (spec.value("type", "ClusterIP") != "ExternalName") {
    auto ips = spec.find("clusterIPs");
    if (ips != spec.end() && ips->is_array()) {
      for (const auto& ip : *ips)
        if (ip.is_string())
          if (auto parsed = util::parse_ipv4(ip.get<std::string>()))
            held.cluster_ips.push_back(*parsed);
    } else if (auto parsed = util::parse_ipv4(string_in(spec, "clusterIP"))) {
      held.cluster_ips.push_back(*parsed);
    }
  }
  auto ports = spec.find("ports");
  if (ports != spec.end() && ports->is_array()) {
    for (const auto& port : *ports)
      if (port.is_object() && int_in(port, "nodePort") != 0)
        held.node_ports.push_back(int_in(port, "nodePort"));
  }
  if (int64_t health = int_in(spec, "healthCheckNodePort"); health != 0)
    held.node_ports.push_back(health);
  return held;
}

ServiceAddresses assign_service_addresses(const ServiceNetwork& network, const Json* old,
                                          Json& service, const AddressesInUse& in_use,
                                          const RandomOffset& random) {
  if (!service.is_object() || !service.contains("spec") || !service["spec"].is_object()) return {};
  return Assigner(network, old, service, in_use, random).run();
}

}  // namespace skiff::apiserver
