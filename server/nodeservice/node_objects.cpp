#include "server/nodeservice/node_objects.h"

#include <stdexcept>

namespace skiff::nodeservice {

namespace {

const api::ResourceInfo& lookup(std::string_view kind, std::string_view api_version = "v1") {
  const api::ResourceInfo* resource = api::find_by_kind(api_version, kind);
  if (resource == nullptr)
    throw std::logic_error("unknown resource " + std::string(api_version) + " " +
                           std::string(kind));
  return *resource;
}

const Json& member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string string_member(const Json& object, const char* key) {
  const Json& value = member(object, key);
  return value.is_string() ? value.get<std::string>() : "";
}

class References {
 public:
  explicit References(std::string namespace_name) : namespace_(std::move(namespace_name)) {}

  void add(NodeObjectKind kind, const std::string& name) {
    if (!name.empty()) keys_.insert(resource_of(kind).key(namespace_, name));
  }
  void add_volume_source(const Json& volume) {
    add(NodeObjectKind::ConfigMap, string_member(member(volume, "configMap"), "name"));
    add(NodeObjectKind::Secret, string_member(member(volume, "secret"), "secretName"));
    const Json& sources = member(member(volume, "projected"), "sources");
    if (!sources.is_array()) return;
    for (const auto& source : sources) {
      add(NodeObjectKind::ConfigMap, string_member(member(source, "configMap"), "name"));
      add(NodeObjectKind::Secret, string_member(member(source, "secret"), "name"));
    }
  }
  void add_container(const Json& container) {
    const Json& env = member(container, "env");
    if (env.is_array()) {
      for (const auto& variable : env) {
        const Json& from = member(variable, "valueFrom");
        add(NodeObjectKind::ConfigMap, string_member(member(from, "configMapKeyRef"), "name"));
        add(NodeObjectKind::Secret, string_member(member(from, "secretKeyRef"), "name"));
      }
    }
    const Json& env_from = member(container, "envFrom");
    if (env_from.is_array()) {
      for (const auto& source : env_from) {
        add(NodeObjectKind::ConfigMap, string_member(member(source, "configMapRef"), "name"));
        add(NodeObjectKind::Secret, string_member(member(source, "secretRef"), "name"));
      }
    }
  }
  std::set<std::string> take() { return std::move(keys_); }

 private:
  std::string namespace_;
  std::set<std::string> keys_;
};

}  // namespace

const api::ResourceInfo& resource_of(NodeObjectKind kind) {
  static const api::ResourceInfo& pods = lookup("Pod");
  static const api::ResourceInfo& config_maps = lookup("ConfigMap");
  static const api::ResourceInfo& secrets = lookup("Secret");
  static const api::ResourceInfo& services = lookup("Service");
  static const api::ResourceInfo& endpoint_slices = lookup("EndpointSlice", "discovery.k8s.io/v1");
  static const api::ResourceInfo& nodes = lookup("Node");
  static const api::ResourceInfo& ingresses = lookup("Ingress", "networking.k8s.io/v1");
  switch (kind) {
    case NodeObjectKind::Pod:
      return pods;
    case NodeObjectKind::ConfigMap:
      return config_maps;
    case NodeObjectKind::Secret:
      return secrets;
    case NodeObjectKind::Service:
      return services;
    case NodeObjectKind::EndpointSlice:
      return endpoint_slices;
    case NodeObjectKind::Node:
      return nodes;
    case NodeObjectKind::Ingress:
      return ingresses;
  }
  throw std::logic_error("unknown node object kind");
}

bool is_cluster_wide(NodeObjectKind kind) {
  return kind == NodeObjectKind::Service || kind == NodeObjectKind::EndpointSlice ||
         kind == NodeObjectKind::Node || kind == NodeObjectKind::Ingress;
}

std::optional<NodeObjectKind> kind_of_key(std::string_view key) {
  static const std::pair<std::string, NodeObjectKind> prefixes[] = {
      {resource_of(NodeObjectKind::Pod).key_prefix(), NodeObjectKind::Pod},
      {resource_of(NodeObjectKind::ConfigMap).key_prefix(), NodeObjectKind::ConfigMap},
      {resource_of(NodeObjectKind::Secret).key_prefix(), NodeObjectKind::Secret},
      {resource_of(NodeObjectKind::Service).key_prefix(), NodeObjectKind::Service},
      {resource_of(NodeObjectKind::EndpointSlice).key_prefix(), NodeObjectKind::EndpointSlice},
      {resource_of(NodeObjectKind::Node).key_prefix(), NodeObjectKind::Node},
      {resource_of(NodeObjectKind::Ingress).key_prefix(), NodeObjectKind::Ingress}};
  for (const auto& [prefix, kind] : prefixes) {
    if (key.starts_with(prefix)) return kind;
  }
  return std::nullopt;
}

std::string node_name_of(const Json& pod) {
  return string_member(member(pod, "spec"), "nodeName");
}

std::set<std::string> pod_dependency_keys(const Json& pod) {
  References references(string_member(member(pod, "metadata"), "namespace"));
  const Json& spec = member(pod, "spec");
  const Json& volumes = member(spec, "volumes");
  if (volumes.is_array()) {
    for (const auto& volume : volumes) references.add_volume_source(volume);
  }
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const Json& containers = member(spec, list);
    if (!containers.is_array()) continue;
    for (const auto& container : containers) references.add_container(container);
  }
  const Json& pull_secrets = member(spec, "imagePullSecrets");
  if (pull_secrets.is_array()) {
    for (const auto& secret : pull_secrets) {
      references.add(NodeObjectKind::Secret, string_member(secret, "name"));
    }
  }
  return references.take();
}

std::set<std::string> ingress_dependency_keys(const Json& ingress) {
  References references(string_member(member(ingress, "metadata"), "namespace"));
  const Json& tls = member(member(ingress, "spec"), "tls");
  if (tls.is_array()) {
    for (const auto& entry : tls) {
      references.add(NodeObjectKind::Secret, string_member(entry, "secretName"));
    }
  }
  return references.take();
}

std::set<std::string> dependency_keys(NodeObjectKind kind, const Json& object) {
  switch (kind) {
    case NodeObjectKind::Pod:
      return pod_dependency_keys(object);
    case NodeObjectKind::Ingress:
      return ingress_dependency_keys(object);
    default:
      return {};
  }
}

}  // namespace skiff::nodeservice
