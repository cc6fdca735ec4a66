#include "server/apiserver/write_pipeline.h"

#include "pkg/api/defaults.h"
#include "pkg/api/errors.h"
#include "pkg/api/validation.h"
#include "server/apiserver/default_ingress_class.h"
#include "server/apiserver/field_validation.h"
#include "server/apiserver/storage.h"

namespace skiff::apiserver {

namespace {

const api::ResourceInfo& namespaces_resource() {
  static const api::ResourceInfo* info = api::find_resource("", "v1", "namespaces");
  return *info;
}

std::string string_field(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) throw api::bad_request(std::string(field) + " must be a string");
  return it->get<std::string>();
}

void validate_or_throw(const api::ResourceInfo& resource, const Json& object, const Json* old) {
  auto causes = api::validate_object(resource, object, old);
  if (causes.empty()) return;
  std::string name;
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object())
    name = metadata->value("name", std::string());
  throw api::invalid(resource.group, resource.kind, name, causes);
}

// Service addresses are assigned after validation, as Kubernetes' REST storage does, so a
// malformed object is refused before any address is taken.
void reserve_service_addresses(RequestContext& context, const Json* current, Json& object) {
  if (context.resource.kind != "Service" || context.service_allocator == nullptr) return;
  context.address_reservation.reset();  // an earlier attempt of this request frees its own
  context.address_reservation = context.service_allocator->reserve(context.key(), current, object);
}

}  // namespace

void check_against_url(const RequestContext& context, Json& object) {
  const auto& resource = context.resource;
  std::string kind = string_field(object, "kind");
  std::string api_version = string_field(object, "apiVersion");
  if (!api_version.empty() && api_version != resource.api_version()) {
    throw api::bad_request("the API version in the data (" + api_version +
                           ") does not match the expected API version (" + resource.api_version() +
                           ")");
  }
  if (!kind.empty() && kind != resource.kind) {
    throw api::bad_request("the kind in the data (" + kind +
                           ") does not match the expected kind (" + resource.kind + ") for " +
                           resource.qualified());
  }
  object["kind"] = resource.kind;
  object["apiVersion"] = resource.api_version();
  if (!object.contains("metadata") || object["metadata"].is_null())
    object["metadata"] = Json::object();
  Json& metadata = object["metadata"];
  if (!metadata.is_object()) throw api::bad_request("metadata must be an object");
  if (resource.namespaced) {
    std::string body_namespace = string_field(metadata, "namespace");
    if (!body_namespace.empty() && body_namespace != context.namespace_name) {
      throw api::bad_request(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
  }
  if (!context.name.empty()) {
    std::string body_name = string_field(metadata, "name");
    if (body_name.empty()) {
      metadata["name"] = context.name;
    } else if (body_name != context.name) {
      throw api::bad_request("the name of the object (" + body_name +
                             ") does not match the name on the URL (" + context.name + ")");
    }
  }
  // Clients send "creationTimestamp": null; it is the server's field.
  if (metadata.contains("creationTimestamp") && metadata["creationTimestamp"].is_null())
    metadata.erase("creationTimestamp");
}

void check_namespace_accepts_writes(store::Store& store, const std::string& namespace_name) {
  const auto& namespaces = namespaces_resource();
  auto ns = store.get(namespaces.key("", namespace_name));
  if (!ns) throw api::not_found("namespaces", namespace_name);
  if (has_deletion_timestamp(*ns)) {
    throw api::forbidden("unable to create new content in namespace " + namespace_name +
                         " because it is being terminated");
  }
}

void admit_create(RequestContext& context, Json& object) {
  check_against_url(context, object);
  auto mode = parse_field_validation(context.request.query_value("fieldValidation"));
  enforce_field_validation(mode, context.resource, object, context.warnings);
  prepare_for_create(context.resource, object, context.namespace_name);
  if (context.resource.kind == "Namespace") {
    // Every namespace carries the `kubernetes` finalizer that the namespace controller
    // removes once the namespace is empty.
    object["spec"]["finalizers"] = Json::array({"kubernetes"});
    object["status"] = {{"phase", "Active"}};
  }
  api::apply_defaults(context.resource, object);
  admit_default_ingress_class(context, object);
  validate_or_throw(context.resource, object, nullptr);
  if (context.resource.namespaced)
    check_namespace_accepts_writes(context.store, context.namespace_name);
  reserve_service_addresses(context, nullptr, object);
}

Json admit_update(RequestContext& context, const Json& current, Json desired, UpdateScope scope) {
  if (!desired.is_object()) throw api::bad_request("the object must be a JSON object");
  check_against_url(context, desired);
  auto mode = parse_field_validation(context.request.query_value("fieldValidation"));
  enforce_field_validation(mode, context.resource, desired, context.warnings);
  Json merged = merge_for_update(context.resource, current, std::move(desired), scope);
  api::apply_defaults(context.resource, merged);
  validate_or_throw(context.resource, merged, &current);
  if (scope == UpdateScope::Main) reserve_service_addresses(context, &current, merged);
  return merged;
}

std::string name_to_create(const RequestContext& context, const Json& object) {
  std::string name = object.at("metadata").value("name", std::string());
  if (name.empty()) {
    throw api::invalid(context.resource.group, context.resource.kind, "",
                       {{"FieldValueRequired", "Required value: name or generateName is required",
                         "metadata.name"}});
  }
  return name;
}

store::ObjectPtr persist_create(RequestContext& context, Json object) {
  const std::string name = name_to_create(context, object);
  if (context.dry_run()) return std::make_shared<const Json>(std::move(object));
  try {
    return context.store.create(context.resource.key(context.namespace_name, name),
                                std::move(object));
  } catch (const store::StoreError& error) {
    throw_store_error(error, context.resource, name);
  }
}

}  // namespace skiff::apiserver
