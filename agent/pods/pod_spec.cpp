#include "agent/pods/pod_spec.h"

#include <cmath>
#include <set>

#include "pkg/api/quantity.h"

namespace skiff::agent::pods {
namespace {

// Members that are absent or null read as absent, as in the API's Go structs.
const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw SpecError(path + ": " + message);
}

const Json& object_at(const Json& parent, const char* key, const std::string& path) {
  static const Json kEmpty = Json::object();
  const Json* value = member(parent, key);
  if (!value) return kEmpty;
  if (!value->is_object()) fail(join_path(path, key), "must be an object");
  return *value;
}

const Json& array_at(const Json& parent, const char* key, const std::string& path) {
  static const Json kEmpty = Json::array();
  const Json* value = member(parent, key);
  if (!value) return kEmpty;
  if (!value->is_array()) fail(join_path(path, key), "must be a list");
  return *value;
}

std::string string_at(const Json& parent, const char* key, const std::string& path,
                      std::string fallback = "") {
  const Json* value = member(parent, key);
  if (!value) return fallback;
  if (!value->is_string()) fail(join_path(path, key), "must be a string");
  return value->get<std::string>();
}

int64_t int_at(const Json& parent, const char* key, const std::string& path, int64_t fallback) {
  const Json* value = member(parent, key);
  if (!value) return fallback;
  if (!value->is_number_integer()) fail(join_path(path, key), "must be an integer");
  return value->get<int64_t>();
}

bool bool_at(const Json& parent, const char* key, const std::string& path, bool fallback) {
  const Json* value = member(parent, key);
  if (!value) return fallback;
  if (!value->is_boolean()) fail(join_path(path, key), "must be true or false");
  return value->get<bool>();
}

std::vector<std::string> strings_at(const Json& parent, const char* key, const std::string& path) {
  std::vector<std::string> out;
  const Json& list = array_at(parent, key, path);
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string())
      fail(join_path(path, key) + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map_at(const Json& parent, const char* key,
                                                 const std::string& path) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object_at(parent, key, path).items()) {
    if (!value.is_string()) fail(join_path(path, key) + "." + name, "must be a string");
    out[name] = value.get<std::string>();
  }
  return out;
}

std::string indexed(const std::string& path, const char* key, size_t i) {
  return join_path(path, key) + "[" + std::to_string(i) + "]";
}

std::string required_string(const Json& parent, const char* key, const std::string& path) {
  std::string value = string_at(parent, key, path);
  if (value.empty()) fail(join_path(path, key), "is required");
  return value;
}

KeyRef key_ref(const Json& ref, const std::string& path) {
  KeyRef out;
  out.name = required_string(ref, "name", path);
  out.key = required_string(ref, "key", path);
  out.optional = bool_at(ref, "optional", path, false);
  return out;
}

std::vector<EnvVarSpec> parse_env(const Json& container, const std::string& path) {
  std::vector<EnvVarSpec> out;
  const Json& list = array_at(container, "env", path);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = indexed(path, "env", i);
    if (!list[i].is_object()) fail(at, "must be an object");
    EnvVarSpec env;
    env.name = required_string(list[i], "name", at);
    const Json& from = object_at(list[i], "valueFrom", at);
    const std::string from_path = at + ".valueFrom";
    if (from.empty()) {
      env.value = string_at(list[i], "value", at);
    } else if (const Json* ref = member(from, "configMapKeyRef")) {
      env.kind = EnvVarSpec::Kind::ConfigMapKey;
      env.key_ref = key_ref(*ref, from_path + ".configMapKeyRef");
    } else if (const Json* secret = member(from, "secretKeyRef")) {
      env.kind = EnvVarSpec::Kind::SecretKey;
      env.key_ref = key_ref(*secret, from_path + ".secretKeyRef");
    } else if (const Json* field = member(from, "fieldRef")) {
      env.kind = EnvVarSpec::Kind::Field;
      env.field_path = required_string(*field, "fieldPath", from_path + ".fieldRef");
    } else if (member(from, "resourceFieldRef")) {
      fail(from_path + ".resourceFieldRef", "is not supported by skiff yet");
    } else {
      fail(from_path, "needs configMapKeyRef, secretKeyRef or fieldRef");
    }
    out.push_back(std::move(env));
  }
  return out;
}

