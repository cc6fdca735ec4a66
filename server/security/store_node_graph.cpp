#include "server/security/store_node_graph.h"

#include <string_view>

#include "pkg/api/resources.h"

namespace skiff::security {

namespace {

const api::ResourceInfo& pods_resource() {
  static const api::ResourceInfo* pods = api::find_resource("", "v1", "pods");
  return *pods;
}

// The string at obj[field], "" when obj is not an object or the field is not a string.
std::string string_field(const Json& object, std::string_view field) {
  if (!object.is_object()) return "";
  auto it = object.find(field);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// obj[field] when it is an object, else null (so chains of lookups never throw).
const Json& object_field(const Json& object, std::string_view field) {
  static const Json null_json;
  if (!object.is_object()) return null_json;
  auto it = object.find(field);
  if (it == object.end() || !it->is_object()) return null_json;
  return *it;
}

// obj[field] when it is an array, else an empty array.
const Json& array_field(const Json& object, std::string_view field) {
  static const Json empty_array = Json::array();
  if (!object.is_object()) return empty_array;
  auto it = object.find(field);
  if (it == object.end() || !it->is_array()) return empty_array;
  return *it;
}

std::string node_of(const Json& pod) {
  return string_field(object_field(pod, "spec"), "nodeName");
}

// The field names that point at each kind, in each place a pod can point.
struct ReferenceFields {
  std::string_view volume;  // volumes[].<volume>.<volume_name>
  std::string_view volume_name;
  std::string_view key_ref;       // env[].valueFrom.<key_ref>.name
  std::string_view env_from_ref;  // envFrom[].<env_from_ref>.name
};
constexpr ReferenceFields kSecretFields = {"secret", "secretName", "secretKeyRef", "secretRef"};
constexpr ReferenceFields kConfigMapFields = {"configMap", "name", "configMapKeyRef",
                                              "configMapRef"};

bool volumes_reference(const Json& spec, const ReferenceFields& fields, const std::string& name) {
  for (const auto& volume : array_field(spec, "volumes")) {
    if (string_field(object_field(volume, fields.volume), fields.volume_name) == name) return true;
    // Projected volumes name secrets and config maps by "name" in both cases.
    for (const auto& source : array_field(object_field(volume, "projected"), "sources"))
      if (string_field(object_field(source, fields.volume), "name") == name) return true;
  }
  return false;
}

bool containers_reference(const Json& containers, const ReferenceFields& fields,
                          const std::string& name) {
  if (!containers.is_array()) return false;
  for (const auto& container : containers) {
    for (const auto& env : array_field(container, "env")) {
      const Json& ref = object_field(object_field(env, "valueFrom"), fields.key_ref);
      if (string_field(ref, "name") == name) return true;
    }
    for (const auto& from : array_field(container, "envFrom"))
      if (string_field(object_field(from, fields.env_from_ref), "name") == name) return true;
  }
  return false;
}

}  // namespace

bool pod_references(const Json& pod, const std::string& kind, const std::string& name) {
  if (name.empty()) return false;
  const ReferenceFields* fields = nullptr;
  if (kind == "secrets") fields = &kSecretFields;
  if (kind == "configmaps") fields = &kConfigMapFields;
  if (!fields) return false;
  const Json& spec = object_field(pod, "spec");
  if (volumes_reference(spec, *fields, name)) return true;
  for (std::string_view list : {"containers", "initContainers", "ephemeralContainers"})
    if (containers_reference(array_field(spec, list), *fields, name)) return true;
  if (kind == "secrets") {
    for (const auto& pull_secret : array_field(spec, "imagePullSecrets"))
      if (string_field(pull_secret, "name") == name) return true;
  }
  return false;
}

bool StoreNodeGraph::pod_on_node(const std::string& node, const std::string& namespace_name,
                                 const std::string& pod) const {
  if (node.empty() || namespace_name.empty() || pod.empty()) return false;
  store::ObjectPtr object = store_.get(pods_resource().key(namespace_name, pod));
  return object && node_of(*object) == node;
}

bool StoreNodeGraph::node_references(const std::string& node, const std::string& kind,
                                     const std::string& namespace_name,
                                     const std::string& name) const {
  if (node.empty() || namespace_name.empty() || name.empty()) return false;
  store::ListOptions options;
  options.prefix = pods_resource().key_prefix(namespace_name);
  options.filter = [&](const Json& pod) {
    return node_of(pod) == node && pod_references(pod, kind, name);
  };
  options.limit = 1;  // one referencing pod is enough
  return !store_.list(options).items.empty();
}

}  // namespace skiff::security
