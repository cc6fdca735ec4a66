#include "server/apiserver/default_ingress_class.h"

#include <algorithm>

#include "pkg/api/resources.h"

namespace skiff::apiserver {

namespace {

const Json* member(const Json& object, const char* field) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(field);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const Json& object, const char* field) {
  const Json* value = member(object, field);
  return value && value->is_string() ? value->get<std::string>() : "";
}

const Json& metadata_of(const Json& object) {
  static const Json empty = Json::object();
  const Json* metadata = member(object, "metadata");
  return metadata ? *metadata : empty;
}

bool marked_default(const Json& ingress_class) {
  const Json* annotations = member(metadata_of(ingress_class), "annotations");
  return annotations && string_member(*annotations, kDefaultIngressClassAnnotation) == "true";
}

}  // namespace

bool ingress_names_class(const Json& ingress) {
  const Json* spec = member(ingress, "spec");
  if (spec) {
    const Json* name = member(*spec, "ingressClassName");
    if (name && !name->is_null()) return true;
  }
  const Json* annotations = member(metadata_of(ingress), "annotations");
  return annotations && member(*annotations, kLegacyIngressClassAnnotation) != nullptr;
}

std::string default_ingress_class(const std::vector<store::ObjectPtr>& classes) {
  const Json* newest = nullptr;
  for (const auto& candidate : classes) {
    if (!candidate || !marked_default(*candidate)) continue;
    if (newest == nullptr) {
      newest = candidate.get();
      continue;
    }
    // RFC 3339 UTC timestamps of one format order as strings.
    const std::string created = string_member(metadata_of(*candidate), "creationTimestamp");
    const std::string newest_created = string_member(metadata_of(*newest), "creationTimestamp");
    const std::string name = string_member(metadata_of(*candidate), "name");
    const std::string newest_name = string_member(metadata_of(*newest), "name");
    if (created > newest_created || (created == newest_created && name < newest_name))
      newest = candidate.get();
  }
  return newest ? string_member(metadata_of(*newest), "name") : "";
}

void admit_default_ingress_class(RequestContext& context, Json& object) {
  if (context.resource.kind != "Ingress" || !context.subresource.empty()) return;
  if (ingress_names_class(object)) return;
  static const api::ResourceInfo* classes_resource =
      api::find_resource("networking.k8s.io", "v1", "ingressclasses");
  store::ListOptions options;
  options.prefix = classes_resource->key_prefix();
  const std::string name = default_ingress_class(context.store.list(options).items);
  if (name.empty()) return;
  Json& spec = object["spec"];
  if (spec.is_null()) spec = Json::object();
  if (spec.is_object()) spec["ingressClassName"] = name;  // anything else fails validation
}

}  // namespace skiff::apiserver