std::vector<EnvFromSpec> parse_env_from(const Json& container, const std::string& path) {
  std::vector<EnvFromSpec> out;
  const Json& list = array_at(container, "envFrom", path);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = indexed(path, "envFrom", i);
    if (!list[i].is_object()) fail(at, "must be an object");
    EnvFromSpec from;
    from.prefix = string_at(list[i], "prefix", at);
    const Json* ref = member(list[i], "configMapRef");
    std::string ref_path = at + ".configMapRef";
    if (!ref) {
      ref = member(list[i], "secretRef");
      ref_path = at + ".secretRef";
      from.kind = EnvFromSpec::Kind::Secret;
    }
    if (!ref) fail(at, "needs configMapRef or secretRef");
    from.name = required_string(*ref, "name", ref_path);
    from.optional = bool_at(*ref, "optional", ref_path, false);
    out.push_back(std::move(from));
  }
  return out;
}

std::vector<PortSpec> parse_ports(const Json& container, const std::string& path) {
  std::vector<PortSpec> out;
  const Json& list = array_at(container, "ports", path);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = indexed(path, "ports", i);
    if (!list[i].is_object()) fail(at, "must be an object");
    PortSpec port;
    port.name = string_at(list[i], "name", at);
    port.container_port = static_cast<int>(int_at(list[i], "containerPort", at, 0));
    if (port.container_port < 1 || port.container_port > 65535)
      fail(at + ".containerPort", "must be between 1 and 65535");
    port.host_port = static_cast<int>(int_at(list[i], "hostPort", at, 0));
    if (port.host_port < 0 || port.host_port > 65535)
      fail(at + ".hostPort", "must be between 0 and 65535");
    port.protocol = string_at(list[i], "protocol", at, "TCP");
    port.host_ip = string_at(list[i], "hostIP", at);
    out.push_back(std::move(port));
  }
  return out;
}

int resolve_port(const Json& parent, const std::string& path, const std::vector<PortSpec>& ports) {
  const Json* port = member(parent, "port");
  if (!port) fail(path + ".port", "is required");
  if (port->is_number_integer()) {
    int64_t number = port->get<int64_t>();
    if (number < 1 || number > 65535) fail(path + ".port", "must be between 1 and 65535");
    return static_cast<int>(number);
  }
  if (!port->is_string()) fail(path + ".port", "must be a number or a port name");
  const std::string name = port->get<std::string>();
  for (const auto& declared : ports)
    if (declared.name == name) return declared.container_port;
  // "8080" as a string is a number in an IntOrString written by hand.
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos &&
      name.size() < 6) {
    int number = std::stoi(name);
    if (number >= 1 && number <= 65535) return number;
  }
  fail(path + ".port", "no container port is named \"" + name + "\"");
}

Seconds seconds_at(const Json& parent, const char* key, const std::string& path, int64_t fallback,
                   int64_t minimum) {
  int64_t value = int_at(parent, key, path, fallback);
  if (value < minimum) fail(join_path(path, key), "must be at least " + std::to_string(minimum));
  return Seconds(value);
}

