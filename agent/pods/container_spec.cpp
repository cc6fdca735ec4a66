// parse_pod_spec's containers: command, env, ports, mounts, security context, limits, probes
// and lifecycle hooks.
#include <cmath>

#include "agent/pods/spec_json.h"
#include "pkg/api/quantity.h"

namespace skiff::agent::pods::spec_json {
namespace {

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

}  // namespace

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

}  // namespace skiff::agent::pods::spec_json
