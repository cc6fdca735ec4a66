// PodSpec validation (k8s.io/kubernetes/pkg/apis/core/validation: ValidatePodSpec), for Pods
// and for the pod templates of Deployments and ReplicaSets.
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "pkg/api/field_errors.h"
#include "pkg/api/quantity.h"
#include "pkg/api/validation.h"

namespace skiff::api::validation {

namespace {

bool is_port_number(const Json& v) {
  return v.is_number_integer() && v.get<long long>() >= 1 && v.get<long long>() <= 65535;
}

void validate_container_ports(const Json& ports, const Path& path, Errors& errors) {
  if (!ports.is_array()) return;
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const Json& port = ports[i];
    Path p = path.index(i);
    const Json* container_port = get(port, "containerPort");
    if (!container_port || *container_port == 0) {
      errors.required(p.child("containerPort"));
    } else if (!is_port_number(*container_port)) {
      errors.invalid(p.child("containerPort"), *container_port,
                     "must be between 1 and 65535, inclusive");
    }
    if (const Json* host_port = get(port, "hostPort");
        host_port && *host_port != 0 && !is_port_number(*host_port)) {
      errors.invalid(p.child("hostPort"), *host_port, "must be between 1 and 65535, inclusive");
    }
    if (const Json* protocol = get(port, "protocol");
        protocol && *protocol != "TCP" && *protocol != "UDP" && *protocol != "SCTP") {
      errors.not_supported(p.child("protocol"), *protocol, {"SCTP", "TCP", "UDP"});
    }
    std::string name = get_string(port, "name");
    if (!name.empty()) {
      if (!is_iana_svc_name(name)) {
        errors.invalid(p.child("name"), name,
                       "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), "
                       "no more than 15 characters, contain at least one letter, and not start "
                       "or end with a hyphen");
      } else if (!names.insert(name).second) {
        errors.duplicate(p.child("name"), name);
      }
    }
  }
}

void validate_env(const Json& env, const Path& path, Errors& errors) {
  if (!env.is_array()) return;
  for (size_t i = 0; i < env.size(); ++i) {
    const Json& var = env[i];
    Path p = path.index(i);
    std::string name = get_string(var, "name");
    if (name.empty()) {
      errors.required(p.child("name"));
    } else {
      // RelaxedEnvironmentVariableValidation (on by default in 1.32): printable ASCII but '='.
      bool ok = true;
      for (char c : name) ok = ok && c >= ' ' && c <= '~' && c != '=';
      if (!ok) {
        errors.invalid(p.child("name"), name,
                       "a valid environment variable name must consist only of printable ASCII "
                       "characters other than '='");
      }
    }
    if (get(var, "valueFrom") && !get_string(var, "value").empty()) {
      errors.invalid(p.child("valueFrom"), "", "may not be specified when `value` is not empty");
    }
  }
}

void validate_volume_mounts(const Json& mounts, const Path& path,
                            const std::set<std::string>& volumes, Errors& errors) {
  if (!mounts.is_array()) return;
  std::set<std::string> paths;
  for (size_t i = 0; i < mounts.size(); ++i) {
    const Json& mount = mounts[i];
    Path p = path.index(i);
    std::string name = get_string(mount, "name");
    if (name.empty()) {
      errors.required(p.child("name"));
    } else if (!volumes.count(name)) {
      errors.not_found(p.child("name"), name);
    }
    std::string mount_path = get_string(mount, "mountPath");
    if (mount_path.empty()) {
      errors.required(p.child("mountPath"));
    } else if (!paths.insert(mount_path).second) {
      errors.invalid(p.child("mountPath"), mount_path, "must be unique");
    }
  }
}

void validate_probe(const Json& probe, const Path& path, Errors& errors) {
  int handlers = 0;
  for (const char* h : {"exec", "httpGet", "tcpSocket", "grpc"}) handlers += get(probe, h) ? 1 : 0;
  if (handlers == 0) {
    errors.required(path, "must specify a handler type");
  } else if (handlers > 1) {
    errors.forbidden(path, "may not specify more than 1 handler type");
  }
  for (const char* field : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                            "successThreshold", "failureThreshold"}) {
    const Json* v = get(probe, field);
    if (v && v->is_number() && v->get<double>() < 0) {
      errors.invalid(path.child(field), *v, "must be greater than or equal to 0");
    }
  }
}

