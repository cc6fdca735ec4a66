// Tables for core/v1 kinds other than Pods, Services and Endpoints: Nodes, Namespaces,
// ConfigMaps, Secrets, ServiceAccounts, Events; plus coordination.k8s.io Leases.
#include <algorithm>
#include <cctype>
#include <set>

#include "pkg/api/time.h"
#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

namespace {

size_t map_size(const Json& node) {
  return node.is_object() ? node.size() : 0;
}

std::string or_unknown(std::string value) {
  return value.empty() ? "<unknown>" : value;
}

std::string node_status(const Json& node) {
  std::vector<std::string> status;
  const Json& conditions = node_at(node, "status.conditions");
  if (conditions.is_array()) {
    for (const auto& condition : conditions) {
      if (string_at(condition, "type") != "Ready") continue;
      status.push_back(string_at(condition, "status") == "True" ? "Ready" : "NotReady");
      break;
    }
  }
  if (status.empty()) status.push_back("Unknown");
  if (node_at(node, "spec.unschedulable") == true) status.push_back("SchedulingDisabled");
  return join(status, ",");
}

// Roles come from node-role.kubernetes.io/<role> label keys and the kubernetes.io/role value.
std::string node_roles(const Json& node) {
  static const std::string kRolePrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  const Json& labels = node_at(node, "metadata.labels");
  if (labels.is_object()) {
    for (const auto& [key, value] : labels.items()) {
      if (key.rfind(kRolePrefix, 0) == 0 && key.size() > kRolePrefix.size())
        roles.insert(key.substr(kRolePrefix.size()));
      if (key == "kubernetes.io/role" && value.is_string() && !value.get<std::string>().empty())
        roles.insert(value.get<std::string>());
    }
  }
  if (roles.empty()) return "<none>";
  return join(std::vector<std::string>(roles.begin(), roles.end()), ",");
}

std::string node_address(const Json& node, const std::string& type) {
  const Json& addresses = node_at(node, "status.addresses");
  if (addresses.is_array())
    for (const auto& address : addresses)
      if (string_at(address, "type") == type) return string_at(address, "address");
  return "<none>";
}

Json node_row(const Json& node, TimePoint now) {
  return Json::array({object_name(node), node_status(node), node_roles(node), object_age(node, now),
                      string_at(node, "status.nodeInfo.kubeletVersion"),
                      node_address(node, "InternalIP"), node_address(node, "ExternalIP"),
                      or_unknown(string_at(node, "status.nodeInfo.osImage")),
                      or_unknown(string_at(node, "status.nodeInfo.kernelVersion")),
                      or_unknown(string_at(node, "status.nodeInfo.containerRuntimeVersion"))});
}

Json namespace_row(const Json& ns, TimePoint now) {
  return Json::array(
      {object_name(ns), string_at(ns, "status.phase", "Active"), object_age(ns, now)});
}

Json configmap_row(const Json& configmap, TimePoint now) {
  return Json::array(
      {object_name(configmap),
       map_size(node_at(configmap, "data")) + map_size(node_at(configmap, "binaryData")),
       object_age(configmap, now)});
}

Json secret_row(const Json& secret, TimePoint now) {
  return Json::array({object_name(secret), string_at(secret, "type", "Opaque"),
                      map_size(node_at(secret, "data")), object_age(secret, now)});
}

Json serviceaccount_row(const Json& account, TimePoint now) {
  const Json& secrets = node_at(account, "secrets");
  return Json::array(
      {object_name(account), secrets.is_array() ? secrets.size() : 0, object_age(account, now)});
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string first_non_empty(const std::string& a, const std::string& b) {
  return a.empty() ? b : a;
}

Json event_row(const Json& event, TimePoint now) {
  std::string first_seen = string_at(event, "firstTimestamp").empty()
                               ? api::age(string_at(event, "eventTime"), now)
                               : api::age(string_at(event, "firstTimestamp"), now);
  std::string last_seen = string_at(event, "lastTimestamp").empty()
                              ? first_seen
                              : api::age(string_at(event, "lastTimestamp"), now);
  long long count = int_at(event, "count");
  if (node_at(event, "series").is_object()) {
    last_seen = api::age(string_at(event, "series.lastObservedTime"), now);
    count = int_at(event, "series.count");
  } else if (count == 0) {
    count = 1;  // singleton events from the events.k8s.io API carry no count
  }
  const std::string kind = lower(string_at(event, "involvedObject.kind"));
  const std::string involved_name = string_at(event, "involvedObject.name");
  const std::string target = involved_name.empty() ? kind : kind + "/" + involved_name;
  const std::string component =
      first_non_empty(string_at(event, "source.component"), string_at(event, "reportingComponent"));
  const std::string instance =
      first_non_empty(string_at(event, "source.host"), string_at(event, "reportingInstance"));
  const std::string source = instance.empty() ? component : component + ", " + instance;
  std::string message = string_at(event, "message");
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
    message.pop_back();
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.front())))
    message.erase(0, 1);
  return Json::array({last_seen, string_at(event, "type"), string_at(event, "reason"), target,
                      string_at(event, "involvedObject.fieldPath"), source, message, first_seen,
                      count, object_name(event)});
}

