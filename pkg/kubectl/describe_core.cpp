// Describers for Service, Node, Namespace, ConfigMap, Secret and a generic one for every other
// kind; the dispatch and event lookup for `describe`.
#include <ostream>

#include "pkg/kubectl/context.h"
#include "pkg/kubectl/describe_kinds.h"
#include "pkg/kubectl/describers.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"

namespace skiff::kubectl {
namespace {

std::string join_strings(const Json& list, const char* sep) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) out += (out.empty() ? "" : sep) + text_of(item);
  return out;
}

void describe_service(DescribeWriter& w, const Json& svc) {
  const Json& spec = svc.value("spec", Json::object());
  write_metadata(w, svc, false);
  std::string selector;
  for (const auto& [key, value] : member(spec, "selector").items())
    selector += (selector.empty() ? "" : ",") + key + "=" + text_of(value);
  w.field(0, "Selector", selector);
  std::string type = spec.value("type", std::string("ClusterIP"));
  w.field(0, "Type", type);
  if (spec.contains("ipFamilyPolicy"))
    w.field(0, "IP Family Policy", text_of(spec["ipFamilyPolicy"]));
  if (spec.contains("ipFamilies")) w.field(0, "IP Families", join_strings(spec["ipFamilies"], ","));
  w.field(0, "IP", spec.value("clusterIP", std::string()));
  if (spec.contains("clusterIPs")) w.field(0, "IPs", join_strings(spec["clusterIPs"], ","));
  if (type == "ExternalName")
    w.field(0, "External Name", spec.value("externalName", std::string()));
  for (const auto& ingress : svc.value("status", Json::object())
                                 .value("loadBalancer", Json::object())
                                 .value("ingress", Json::array()))
    w.field(0, "LoadBalancer Ingress",
            ingress.value("ip", ingress.value("hostname", std::string())));
  for (const auto& port : spec.value("ports", Json::array())) {
    std::string name = port.value("name", std::string("<unset>"));
    std::string protocol = port.value("protocol", std::string("TCP"));
    w.field(0, "Port", name + "\t" + text_of(port.value("port", Json(0))) + "/" + protocol);
    w.field(0, "TargetPort",
            text_of(port.value("targetPort", port.value("port", Json(0)))) + "/" + protocol);
    if (port.contains("nodePort"))
      w.field(0, "NodePort", name + "\t" + text_of(port["nodePort"]) + "/" + protocol);
  }
  w.field(0, "Session Affinity", spec.value("sessionAffinity", std::string("None")));
}

void describe_node(DescribeWriter& w, const Json& node) {
  const Json& metadata = node.value("metadata", Json::object());
  const Json& spec = node.value("spec", Json::object());
  const Json& status = node.value("status", Json::object());
  w.field(0, "Name", metadata.value("name", ""));
  std::string roles;
  for (const auto& [key, value] : member(metadata, "labels").items())
    if (key.starts_with("node-role.kubernetes.io/"))
      roles += (roles.empty() ? "" : ",") + key.substr(24);
  w.field(0, "Roles", roles);
  w.map_field(0, "Labels", metadata.value("labels", Json::object()));
  w.annotations(0, metadata);
  w.field(0, "CreationTimestamp", describe_time(metadata.value("creationTimestamp", Json())));
  std::string taints;
  for (const auto& t : spec.value("taints", Json::array()))
    taints += (taints.empty() ? "" : ", ") + t.value("key", "") +
              (t.contains("value") ? "=" + text_of(t["value"]) : "") + ":" + t.value("effect", "");
  w.field(0, "Taints", taints);
  w.field(0, "Unschedulable", spec.value("unschedulable", false) ? "true" : "false");
  const Json& conditions = status.value("conditions", Json::array());
  if (!conditions.empty()) {
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
    w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
    for (const auto& c : conditions)
      w.line(1, c.value("type", "") + "\t" + c.value("status", "") + "\t" +
                    describe_time(c.value("lastHeartbeatTime", Json())) + "\t" +
                    describe_time(c.value("lastTransitionTime", Json())) + "\t" +
                    c.value("reason", std::string()) + "\t" + c.value("message", std::string()));
  }
  w.line(0, "Addresses:");
  for (const auto& a : status.value("addresses", Json::array()))
    w.field(1, a.value("type", ""), a.value("address", ""));
  for (const char* section : {"capacity", "allocatable"}) {
    const Json& values = status.value(section, Json::object());
    if (values.empty()) continue;
    w.line(0, std::string(section) == "capacity" ? "Capacity:" : "Allocatable:");
    for (const auto& [key, value] : values.items()) w.field(1, key, text_of(value));
  }
  const Json& info = status.value("nodeInfo", Json::object());
  if (!info.empty()) {
    w.line(0, "System Info:");
    const std::pair<const char*, const char*> fields[] = {
        {"Machine ID", "machineID"},
        {"System UUID", "systemUUID"},
        {"Boot ID", "bootID"},
        {"Kernel Version", "kernelVersion"},
        {"OS Image", "osImage"},
        {"Operating System", "operatingSystem"},
        {"Architecture", "architecture"},
        {"Container Runtime Version", "containerRuntimeVersion"},
        {"Kubelet Version", "kubeletVersion"},
        {"Kube-Proxy Version", "kubeProxyVersion"}};
    for (const auto& [title, key] : fields) w.field(1, title, info.value(key, std::string()));
  }
  if (spec.contains("podCIDR")) w.field(0, "PodCIDR", text_of(spec["podCIDR"]));
  if (spec.contains("podCIDRs")) w.field(0, "PodCIDRs", join_strings(spec["podCIDRs"], ","));
}