std::optional<ProbeSpec> parse_probe(const Json& container, const char* key,
                                     const std::string& container_path,
                                     const std::vector<PortSpec>& ports) {
  const Json* probe = member(container, key);
  if (!probe) return std::nullopt;
  const std::string path = join_path(container_path, key);
  if (!probe->is_object()) fail(path, "must be an object");
  ProbeSpec out;
  if (const Json* exec = member(*probe, "exec")) {
    out.kind = ProbeSpec::Kind::Exec;
    out.command = strings_at(*exec, "command", path + ".exec");
    if (out.command.empty()) fail(path + ".exec.command", "is required");
  } else if (const Json* http = member(*probe, "httpGet")) {
    const std::string at = path + ".httpGet";
    out.kind = ProbeSpec::Kind::HttpGet;
    out.port = resolve_port(*http, at, ports);
    out.host = string_at(*http, "host", at);
    out.path = string_at(*http, "path", at, "/");
    if (out.path.empty() || out.path.front() != '/') out.path = "/" + out.path;
    out.scheme = string_at(*http, "scheme", at, "HTTP");
    if (out.scheme != "HTTP" && out.scheme != "HTTPS")
      fail(at + ".scheme", "must be HTTP or HTTPS");
    const Json& headers = array_at(*http, "httpHeaders", at);
    for (size_t i = 0; i < headers.size(); ++i) {
      const std::string header_path = indexed(at, "httpHeaders", i);
      out.headers.emplace_back(required_string(headers[i], "name", header_path),
                               string_at(headers[i], "value", header_path));
    }
  } else if (const Json* tcp = member(*probe, "tcpSocket")) {
    out.kind = ProbeSpec::Kind::TcpSocket;
    out.port = resolve_port(*tcp, path + ".tcpSocket", ports);
    out.host = string_at(*tcp, "host", path + ".tcpSocket");
  } else if (member(*probe, "grpc")) {
    fail(path + ".grpc", "gRPC probes are not supported by skiff yet");
  } else {
    fail(path, "needs exec, httpGet or tcpSocket");
  }
  out.initial_delay = seconds_at(*probe, "initialDelaySeconds", path, 0, 0);
  out.period = seconds_at(*probe, "periodSeconds", path, 10, 1);
  out.timeout = seconds_at(*probe, "timeoutSeconds", path, 1, 1);
  out.success_threshold =
      static_cast<int>(seconds_at(*probe, "successThreshold", path, 1, 1).count());
  out.failure_threshold =
      static_cast<int>(seconds_at(*probe, "failureThreshold", path, 3, 1).count());
  return out;
}

int64_t limit_at(const Json& limits, const char* key, const std::string& path, double scale) {
  const Json* value = member(limits, key);
  if (!value) return 0;
  std::optional<double> quantity;
  if (value->is_string()) quantity = api::parse_quantity(value->get<std::string>());
  if (value->is_number()) quantity = value->get<double>();
  if (!quantity || *quantity < 0) fail(join_path(path, key), "is not a valid quantity");
  return static_cast<int64_t>(std::ceil(*quantity * scale));
}

