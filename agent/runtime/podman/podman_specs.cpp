#include "agent/runtime/podman/podman_specs.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "agent/runtime/podman/podman_client.h"

namespace skiff::agent::runtime::podman {
namespace {

// CPU limits as a CFS quota over this period (the kubelet's choice too).
constexpr int64_t kCpuPeriodMicros = 100'000;

RuntimeError invalid(const std::string& message) {
  return RuntimeError(ErrorCode::Invalid, message);
}

// Podman accepts [a-zA-Z0-9][a-zA-Z0-9_.-]* in names; every part of ours must fit.
void require_name_part(std::string_view what, const std::string& value) {
  if (value.empty()) throw invalid(std::string(what) + " must not be empty");
  const bool ok = std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
  if (!ok || !std::isalnum(static_cast<unsigned char>(value.front())))
    throw invalid(std::string(what) + " \"" + value +
                  "\" may only hold letters, digits, '-' and '.', starting with a letter or digit");
}

void require_pod_metadata(const PodMetadata& pod) {
  require_name_part("pod name", pod.name);
  require_name_part("pod namespace", pod.namespace_name);
  require_name_part("pod uid", pod.uid);
}

Json labels_json(const Labels& labels) {
  Json out = Json::object();
  for (const auto& [key, value] : labels) out[key] = value;
  return out;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Json port_mappings_json(const std::vector<PortMapping>& ports) {
  Json out = Json::array();
  for (const auto& port : ports) {
    if (port.container_port < 1 || port.container_port > 65535)
      throw invalid("container port " + std::to_string(port.container_port) + " is out of range");
    if (port.host_port < 0 || port.host_port > 65535)
      throw invalid("host port " + std::to_string(port.host_port) + " is out of range");
    const std::string protocol = lower(port.protocol.empty() ? "TCP" : port.protocol);
    if (protocol != "tcp" && protocol != "udp" && protocol != "sctp")
      throw invalid("port protocol \"" + port.protocol + "\" is not TCP, UDP or SCTP");
    if (port.host_port == 0) continue;  // only published ports concern the runtime
    Json mapping = {{"container_port", port.container_port},
                    {"host_port", port.host_port},
                    {"protocol", protocol}};
    if (!port.host_ip.empty()) mapping["host_ip"] = port.host_ip;
    out.push_back(std::move(mapping));
  }
  return out;
}

}  // namespace

std::string sandbox_name(const PodMetadata& pod) {
  return "k8s_" + pod.name + "_" + pod.namespace_name + "_" + pod.uid + "_" +
         std::to_string(pod.attempt);
}

std::string container_name(const PodMetadata& pod, const ContainerConfig& container) {
  return "k8s_" + container.name + "_" + pod.name + "_" + pod.namespace_name + "_" + pod.uid + "_" +
         std::to_string(container.attempt);
}

Json pod_create_body(const PodSandboxConfig& config) {
  require_pod_metadata(config.metadata);
  Labels labels = kubernetes_labels(config.metadata, config.labels);
  labels[std::string(kAttemptLabel)] = std::to_string(config.metadata.attempt);

  Json body = {
      {"name", sandbox_name(config.metadata)},
      {"hostname", config.hostname.empty() ? config.metadata.name : config.hostname},
      {"labels", labels_json(labels)},
      // A private network namespace on a bridge: the pod gets its own IP, reachable from the host.
      {"netns", {{"nsmode", "bridge"}}},
  };
  Json ports = port_mappings_json(config.port_mappings);
  if (!ports.empty()) body["portmappings"] = std::move(ports);
  if (!config.network.empty()) body["Networks"] = {{config.network, Json::object()}};
  // The pod's resolv.conf, shared by its containers (libpod PodSpecGenerator).
  if (!config.dns_servers.empty()) body["dns_server"] = config.dns_servers;
  if (!config.dns_searches.empty()) body["dns_search"] = config.dns_searches;
  if (!config.dns_options.empty()) body["dns_option"] = config.dns_options;
  return body;
}

Json container_create_body(const std::string& sandbox_id, const ContainerConfig& config,
                           const PodSandboxConfig& sandbox) {
  require_pod_metadata(sandbox.metadata);
  require_name_part("container name", config.name);
  if (sandbox_id.empty()) throw invalid("a container needs a sandbox id");
  if (config.image.empty()) throw invalid("container \"" + config.name + "\" has no image");

  Labels labels = kubernetes_labels(sandbox.metadata, config.labels, config.name);
  labels[std::string(kAttemptLabel)] = std::to_string(config.attempt);

  Json body = {
      {"name", container_name(sandbox.metadata, config)},
      {"pod", sandbox_id},
      {"image", config.image},
      {"labels", labels_json(labels)},
      {"terminal", false},
      {"stdin", false},
  };

  // Kubernetes `command` is the ENTRYPOINT and `args` the CMD. Podman, like Docker, drops the
  // image's CMD when an entrypoint is given, which is what Kubernetes wants when only `command`
  // is set.
  if (!config.command.empty()) body["entrypoint"] = config.command;
  if (!config.args.empty()) body["command"] = config.args;

  if (!config.env.empty()) {
    Json env = Json::object();
    for (const auto& [name, value] : config.env) {
      if (name.empty() || name.find('=') != std::string::npos)
        throw invalid("environment variable name \"" + name + "\" is not valid");
      env[name] = value;  // later entries win, as in a Pod spec
    }
    body["env"] = std::move(env);
  }
  if (!config.working_dir.empty()) {
    if (config.working_dir.front() != '/')
      throw invalid("working dir \"" + config.working_dir + "\" is not an absolute path");
    body["work_dir"] = config.working_dir;
  }

  if (!config.mounts.empty()) {
    Json mounts = Json::array();
    for (const auto& mount : config.mounts) {
      if (mount.host_path.empty() || mount.host_path.front() != '/' ||
          mount.container_path.empty() || mount.container_path.front() != '/')
        throw invalid("mount \"" + mount.host_path + "\" -> \"" + mount.container_path +
                      "\" needs two absolute paths");
      mounts.push_back({{"type", "bind"},
                        {"source", mount.host_path},
                        {"destination", mount.container_path},
                        {"options", {"rbind", mount.read_only ? "ro" : "rw"}}});
    }
    body["mounts"] = std::move(mounts);
  }

  (void)port_mappings_json(config.ports);  // validated; published by the sandbox, not here

  if (config.run_as_user) {
    if (*config.run_as_user < 0) throw invalid("run-as user must not be negative");
    body["user"] = std::to_string(*config.run_as_user);
  }

  if (config.memory_limit_bytes < 0 || config.cpu_limit_millicores < 0)
    throw invalid("resource limits must not be negative");
  Json limits = Json::object();
  if (config.memory_limit_bytes > 0) limits["memory"] = {{"limit", config.memory_limit_bytes}};
  if (config.cpu_limit_millicores > 0) {
    // At least 1 ms of quota, the kernel's minimum.
    const int64_t quota =
        std::max<int64_t>(1000, config.cpu_limit_millicores * kCpuPeriodMicros / 1000);
    limits["cpu"] = {{"quota", quota}, {"period", kCpuPeriodMicros}};
  }
  if (!limits.empty()) body["resource_limits"] = std::move(limits);

  // Always the CRI file format, wherever the file goes (see container_log.h).
  Json log = {{"driver", "k8s-file"}};
  if (!config.log_path.empty()) {
    if (config.log_path.front() != '/')
      throw invalid("log path \"" + config.log_path + "\" is not an absolute path");
    log["path"] = config.log_path;
  }
  body["log_configuration"] = std::move(log);
  return body;
}

std::string list_filters_query(const Labels& labels, const std::string& sandbox_id) {
  std::map<std::string, std::vector<std::string>> filters;
  for (const auto& [key, value] : labels) filters["label"].push_back(key + "=" + value);
  if (!sandbox_id.empty()) filters["pod"].push_back(sandbox_id);
  if (filters.empty()) return "";
  return url_encode(Json(filters).dump());
}

}  // namespace skiff::agent::runtime::podman
