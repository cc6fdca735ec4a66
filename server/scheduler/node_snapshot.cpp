#include "server/scheduler/node_snapshot.h"

#include <algorithm>
#include <unordered_map>

#include "server/controllers/ownership.h"
#include "server/scheduler/json_fields.h"
#include "server/scheduler/quantity.h"
#include "server/scheduler/taints.h"

namespace skiff::scheduler {
namespace {

constexpr std::int64_t kDefaultMilliCpuRequest = 100;                // 0.1 core
constexpr std::int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;  // 200 MiB

std::int64_t amount(const std::string& resource, const Json& quantity) {
  return resource == "cpu" ? quantity_milli(quantity) : quantity_value(quantity);
}

ResourceAmounts resource_list(const Json& list) {
  ResourceAmounts out;
  if (!list.is_object()) return out;
  for (const auto& [name, quantity] : list.items()) out[name] = amount(name, quantity);
  return out;
}

ResourceAmounts container_requests(const Json& container, bool nonzero) {
  const Json& resources = field(container, "resources");
  ResourceAmounts out = resource_list(field(resources, "limits"));
  for (const auto& [name, value] : resource_list(field(resources, "requests"))) out[name] = value;
  if (nonzero) {
    if (!out.contains("cpu")) out["cpu"] = kDefaultMilliCpuRequest;
    if (!out.contains("memory")) out["memory"] = kDefaultMemoryRequest;
  }
  return out;
}

ResourceAmounts requests(const Json& pod, bool nonzero) {
  const Json& spec = field(pod, "spec");
  ResourceAmounts total;
  const Json& containers = field(spec, "containers");
  if (containers.is_array()) {
    for (const Json& c : containers) {
      for (const auto& [name, value] : container_requests(c, nonzero)) total[name] += value;
    }
  }
  const Json& init = field(spec, "initContainers");
  if (init.is_array()) {
    for (const Json& c : init) {
      for (const auto& [name, value] : container_requests(c, nonzero)) {
        total[name] = std::max(total[name], value);
      }
    }
  }
  for (const auto& [name, value] : resource_list(field(spec, "overhead"))) total[name] += value;
  return total;
}

}  // namespace

ResourceAmounts pod_requests(const Json& pod) {
  return requests(pod, false);
}
ResourceAmounts pod_nonzero_requests(const Json& pod) {
  return requests(pod, true);
}

std::vector<HostPort> pod_host_ports(const Json& pod) {
  std::vector<HostPort> out;
  const Json& containers = field(field(pod, "spec"), "containers");
  if (!containers.is_array()) return out;
  for (const Json& c : containers) {
    const Json& ports = field(c, "ports");
    if (!ports.is_array()) continue;
    for (const Json& p : ports) {
      const Json& host_port = field(p, "hostPort");
      if (!host_port.is_number_integer() || host_port.get<std::int64_t>() <= 0) continue;
      HostPort hp;
      hp.port = host_port.get<std::int64_t>();
      const Json& protocol = field(p, "protocol");
      hp.protocol = protocol.is_string() ? protocol.get<std::string>() : "TCP";
      const Json& ip = field(p, "hostIP");
      hp.ip = ip.is_string() && !ip.get<std::string>().empty() ? ip.get<std::string>() : "0.0.0.0";
      out.push_back(std::move(hp));
    }
  }
  return out;
}

std::string owner_key(const Json& pod, const std::string& owner_uid) {
  const Json& ns = field(field(pod, "metadata"), "namespace");
  return (ns.is_string() ? ns.get<std::string>() : std::string()) + "/" + owner_uid;
}

PodUsage pod_usage(const Json& pod) {
  PodUsage usage{pod_requests(pod), pod_nonzero_requests(pod), pod_host_ports(pod), {}};
  const std::string* owner = controllers::controller_uid(pod);
  if (owner != nullptr && !owner->empty()) usage.owner = owner_key(pod, *owner);
  return usage;
}

PodInfo::PodInfo(const Json& pod) : pod(pod), usage(pod_usage(pod)) {
  for (const char* resource : {"cpu", "memory", "ephemeral-storage"}) {
    auto it = usage.requests.find(resource);
    if (it != usage.requests.end() && it->second > 0) requests_to_fit.emplace_back(*it);
  }
  for (const auto& [resource, request] : usage.requests) {
    if (request <= 0 || resource == "cpu" || resource == "memory" ||
        resource == "ephemeral-storage" || resource == "pods") {
      continue;
    }
    requests_to_fit.emplace_back(resource, request);
  }
  if (auto cpu = usage.nonzero_requests.find("cpu"); cpu != usage.nonzero_requests.end()) {
    nonzero_cpu = cpu->second;
  }
  if (auto memory = usage.nonzero_requests.find("memory"); memory != usage.nonzero_requests.end()) {
    nonzero_memory = memory->second;
  }
  const Json& spec = field(pod, "spec");
  if (const Json& selector = field(spec, "nodeSelector"); selector.is_object()) {
    node_selector = &selector;
  }
  const Json& required = field(field(field(spec, "affinity"), "nodeAffinity"),
                               "requiredDuringSchedulingIgnoredDuringExecution");
  if (required.is_object()) required_node_affinity = &required;
  tolerates_unschedulable =
      pod_tolerates(pod, Taint{"node.kubernetes.io/unschedulable", "", "NoSchedule"});
}

bool pod_occupies_node(const Json& pod) {
  // Compared as strings in place: comparing a Json with a literal builds a Json of it, and
  // this runs for every pod of a node whose snapshot is rebuilt.
  const Json& node_name = field(field(pod, "spec"), "nodeName");
  if (!node_name.is_string() || node_name.get_ref<const std::string&>().empty()) return false;
  const Json& phase = field(field(pod, "status"), "phase");
  if (!phase.is_string()) return true;
  const std::string& value = phase.get_ref<const std::string&>();
  return value != "Succeeded" && value != "Failed";
}

void NodeSnapshot::add_pod(const Json& pod) {
  add(pod_usage(pod));
}

void NodeSnapshot::add(const PodUsage& usage) {
  for (const auto& [name, value] : usage.requests) requested[name] += value;
  for (const auto& [name, value] : usage.nonzero_requests) nonzero_requested[name] += value;
  used_ports.insert(usage.host_ports.begin(), usage.host_ports.end());
  ++pod_count;
  if (!usage.owner.empty()) ++pods_by_owner[usage.owner];
  refresh_hot();
}

namespace {

std::int64_t amount_of(const ResourceAmounts& amounts, const std::string& resource) {
  auto it = amounts.find(resource);
  return it == amounts.end() ? 0 : it->second;
}

}  // namespace

void NodeSnapshot::refresh_hot() {
  static const std::string kCpu = "cpu", kMemory = "memory", kPods = "pods";
  hot = Hot{amount_of(allocatable, kCpu),         amount_of(allocatable, kMemory),
            amount_of(allocatable, kPods),        amount_of(requested, kCpu),
            amount_of(requested, kMemory),        amount_of(nonzero_requested, kCpu),
            amount_of(nonzero_requested, kMemory)};
}

namespace {

template <typename Map, typename Key, typename Amount>
void take_back(Map& sums, const Key& key, Amount amount) {
  auto it = sums.find(key);
  if (it == sums.end()) return;
  it->second -= amount;
  if (it->second == 0) sums.erase(it);
}

}  // namespace

void NodeUsage::add(const PodUsage& usage) {
  for (const auto& [name, value] : usage.requests) requested[name] += value;
  for (const auto& [name, value] : usage.nonzero_requests) nonzero_requested[name] += value;
  for (const HostPort& port : usage.host_ports) ++ports[port];
  ++pod_count;
  if (!usage.owner.empty()) ++pods_by_owner[usage.owner];
}

void NodeUsage::remove(const PodUsage& usage) {
  for (const auto& [name, value] : usage.requests) take_back(requested, name, value);
  for (const auto& [name, value] : usage.nonzero_requests)
    take_back(nonzero_requested, name, value);
  for (const HostPort& port : usage.host_ports) take_back(ports, port, std::size_t{1});
  if (pod_count > 0) --pod_count;
  if (!usage.owner.empty()) take_back(pods_by_owner, usage.owner, std::int64_t{1});
}

void NodeUsage::apply_to(NodeSnapshot& snapshot) const {
  snapshot.pod_count = pod_count;
  snapshot.requested = requested;
  snapshot.nonzero_requested = nonzero_requested;
  snapshot.pods_by_owner = pods_by_owner;
  snapshot.used_ports.clear();
  for (const auto& [port, count] : ports) snapshot.used_ports.insert(port);
  snapshot.refresh_hot();
}

std::int64_t NodeSnapshot::allocatable_of(const std::string& resource) const {
  return amount_of(allocatable, resource);
}

std::int64_t NodeSnapshot::requested_of(const std::string& resource) const {
  return amount_of(requested, resource);
}

NodeSnapshot make_snapshot(const Json& node, const std::vector<Json>& pods_on_node) {
  return make_snapshot(std::make_shared<const Json>(node), pods_on_node);
}

NodeSnapshot make_snapshot(std::shared_ptr<const Json> node_object,
                           const std::vector<Json>& pods_on_node) {
  NodeSnapshot snapshot;
  snapshot.node = std::move(node_object);
  const Json& node = *snapshot.node;
  const Json& name = field(field(node, "metadata"), "name");
  if (name.is_string()) snapshot.name = name.get<std::string>();
  const Json& status = field(node, "status");
  const Json& allocatable = field(status, "allocatable");
  snapshot.allocatable = resource_list(
      allocatable.is_object() && !allocatable.empty() ? allocatable : field(status, "capacity"));
  snapshot.taints = effective_taints(node);
  snapshot.unschedulable = field(field(node, "spec"), "unschedulable") == true;
  for (const Json& pod : pods_on_node) {
    if (pod_occupies_node(pod)) snapshot.add_pod(pod);
  }
  snapshot.refresh_hot();
  return snapshot;
}

std::vector<NodeSnapshot> build_snapshots(const std::vector<Json>& nodes,
                                          const std::vector<Json>& pods) {
  std::vector<NodeSnapshot> out;
  out.reserve(nodes.size());
  std::unordered_map<std::string, std::size_t> index;
  for (const Json& node : nodes) {
    out.push_back(make_snapshot(node));
    index.emplace(out.back().name, out.size() - 1);
  }
  for (const Json& pod : pods) {
    if (!pod_occupies_node(pod)) continue;
    auto it = index.find(pod["spec"]["nodeName"].get<std::string>());
    if (it != index.end()) out[it->second].add_pod(pod);
  }
  return out;
}

}  // namespace skiff::scheduler