ContainerSpec parse_container(const Json& container, const std::string& path,
                              std::optional<int64_t> pod_run_as_user, bool init) {
  if (!container.is_object()) fail(path, "must be an object");
  ContainerSpec out;
  out.name = required_string(container, "name", path);
  out.image = required_string(container, "image", path);
  const std::string policy = string_at(container, "imagePullPolicy", path);
  if (policy.empty())
    out.pull_policy = default_pull_policy(out.image);
  else if (policy == "Always")
    out.pull_policy = PullPolicy::Always;
  else if (policy == "IfNotPresent")
    out.pull_policy = PullPolicy::IfNotPresent;
  else if (policy == "Never")
    out.pull_policy = PullPolicy::Never;
  else
    fail(path + ".imagePullPolicy", "must be Always, IfNotPresent or Never");
  out.command = strings_at(container, "command", path);
  out.args = strings_at(container, "args", path);
  out.working_dir = string_at(container, "workingDir", path);
  out.env = parse_env(container, path);
  out.env_from = parse_env_from(container, path);
  out.ports = parse_ports(container, path);

  const Json& mounts = array_at(container, "volumeMounts", path);
  for (size_t i = 0; i < mounts.size(); ++i) {
    const std::string at = indexed(path, "volumeMounts", i);
    if (!mounts[i].is_object()) fail(at, "must be an object");
    VolumeMountSpec mount;
    mount.name = required_string(mounts[i], "name", at);
    mount.mount_path = required_string(mounts[i], "mountPath", at);
    mount.sub_path = string_at(mounts[i], "subPath", at);
    if (member(mounts[i], "subPathExpr"))
      fail(at + ".subPathExpr", "is not supported by skiff yet");
    if (mount.sub_path.find("..") != std::string::npos || mount.sub_path.starts_with("/"))
      fail(at + ".subPath", "must be a relative path without '..'");
    mount.read_only = bool_at(mounts[i], "readOnly", at, false);
    out.volume_mounts.push_back(std::move(mount));
  }

  const Json& security = object_at(container, "securityContext", path);
  out.run_as_user = pod_run_as_user;
  if (const Json* user = member(security, "runAsUser")) {
    if (!user->is_number_integer() || user->get<int64_t>() < 0)
      fail(path + ".securityContext.runAsUser", "must be a non-negative integer");
    out.run_as_user = user->get<int64_t>();
  }

  const std::string resources_path = path + ".resources";
  const Json& limits = object_at(object_at(container, "resources", path), "limits", resources_path);
  out.memory_limit_bytes = limit_at(limits, "memory", resources_path + ".limits", 1.0);
  out.cpu_limit_millicores = limit_at(limits, "cpu", resources_path + ".limits", 1000.0);

  out.startup_probe = parse_probe(container, "startupProbe", path, out.ports);
  out.liveness_probe = parse_probe(container, "livenessProbe", path, out.ports);
  out.readiness_probe = parse_probe(container, "readinessProbe", path, out.ports);
  if (init && (out.startup_probe || out.liveness_probe || out.readiness_probe))
    fail(path, "init containers may not have probes");
  if (init && member(container, "restartPolicy"))
    fail(path + ".restartPolicy", "sidecar init containers are not supported by skiff yet");

  const Json& lifecycle = object_at(container, "lifecycle", path);
  if (member(lifecycle, "postStart"))
    fail(path + ".lifecycle.postStart", "is not supported by skiff yet");
  if (const Json* pre_stop = member(lifecycle, "preStop")) {
    const std::string at = path + ".lifecycle.preStop";
    const Json* exec = member(*pre_stop, "exec");
    if (!exec) fail(at, "only exec hooks are supported by skiff yet");
    out.pre_stop_exec = strings_at(*exec, "command", at + ".exec");
    if (out.pre_stop_exec.empty()) fail(at + ".exec.command", "is required");
  }
  return out;
}