void validate_resources(const Json& resources, const Path& path, Errors& errors) {
  std::map<std::string, double> limits;
  for (const char* kind : {"limits", "requests"}) {
    const Json* list = get(resources, kind);
    if (!list || !list->is_object()) continue;
    for (const auto& [name, value] : list->items()) {
      Path p = path.child(kind).key(name);
      std::optional<double> amount;
      if (value.is_string()) amount = parse_quantity(value.get<std::string>());
      if (value.is_number()) amount = value.get<double>();
      if (!amount) {
        errors.invalid(p, value,
                       "quantities must match the regular expression "
                       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        continue;
      }
      if (*amount < 0) {
        errors.invalid(p, value, "must be greater than or equal to 0");
        continue;
      }
      if (std::string_view(kind) == "limits") {
        limits[name] = *amount;
      } else if (auto limit = limits.find(name);
                 limit != limits.end() && *amount > limit->second * (1 + 1e-12)) {
        const Json& shown_limit = (*get(resources, "limits"))[name];
        errors.invalid(
            path.child("requests"), value,
            "must be less than or equal to " + name + " limit of " +
                (shown_limit.is_string() ? shown_limit.get<std::string>() : shown_limit.dump()));
      }
    }
  }
}

void validate_container(const Json& container, const Path& path,
                        const std::set<std::string>& volumes, std::set<std::string>& names,
                        Errors& errors) {
  std::string name = get_string(container, "name");
  if (name.empty()) {
    errors.required(path.child("name"));
  } else {
    auto problems = validate_dns1123_label(name);
    errors.invalid_each(path.child("name"), name, problems);
    if (problems.empty() && !names.insert(name).second) errors.duplicate(path.child("name"), name);
  }
  std::string image = get_string(container, "image");
  if (image.empty()) {
    errors.required(path.child("image"));
  } else if (std::isspace(static_cast<unsigned char>(image.front())) ||
             std::isspace(static_cast<unsigned char>(image.back()))) {
    errors.invalid(path.child("image"), image, "must not have leading or trailing whitespace");
  }
  if (const Json* policy = get(container, "imagePullPolicy");
      policy && *policy != "Always" && *policy != "IfNotPresent" && *policy != "Never") {
    errors.not_supported(path.child("imagePullPolicy"), *policy,
                         {"Always", "IfNotPresent", "Never"});
  }
  if (const Json* policy = get(container, "terminationMessagePolicy");
      policy && *policy != "File" && *policy != "FallbackToLogsOnError") {
    errors.not_supported(path.child("terminationMessagePolicy"), *policy,
                         {"File", "FallbackToLogsOnError"});
  }
  if (const Json* ports = get(container, "ports")) {
    validate_container_ports(*ports, path.child("ports"), errors);
  }
  if (const Json* env = get(container, "env")) validate_env(*env, path.child("env"), errors);
  if (const Json* mounts = get(container, "volumeMounts")) {
    validate_volume_mounts(*mounts, path.child("volumeMounts"), volumes, errors);
  }
  if (const Json* resources = get(container, "resources")) {
    validate_resources(*resources, path.child("resources"), errors);
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (const Json* p = get(container, probe); p && p->is_object()) {
      validate_probe(*p, path.child(probe), errors);
    }
  }
}

std::set<std::string> validate_volumes(const Json& volumes, const Path& path, Errors& errors) {
  std::set<std::string> names;
  if (!volumes.is_array()) return names;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const Json& volume = volumes[i];
    Path p = path.index(i);
    std::string name = get_string(volume, "name");
    if (name.empty()) {
      errors.required(p.child("name"));
    } else {
      auto problems = validate_dns1123_label(name);
      errors.invalid_each(p.child("name"), name, problems);
      if (!names.insert(name).second) errors.duplicate(p.child("name"), name);
    }
    if (volume.is_object() && volume.size() == 1 && volume.contains("name")) {
      errors.required(p, "must specify a volume type");
    }
  }
  return names;
}

