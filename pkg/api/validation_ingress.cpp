// Ingress validation (k8s.io/kubernetes/pkg/apis/networking/validation: ValidateIngress).
#include "pkg/api/field_errors.h"
#include "pkg/api/validation.h"

namespace skiff::api::validation {

namespace {

void validate_backend(const Json& backend, const Path& path, Errors& errors) {
  const Json* service = get(backend, "service");
  const Json* resource = get(backend, "resource");
  if (service && resource) {
    errors.invalid(path, backend, "cannot set both resource and service backends");
    return;
  }
  if (resource) {
    if (get_string(*resource, "kind").empty())
      errors.required(path.child("resource").child("kind"));
    if (get_string(*resource, "name").empty())
      errors.required(path.child("resource").child("name"));
    return;
  }
  if (!service) {
    errors.invalid(path, backend, "resource or service backend is required");
    return;
  }
  Path sp = path.child("service");
  std::string name = get_string(*service, "name");
  if (name.empty()) {
    errors.required(sp.child("name"));
  } else {
    errors.invalid_each(sp.child("name"), name, validate_dns1123_label(name));
  }
  const Json* port = get(*service, "port");
  bool has_name = port && !get_string(*port, "name").empty();
  const Json* number = port ? get(*port, "number") : nullptr;
  bool has_number = number && *number != 0;
  if (has_name && has_number) {
    errors.invalid(sp.child("port"), *port, "cannot set both port name & port number");
  } else if (!has_name && !has_number) {
    errors.required(sp.child("port"), "port name or number is required");
  } else if (has_number && (!number->is_number_integer() || number->get<long long>() < 1 ||
                            number->get<long long>() > 65535)) {
    errors.invalid(sp.child("port").child("number"), *number,
                   "must be between 1 and 65535, inclusive");
  }
}

void validate_host(const std::string& host, const Path& path, Errors& errors) {
  std::string name = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
  bool ip = !name.empty() && name.find_first_not_of("0123456789.") == std::string::npos;
  if (ip) {
    errors.invalid(path, host, "must be a DNS name, not an IP address");
    return;
  }
  errors.invalid_each(path, host, validate_dns1123_subdomain(name));
}

void validate_path(const Json& http_path, const Path& p, Errors& errors) {
  std::string path_type = get_string(http_path, "pathType");
  std::string path = get_string(http_path, "path");
  if (!get(http_path, "pathType")) {
    errors.required(p.child("pathType"), "pathType must be specified");
  } else if (path_type != "Exact" && path_type != "Prefix" &&
             path_type != "ImplementationSpecific") {
    errors.not_supported(p.child("pathType"), http_path["pathType"],
                         {"Exact", "ImplementationSpecific", "Prefix"});
  } else if (path_type != "ImplementationSpecific" && (path.empty() || path.front() != '/')) {
    errors.invalid(p.child("path"), path, "must be an absolute path");
  } else if (!path.empty() && path.front() != '/') {
    errors.invalid(p.child("path"), path, "must be an absolute path");
  }
  if (const Json* backend = get(http_path, "backend")) {
    validate_backend(*backend, p.child("backend"), errors);
  } else {
    errors.required(p.child("backend"));
  }
}

}  // namespace

void validate_ingress(const Json& object, Errors& errors) {
  const Json* spec = get(object, "spec");
  Path path("spec");
  const Json* rules = spec ? get(*spec, "rules") : nullptr;
  const Json* default_backend = spec ? get(*spec, "defaultBackend") : nullptr;
  bool no_rules = !rules || !rules->is_array() || rules->empty();
  if (no_rules && !default_backend) {
    errors.invalid(path, spec ? *spec : Json::object(),
                   "either `defaultBackend` or `rules` must be specified");
    return;
  }
  if (default_backend) validate_backend(*default_backend, path.child("defaultBackend"), errors);
  if (const Json* cls = get(*spec, "ingressClassName"); cls && cls->is_string()) {
    errors.invalid_each(path.child("ingressClassName"), *cls,
                        validate_dns1123_subdomain(cls->get<std::string>()));
  }
  if (no_rules) return;
  for (size_t i = 0; i < rules->size(); ++i) {
    const Json& rule = (*rules)[i];
    Path rp = path.child("rules").index(i);
    std::string host = get_string(rule, "host");
    if (!host.empty()) validate_host(host, rp.child("host"), errors);
    const Json* http = get(rule, "http");
    if (!http) continue;
    const Json* paths = get(*http, "paths");
    if (!paths || !paths->is_array() || paths->empty()) {
      errors.required(rp.child("http").child("paths"));
      continue;
    }
    for (size_t j = 0; j < paths->size(); ++j) {
      validate_path((*paths)[j], rp.child("http").child("paths").index(j), errors);
    }
  }
}

}  // namespace skiff::api::validation