Json lease_row(const Json& lease, TimePoint now) {
  return Json::array(
      {object_name(lease), string_at(lease, "spec.holderIdentity"), object_age(lease, now)});
}

}  // namespace

Printer node_printer() {
  return {
      {name_column(),
       {"Status", "string", "", "The status of the node", 0},
       {"Roles", "string", "", "The roles of the node", 0},
       age_column(),
       {"Version", "string", "", "Kubelet Version reported by the node.", 0},
       {"Internal-IP", "string", "", "List of addresses reachable to the node.", 1},
       {"External-IP", "string", "", "List of addresses reachable to the node.", 1},
       {"OS-Image", "string", "", "OS Image reported by the node.", 1},
       {"Kernel-Version", "string", "", "Kernel Version reported by the node.", 1},
       {"Container-Runtime", "string", "", "ContainerRuntime Version reported by the node.", 1}},
      node_row};
}

Printer namespace_printer() {
  return {{name_column(), {"Status", "string", "", "The status of the namespace", 0}, age_column()},
          namespace_row};
}

Printer configmap_printer() {
  return {{name_column(),
           {"Data", "string", "", "Data contains the configuration data.", 0},
           age_column()},
          configmap_row};
}

Printer secret_printer() {
  return {{name_column(),
           {"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
           {"Data", "string", "", "Data contains the secret data.", 0},
           age_column()},
          secret_row};
}

Printer serviceaccount_printer() {
  return {{name_column(),
           {"Secrets", "string", "", "Secrets is a list of the secrets used by this account.", 0},
           age_column()},
          serviceaccount_row};
}

Printer event_printer() {
  Column name = name_column();
  name.priority = 1;
  return {
      {{"Last Seen", "string", "", "The time at which the most recent occurrence was recorded.", 0},
       {"Type", "string", "", "Type of this event (Normal, Warning).", 0},
       {"Reason", "string", "", "Short, machine understandable reason for the transition.", 0},
       {"Object", "string", "", "The object that this event is about.", 0},
       {"Subobject", "string", "", "The part of the object this event is about.", 1},
       {"Source", "string", "", "The component reporting this event.", 1},
       {"Message", "string", "", "A human-readable description of the status of this operation.",
        0},
       {"First Seen", "string", "", "The time at which the event was first recorded.", 1},
       {"Count", "string", "", "The number of times this event has occurred.", 1},
       name},
      event_row};
}

Printer lease_printer() {
  return {{name_column(),
           {"Holder", "string", "", "The identity of the holder of the lease.", 0},
           age_column()},
          lease_row};
}

}  // namespace skiff::apiserver::tables