VolumeSpec parse_volume(const Json& volume, const std::string& path) {
  if (!volume.is_object()) fail(path, "must be an object");
  VolumeSpec out;
  out.name = required_string(volume, "name", path);
  auto mode_at = [&](const Json& parent, const char* key, const std::string& at) {
    int64_t mode = int_at(parent, key, at, 0644);
    if (mode < 0 || mode > 0777) fail(join_path(at, key), "must be a file mode between 0 and 0777");
    return static_cast<int>(mode);
  };
  auto read_items = [&](const Json& source, const std::string& at) {
    const Json& items = array_at(source, "items", at);
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string item_path = indexed(at, "items", i);
      KeyToPath item;
      item.key = required_string(items[i], "key", item_path);
      item.path = required_string(items[i], "path", item_path);
      if (member(items[i], "mode")) item.mode = mode_at(items[i], "mode", item_path);
      out.items.push_back(std::move(item));
    }
  };
  if (const Json* empty_dir = member(volume, "emptyDir")) {
    out.kind = VolumeSpec::Kind::EmptyDir;
    const std::string medium = string_at(*empty_dir, "medium", path + ".emptyDir");
    if (!medium.empty())
      fail(path + ".emptyDir.medium", "\"" + medium + "\" is not supported by skiff yet");
  } else if (const Json* host_path = member(volume, "hostPath")) {
    out.kind = VolumeSpec::Kind::HostPath;
    out.path = required_string(*host_path, "path", path + ".hostPath");
    if (out.path.front() != '/') fail(path + ".hostPath.path", "must be an absolute path");
    out.path_type = string_at(*host_path, "type", path + ".hostPath");
    static const std::set<std::string> kTypes = {
        "",       "DirectoryOrCreate", "Directory",  "FileOrCreate", "File",
        "Socket", "CharDevice",        "BlockDevice"};
    if (!kTypes.count(out.path_type))
      fail(path + ".hostPath.type", "\"" + out.path_type + "\" is not a hostPath type");
  } else if (const Json* config_map = member(volume, "configMap")) {
    out.kind = VolumeSpec::Kind::ConfigMap;
    const std::string at = path + ".configMap";
    out.source = required_string(*config_map, "name", at);
    out.default_mode = mode_at(*config_map, "defaultMode", at);
    out.optional = bool_at(*config_map, "optional", at, false);
    read_items(*config_map, at);
  } else if (const Json* secret = member(volume, "secret")) {
    out.kind = VolumeSpec::Kind::Secret;
    const std::string at = path + ".secret";
    out.source = required_string(*secret, "secretName", at);
    out.default_mode = mode_at(*secret, "defaultMode", at);
    out.optional = bool_at(*secret, "optional", at, false);
    read_items(*secret, at);
  } else {
    std::string kind = "this volume type";
    for (const auto& [key, value] : volume.items())
      if (key != "name") kind = key;
    fail(path, kind + " volumes are not supported by skiff yet");
  }
  for (const auto& item : out.items)
    if (item.path.empty() || item.path.front() == '/' || item.path.find("..") != std::string::npos)
      fail(path, "item path \"" + item.path + "\" must be relative and without '..'");
  return out;
}

}  // namespace

PullPolicy default_pull_policy(const std::string& image) {
  if (image.find('@') != std::string::npos) return PullPolicy::IfNotPresent;
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  const bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag || image.substr(colon + 1) == "latest") return PullPolicy::Always;
  return PullPolicy::IfNotPresent;
}

std::string to_string(RestartPolicy policy) {
  switch (policy) {
    case RestartPolicy::Always:
      return "Always";
    case RestartPolicy::OnFailure:
      return "OnFailure";
    case RestartPolicy::Never:
      return "Never";
  }
  return "Always";
}

PodKey parse_pod_key(const Json& pod) {
  if (!pod.is_object()) throw SpecError("a pod must be a JSON object");
  const Json& metadata = object_at(pod, "metadata", "");
  PodKey key;
  key.namespace_name = required_string(metadata, "namespace", "metadata");
  key.name = required_string(metadata, "name", "metadata");
  key.uid = required_string(metadata, "uid", "metadata");
  return key;
}

PodSpecView parse_pod_identity(const Json& pod) {
  PodSpecView out;
  out.key = parse_pod_key(pod);
  const Json& metadata = *member(pod, "metadata");
  const Json* spec = member(pod, "spec");
  if (spec) {
    const Json* grace = member(*spec, "terminationGracePeriodSeconds");
    if (grace && grace->is_number_integer() && grace->get<int64_t>() >= 0)
      out.termination_grace = Seconds(grace->get<int64_t>());
    const Json* node = member(*spec, "nodeName");
    if (node && node->is_string()) out.node_name = node->get<std::string>();
    // Names and images, for a status that says what is wrong with each container.
    auto lenient = [&](const char* key, std::vector<ContainerSpec>& into) {
      const Json* list = member(*spec, key);
      if (!list || !list->is_array()) return;
      for (const auto& container : *list) {
        const Json* name = member(container, "name");
        if (!name || !name->is_string()) continue;
        ContainerSpec entry;
        entry.name = name->get<std::string>();
        const Json* image = member(container, "image");
        if (image && image->is_string()) entry.image = image->get<std::string>();
        into.push_back(std::move(entry));
      }
    };
    lenient("initContainers", out.init_containers);
    lenient("containers", out.containers);
  }
  if (member(metadata, "deletionTimestamp")) {
    out.deleting = true;
    out.deletion_grace = out.termination_grace;
    const Json* grace = member(metadata, "deletionGracePeriodSeconds");
    if (grace && grace->is_number_integer() && grace->get<int64_t>() >= 0)
      out.deletion_grace = Seconds(grace->get<int64_t>());
  }
  return out;
}

