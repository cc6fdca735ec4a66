// validate_object: ObjectMeta rules shared by every kind, then the kind's own rules
// (validation_pod.cpp, validation_workloads.cpp, validation_service.cpp, validation_config.cpp,
// validation_ingress.cpp). Rules follow k8s.io/kubernetes/pkg/apis/*/validation; where skiff
// checks less than Kubernetes, it errs on accepting.
#include "pkg/api/validation.h"

#include <algorithm>
#include <cctype>

#include "pkg/api/field_errors.h"

namespace skiff::api {

namespace validation {

void validate_labels(const Json& labels, const Path& path, Errors& errors) {
  if (labels.is_null()) return;
  if (!labels.is_object()) {
    errors.invalid(path, labels, "must be a map of string keys to string values");
    return;
  }
  for (const auto& [key, value] : labels.items()) {
    errors.invalid_each(path, key, validate_label_key(key));
    if (!value.is_string()) {
      errors.invalid(path.key(key), value, "must be a string");
      continue;
    }
    errors.invalid_each(path, value, validate_label_value(value.get<std::string>()));
  }
}

}  // namespace validation

namespace {

using validation::Errors;
using validation::get;
using validation::get_string;
using validation::Path;

constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

// DNS-1035 label: Service names must also start with a letter.
std::vector<std::string> validate_dns1035_label(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > 63) errors.push_back("must be no more than 63 characters");
  bool ok = !value.empty() && value.front() >= 'a' && value.front() <= 'z' &&
            validate_dns1123_label(value).empty();
  if (!ok) {
    errors.push_back(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
        "with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', "
        " or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return errors;
}

std::vector<std::string> validate_name_for_kind(const std::string& kind, std::string_view name) {
  if (kind == "Namespace") return validate_dns1123_label(name);
  if (kind == "Service") return validate_dns1035_label(name);
  return validate_dns1123_subdomain(name);
}

void validate_annotations(const Json& annotations, const Path& path, Errors& errors) {
  if (annotations.is_null()) return;
  if (!annotations.is_object()) {
    errors.invalid(path, annotations, "must be a map of string keys to string values");
    return;
  }
  size_t total = 0;
  for (const auto& [key, value] : annotations.items()) {
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    errors.invalid_each(path, key, validate_label_key(lower));
    total += key.size();
    if (value.is_string()) {
      total += value.get_ref<const std::string&>().size();
    } else {
      errors.invalid(path.key(key), value, "must be a string");
    }
  }
  if (total > kTotalAnnotationSizeLimit) errors.too_long(path, kTotalAnnotationSizeLimit);
}

void validate_owner_references(const Json& refs, const Path& path, Errors& errors) {
  if (!refs.is_array()) return;
  int controllers = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    const Json& ref = refs[i];
    for (const char* field : {"apiVersion", "kind", "name", "uid"}) {
      if (get_string(ref, field).empty()) errors.required(path.index(i).child(field));
    }
    if (const Json* c = get(ref, "controller"); c && c->is_boolean() && c->get<bool>()) {
      ++controllers;
    }
  }
  if (controllers > 1) {
    errors.invalid(path, refs, "Only one reference can have Controller set to true");
  }
}

void validate_metadata(const ResourceInfo& resource, const Json& object, const Json* old,
                       Errors& errors) {
  const Path path("metadata");
  const Json* metadata = get(object, "metadata");
  if (!metadata || !metadata->is_object()) {
    errors.required(path.child("name"), "name or generateName is required");
    return;
  }
  const Json* name = get(*metadata, "name");
  if (!name || (name->is_string() && name->get<std::string>().empty())) {
    if (get_string(*metadata, "generateName").empty()) {
      errors.required(path.child("name"), "name or generateName is required");
    }
  } else if (!name->is_string()) {
    errors.invalid(path.child("name"), *name, "must be a string");
  } else {
    errors.invalid_each(path.child("name"), *name,
                        validate_name_for_kind(resource.kind, name->get<std::string>()));
  }
  std::string ns = get_string(*metadata, "namespace");
  if (resource.namespaced && !ns.empty()) {
    errors.invalid_each(path.child("namespace"), ns, validate_dns1123_label(ns));
  }
  if (const Json* labels = get(*metadata, "labels")) {
    validation::validate_labels(*labels, path.child("labels"), errors);
  }
  if (const Json* annotations = get(*metadata, "annotations")) {
    validate_annotations(*annotations, path.child("annotations"), errors);
  }
  if (const Json* refs = get(*metadata, "ownerReferences")) {
    validate_owner_references(*refs, path.child("ownerReferences"), errors);
  }
  if (const Json* finalizers = get(*metadata, "finalizers"); finalizers && finalizers->is_array()) {
    for (size_t i = 0; i < finalizers->size(); ++i) {
      const Json& f = (*finalizers)[i];
      if (!f.is_string()) {
        errors.invalid(path.child("finalizers").index(i), f, "must be a string");
      } else {
        errors.invalid_each(path.child("finalizers").index(i), f,
                            validate_label_key(f.get<std::string>()));
      }
    }
  }
  if (!old) return;
  const Json* old_metadata = get(*old, "metadata");
  if (!old_metadata) return;
  for (const char* field : {"name", "namespace", "uid"}) {
    std::string now = get_string(*metadata, field);
    std::string before = get_string(*old_metadata, field);
    // An update that omits the uid keeps the stored one (Kubernetes' BeforeUpdate does so).
    if (std::string_view(field) == "uid" && now.empty()) continue;
    if (now != before) errors.immutable(path.child(field), now);
  }
}

}  // namespace

std::vector<StatusCause> validate_object(const ResourceInfo& resource, const Json& object,
                                         const Json* old) {
  Errors errors;
  if (!object.is_object()) {
    errors.invalid(Path(""), object, "the object must be a JSON object");
    return errors.causes();
  }
  validate_metadata(resource, object, old, errors);
  const std::string& kind = resource.kind;
  if (kind == "Pod") {
    if (const Json* spec = get(object, "spec")) {
      validation::validate_pod_spec(*spec, Path("spec"), false, errors);
    } else {
      errors.required(Path("spec.containers"));
    }
    if (old) validation::validate_pod_update(object, *old, errors);
  } else if (kind == "Deployment" || kind == "ReplicaSet") {
    validation::validate_workload(kind, object, old, errors);
  } else if (kind == "Service") {
    validation::validate_service(object, old, errors);
  } else if (kind == "ConfigMap" || kind == "Secret") {
    validation::validate_config_data(kind, object, old, errors);
  } else if (kind == "Ingress") {
    validation::validate_ingress(object, errors);
  }
  return errors.causes();
}

}  // namespace skiff::api