void validate_tolerations(const Json& tolerations, const Path& path, Errors& errors) {
  if (!tolerations.is_array()) return;
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const Json& t = tolerations[i];
    Path p = path.index(i);
    std::string op = get_string(t, "operator");
    if (!op.empty() && op != "Exists" && op != "Equal") {
      errors.not_supported(p.child("operator"), op, {"Equal", "Exists"});
    }
    if (op == "Exists" && !get_string(t, "value").empty()) {
      errors.invalid(p.child("operator"), op, "value must be empty when `operator` is 'Exists'");
    }
    if (get_string(t, "key").empty() && op != "Exists") {
      errors.invalid(p.child("operator"), op,
                     "operator must be Exists when `key` is empty, which means \"match all "
                     "values and all keys\"");
    }
    std::string effect = get_string(t, "effect");
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" &&
        effect != "NoExecute") {
      errors.not_supported(p.child("effect"), effect,
                           {"NoExecute", "NoSchedule", "PreferNoSchedule"});
    }
  }
}

}  // namespace

bool is_iana_svc_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name.front() == '-' || name.back() == '-') return false;
  if (name.find("--") != std::string_view::npos) return false;
  bool letter = false;
  for (char c : name) {
    bool lower = c >= 'a' && c <= 'z';
    letter = letter || lower;
    if (!lower && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return letter;
}

void validate_pod_spec(const Json& spec, const Path& path, bool is_template, Errors& errors) {
  if (!spec.is_object()) {
    errors.invalid(path, spec, "must be an object");
    return;
  }
  std::set<std::string> volumes;
  if (const Json* v = get(spec, "volumes"))
    volumes = validate_volumes(*v, path.child("volumes"), errors);
  std::set<std::string> container_names;
  const Json* containers = get(spec, "containers");
  if (!containers || !containers->is_array() || containers->empty()) {
    errors.required(path.child("containers"));
  } else {
    for (size_t i = 0; i < containers->size(); ++i) {
      validate_container((*containers)[i], path.child("containers").index(i), volumes,
                         container_names, errors);
    }
  }
  if (const Json* init = get(spec, "initContainers"); init && init->is_array()) {
    for (size_t i = 0; i < init->size(); ++i) {
      validate_container((*init)[i], path.child("initContainers").index(i), volumes,
                         container_names, errors);
    }
  }
  if (const Json* restart = get(spec, "restartPolicy")) {
    if (is_template) {
      if (*restart != "Always")
        errors.not_supported(path.child("restartPolicy"), *restart, {"Always"});
    } else if (*restart != "Always" && *restart != "OnFailure" && *restart != "Never") {
      errors.not_supported(path.child("restartPolicy"), *restart, {"Always", "OnFailure", "Never"});
    }
  }
  if (const Json* dns = get(spec, "dnsPolicy"); dns && *dns != "ClusterFirstWithHostNet" &&
                                                *dns != "ClusterFirst" && *dns != "Default" &&
                                                *dns != "None") {
    errors.not_supported(path.child("dnsPolicy"), *dns,
                         {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
  }
  if (const Json* deadline = get(spec, "activeDeadlineSeconds");
      deadline && deadline->is_number() && deadline->get<double>() <= 0) {
    errors.invalid(path.child("activeDeadlineSeconds"), *deadline,
                   "must be between 1 and 2147483647, inclusive");
  }
  if (const Json* t = get(spec, "tolerations"))
    validate_tolerations(*t, path.child("tolerations"), errors);
  if (const Json* selector = get(spec, "nodeSelector")) {
    validate_labels(*selector, path.child("nodeSelector"), errors);
  }
  std::string service_account = get_string(spec, "serviceAccountName");
  if (!service_account.empty()) {
    errors.invalid_each(path.child("serviceAccountName"), service_account,
                        validate_dns1123_subdomain(service_account));
  }
}

}  // namespace skiff::api::validation