PodSpecView parse_pod_spec(const Json& pod) {
  PodSpecView out;
  out.key = parse_pod_key(pod);
  const Json& metadata = object_at(pod, "metadata", "");
  out.labels = string_map_at(metadata, "labels", "metadata");
  out.annotations = string_map_at(metadata, "annotations", "metadata");

  const Json& spec = object_at(pod, "spec", "");
  out.node_name = string_at(spec, "nodeName", "spec");
  out.service_account = string_at(spec, "serviceAccountName", "spec", "default");
  out.hostname = string_at(spec, "hostname", "spec", out.key.name);
  if (out.hostname.empty()) out.hostname = out.key.name;
  const std::string restart = string_at(spec, "restartPolicy", "spec", "Always");
  if (restart == "Always")
    out.restart_policy = RestartPolicy::Always;
  else if (restart == "OnFailure")
    out.restart_policy = RestartPolicy::OnFailure;
  else if (restart == "Never")
    out.restart_policy = RestartPolicy::Never;
  else
    fail("spec.restartPolicy", "must be Always, OnFailure or Never");
  out.termination_grace = seconds_at(spec, "terminationGracePeriodSeconds", "spec", 30, 0);
  for (const char* unsupported : {"hostNetwork", "hostPID", "hostIPC"})
    if (bool_at(spec, unsupported, "spec", false))
      fail(std::string("spec.") + unsupported, "is not supported by skiff yet");
  if (!array_at(spec, "ephemeralContainers", "spec").empty())
    fail("spec.ephemeralContainers", "are not supported by skiff yet");

  std::optional<int64_t> pod_user;
  const Json& pod_security = object_at(spec, "securityContext", "spec");
  if (const Json* user = member(pod_security, "runAsUser")) {
    if (!user->is_number_integer() || user->get<int64_t>() < 0)
      fail("spec.securityContext.runAsUser", "must be a non-negative integer");
    pod_user = user->get<int64_t>();
  }

  std::set<std::string> names;
  auto read_containers = [&](const char* key, bool init, std::vector<ContainerSpec>& into) {
    const Json& list = array_at(spec, key, "spec");
    for (size_t i = 0; i < list.size(); ++i) {
      into.push_back(parse_container(list[i], indexed("spec", key, i), pod_user, init));
      if (!names.insert(into.back().name).second)
        fail(indexed("spec", key, i) + ".name", "\"" + into.back().name + "\" is used twice");
    }
  };
  read_containers("initContainers", true, out.init_containers);
  read_containers("containers", false, out.containers);
  if (out.containers.empty()) fail("spec.containers", "a pod needs at least one container");

  std::set<std::string> volume_names;
  const Json& volumes = array_at(spec, "volumes", "spec");
  for (size_t i = 0; i < volumes.size(); ++i) {
    out.volumes.push_back(parse_volume(volumes[i], indexed("spec", "volumes", i)));
    if (!volume_names.insert(out.volumes.back().name).second)
      fail(indexed("spec", "volumes", i) + ".name", "is used twice");
  }
  for (const auto* list : {&out.init_containers, &out.containers})
    for (const auto& container : *list)
      for (const auto& mount : container.volume_mounts)
        if (!volume_names.count(mount.name))
          fail("spec.containers", "container \"" + container.name + "\" mounts volume \"" +
                                      mount.name + "\", which the pod does not define");

  if (member(metadata, "deletionTimestamp")) {
    out.deleting = true;
    out.deletion_grace = seconds_at(metadata, "deletionGracePeriodSeconds", "metadata",
                                    out.termination_grace.count(), 0);
  }
  return out;
}

}  // namespace skiff::agent::pods
