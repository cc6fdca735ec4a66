// Service validation (k8s.io/kubernetes/pkg/apis/core/validation: ValidateService).
#include <set>

#include "pkg/api/field_errors.h"
#include "pkg/api/validation.h"

namespace skiff::api::validation {

namespace {

bool in_port_range(const Json& v) {
  return v.is_number_integer() && v.get<long long>() >= 1 && v.get<long long>() <= 65535;
}

void validate_service_port(const Json& port, const Path& p, bool many, std::set<std::string>& names,
                           Errors& errors) {
  std::string name = get_string(port, "name");
  if (many && name.empty()) {
    errors.required(p.child("name"));
  } else if (!name.empty()) {
    auto problems = validate_dns1123_label(name);
    errors.invalid_each(p.child("name"), name, problems);
    if (problems.empty() && !names.insert(name).second) errors.duplicate(p.child("name"), name);
  }
  const Json* number = get(port, "port");
  if (!number || *number == 0) {
    errors.required(p.child("port"));
  } else if (!in_port_range(*number)) {
    errors.invalid(p.child("port"), *number, "must be between 1 and 65535, inclusive");
  }
  if (const Json* protocol = get(port, "protocol");
      protocol && *protocol != "TCP" && *protocol != "UDP" && *protocol != "SCTP") {
    errors.not_supported(p.child("protocol"), *protocol, {"SCTP", "TCP", "UDP"});
  }
  if (const Json* target = get(port, "targetPort")) {
    if (target->is_number_integer()) {
      if (*target != 0 && !in_port_range(*target)) {
        errors.invalid(p.child("targetPort"), *target, "must be between 1 and 65535, inclusive");
      }
    } else if (target->is_string()) {
      const std::string& t = target->get_ref<const std::string&>();
      if (!t.empty() && !is_iana_svc_name(t)) {
        errors.invalid(p.child("targetPort"), *target,
                       "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), "
                       "no more than 15 characters, contain at least one letter, and not start "
                       "or end with a hyphen");
      }
    } else {
      errors.invalid(p.child("targetPort"), *target, "must be an integer or a string");
    }
  }
  if (const Json* node_port = get(port, "nodePort");
      node_port && *node_port != 0 && !in_port_range(*node_port)) {
    errors.invalid(p.child("nodePort"), *node_port, "must be between 1 and 65535, inclusive");
  }
}

}  // namespace

void validate_service(const Json& object, const Json* old, Errors& errors) {
  const Json* spec = get(object, "spec");
  Path path("spec");
  if (!spec || !spec->is_object()) {
    errors.required(path.child("ports"));
    return;
  }
  std::string type = get_string(*spec, "type");
  if (const Json* t = get(*spec, "type");
      t && *t != "ClusterIP" && *t != "NodePort" && *t != "LoadBalancer" && *t != "ExternalName") {
    errors.not_supported(path.child("type"), *t,
                         {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"});
  }
  std::string cluster_ip = get_string(*spec, "clusterIP");
  bool headless = cluster_ip == "None";
  const Json* ports = get(*spec, "ports");
  bool no_ports = !ports || !ports->is_array() || ports->empty();
  if (no_ports && !headless && type != "ExternalName") errors.required(path.child("ports"));
  if (ports && ports->is_array()) {
    std::set<std::string> names;
    for (size_t i = 0; i < ports->size(); ++i) {
      validate_service_port((*ports)[i], path.child("ports").index(i), ports->size() > 1, names,
                            errors);
    }
  }
  if (type == "ExternalName") {
    std::string external = get_string(*spec, "externalName");
    if (external.empty()) {
      errors.required(path.child("externalName"));
    } else {
      std::string host =
          external.back() == '.' ? external.substr(0, external.size() - 1) : external;
      errors.invalid_each(path.child("externalName"), external, validate_dns1123_subdomain(host));
    }
  }
  if (const Json* affinity = get(*spec, "sessionAffinity");
      affinity && *affinity != "None" && *affinity != "ClientIP") {
    errors.not_supported(path.child("sessionAffinity"), *affinity, {"ClientIP", "None"});
  }
  if (const Json* selector = get(*spec, "selector")) {
    validate_labels(*selector, path.child("selector"), errors);
  }
  if (old && type != "ExternalName") {
    const Json* old_spec = get(*old, "spec");
    std::string before = old_spec ? get_string(*old_spec, "clusterIP") : "";
    if (!before.empty() && !cluster_ip.empty() && before != cluster_ip) {
      errors.immutable(path.child("clusterIP"), cluster_ip);
    }
  }
}

}  // namespace skiff::api::validation