void describe_namespace(DescribeWriter& w, const Json& ns) {
  write_metadata(w, ns, false);
  w.blank();
  w.field(0, "Status", ns.value("status", Json::object()).value("phase", std::string("Active")));
  w.blank();
  w.line(0, "No resource quota.");
  w.blank();
  w.line(0, "No LimitRange resource.");
}

void describe_configmap(DescribeWriter& w, const Json& cm) {
  write_metadata(w, cm, false);
  w.blank();
  w.line(0, "Data");
  w.line(0, "====");
  for (const auto& [key, value] : member(cm, "data").items()) {
    w.line(0, key + ":");
    w.line(0, "----");
    w.line(0, text_of(value));
    w.blank();
  }
  w.blank();
  w.line(0, "BinaryData");
  w.line(0, "====");
  for (const auto& [key, value] : member(cm, "binaryData").items())
    w.line(0, key + ": " + std::to_string(text_of(value).size() * 3 / 4) + " bytes");
  w.blank();
}

void describe_secret(DescribeWriter& w, const Json& secret) {
  write_metadata(w, secret, false);
  w.blank();
  w.field(0, "Type", secret.value("type", std::string("Opaque")));
  w.blank();
  w.line(0, "Data");
  w.line(0, "====");
  // Sizes only: a describe must never reveal secret values.
  for (const auto& [key, value] : member(secret, "data").items()) {
    std::string encoded = text_of(value);
    std::size_t size = encoded.size() / 4 * 3;
    if (encoded.ends_with("=="))
      size -= 2;
    else if (encoded.ends_with("="))
      size -= 1;
    w.line(0, key + ":\t" + std::to_string(size) + " bytes");
  }
}

// Kubernetes' generic describer shape: fields as a "Title: value" tree.
std::string title_case(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (i == 0)
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    else if (std::isupper(static_cast<unsigned char>(c)) &&
             !std::isupper(static_cast<unsigned char>(key[i - 1])))
      out += std::string(" ") + c;
    else
      out += c;
  }
  return out;
}

void describe_tree(DescribeWriter& w, int level, const Json& value) {
  for (const auto& [key, child] : value.items()) {
    if (child.is_object()) {
      w.line(level, title_case(key) + ":");
      describe_tree(w, level + 1, child);
    } else if (child.is_array() && !child.empty() && child[0].is_object()) {
      w.line(level, title_case(key) + ":");
      for (const auto& item : child) describe_tree(w, level + 1, item);
    } else if (child.is_array()) {
      w.line(level, title_case(key) + ":");
      for (const auto& item : child) w.line(level + 1, text_of(item));
    } else {
      w.field(level, title_case(key), text_of(child));
    }
  }
}

void describe_generic(DescribeWriter& w, const Json& object) {
  write_metadata(w, object, false);
  w.field(0, "API Version", object.value("apiVersion", ""));
  w.field(0, "Kind", object.value("kind", ""));
  Json rest = object;
  for (const char* key : {"apiVersion", "kind", "metadata"}) rest.erase(key);
  describe_tree(w, 0, rest);
}

}  // namespace

std::string describe_object(const Json& object, const Json& events) {
  DescribeWriter w;
  std::string kind = object.value("kind", "");
  if (kind == "Pod")
    describe_pod(w, object);
  else if (kind == "Deployment")
    describe_deployment(w, object);
  else if (kind == "ReplicaSet")
    describe_replicaset(w, object);
  else if (kind == "Service")
    describe_service(w, object);
  else if (kind == "Node")
    describe_node(w, object);
  else if (kind == "Namespace")
    describe_namespace(w, object);
  else if (kind == "ConfigMap")
    describe_configmap(w, object);
  else if (kind == "Secret")
    describe_secret(w, object);
  else
    describe_generic(w, object);
  write_events(w, events.is_null() ? Json{{"items", Json::array()}} : events);
  return w.str();
}

Json fetch_events(Context& ctx, const Json& object) {
  const Json& metadata = object.value("metadata", Json::object());
  std::string ns = metadata.value("namespace", std::string());
  std::string selector = "involvedObject.name=" + metadata.value("name", std::string());
  if (!ns.empty()) selector += ",involvedObject.namespace=" + ns;
  if (auto uid = metadata.value("uid", std::string()); !uid.empty())
    selector += ",involvedObject.uid=" + uid;
  std::string path = ns.empty() ? "/api/v1/events" : "/api/v1/namespaces/" + ns + "/events";
  auto response = ctx.api().send("GET", path + query_string({{"fieldSelector", selector}}), {},
                                 {{"Accept", kAcceptJson}});
  if (response.status >= 400) return nullptr;
  Json list = Json::parse(response.body, nullptr, false);
  return list.is_discarded() ? Json(nullptr) : list;
}

}  // namespace skiff::kubectl
