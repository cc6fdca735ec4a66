#include "agent/runtime/podman/podman_runtime.h"

#include <algorithm>

#include "agent/runtime/container_log.h"
#include "agent/runtime/podman/podman_parse.h"
#include "agent/runtime/podman/podman_specs.h"

namespace skiff::agent::runtime::podman {
namespace {

// An id or image reference as one path segment; an empty one is the caller's mistake.
std::string segment(const std::string& id, std::string_view what) {
  if (id.empty()) throw RuntimeError(ErrorCode::Invalid, std::string(what) + " is empty");
  return url_encode(id);
}

bool is_not_found(const RuntimeError& error) {
  return error.code() == ErrorCode::NotFound;
}

// Podman reports per-container failures of pod verbs in a list ("Errs") or one "Err".
void throw_on_report_errors(const Json& report, std::string_view what) {
  for (const char* key : {"Errs", "Err"}) {
    auto found = report.is_object() ? report.find(key) : report.end();
    if (!report.is_object() || found == report.end() || found->is_null()) continue;
    if (found->is_array() && found->empty()) continue;
    throw RuntimeError(ErrorCode::Internal, std::string(what) + ": " + found->dump());
  }
}

}  // namespace

PodmanRuntime::PodmanRuntime(PodmanRuntimeOptions options)
    : options_(std::move(options)), client_(options_.socket_path) {}

PodmanResponse PodmanRuntime::call(std::string_view method, const std::string& path,
                                   std::string_view body, std::string_view what,
                                   std::chrono::milliseconds timeout) {
  PodmanResponse response =
      client_.request(method, path, body, timeout.count() > 0 ? timeout : options_.request_timeout);
  if (response.status >= 400) throw error_from_response(response.status, response.body, what);
  return response;
}

Json PodmanRuntime::call_json(std::string_view method, const std::string& path,
                              std::string_view body, std::string_view what) {
  return parse_json(call(method, path, body, what).body, what);
}

RuntimeVersion PodmanRuntime::version() {
  const Json reply = call_json("GET", "/version", {}, "podman version");
  RuntimeVersion version{"podman", json_string(reply, "Version"), ""};
  const Json& components = json_member(reply, "Components");
  if (components.is_array() && !components.empty())
    version.api_version = json_string(json_member(components[0], "Details"), "APIVersion");
  return version;
}

// ---- sandboxes ----

std::string PodmanRuntime::run_pod_sandbox(const PodSandboxConfig& config) {
  const Json body = pod_create_body(config);
  const std::string what = "creating pod sandbox " + sandbox_name(config.metadata);
  const Json created = call_json("POST", "/pods/create", body.dump(), what);
  const std::string id = json_string(created, "Id");
  if (id.empty()) throw RuntimeError(ErrorCode::Internal, what + ": podman returned no id");
  try {
    const PodmanResponse started = call("POST", "/pods/" + id + "/start", {}, what);
    if (started.status != 304) throw_on_report_errors(parse_json(started.body, what), what);
  } catch (const RuntimeError&) {
    try {
      remove_pod_sandbox(id);  // no half-made sandbox left behind
    } catch (const RuntimeError&) {
    }
    throw;
  }
  return id;
}

void PodmanRuntime::stop_pod_sandbox(const std::string& sandbox_id) {
  const std::string path = "/pods/" + segment(sandbox_id, "sandbox id") + "/json";
  Json pod;
  try {
    pod = call_json("GET", path, {}, "stopping pod sandbox " + sandbox_id);
  } catch (const RuntimeError& error) {
    if (is_not_found(error)) return;  // gone: nothing to stop
    throw;
  }
  // Podman's own pod stop does nothing for a pod it calls Degraded (some containers exited) and
  // waits each container's default timeout; stopping the members one by one avoids both.
  PodMembers members = parse_pod_members(pod);
  for (const auto& id : members.containers) stop_container(id, std::chrono::seconds(0));
  if (!members.infra.empty()) stop_container(members.infra, std::chrono::seconds(0));
}

void PodmanRuntime::remove_pod_sandbox(const std::string& sandbox_id) {
  stop_pod_sandbox(sandbox_id);  // so the removal below never waits on a stop timeout
  const std::string what = "removing pod sandbox " + sandbox_id;
  try {
    const PodmanResponse removed =
        call("DELETE", "/pods/" + segment(sandbox_id, "sandbox id") + "?force=true", {}, what);
    throw_on_report_errors(parse_json(removed.body, what), what);
  } catch (const RuntimeError& error) {
    if (!is_not_found(error)) throw;
  }
}

PodSandboxStatus PodmanRuntime::pod_sandbox_status(const std::string& sandbox_id) {
  const std::string what = "pod sandbox " + sandbox_id;
  const Json pod =
      call_json("GET", "/pods/" + segment(sandbox_id, "sandbox id") + "/json", {}, what);
  const std::string infra_id = json_string(pod, "InfraContainerID");
  if (infra_id.empty()) return parse_pod_inspect(pod, nullptr);
  try {
    const Json infra = call_json("GET", "/containers/" + segment(infra_id, "infra id") + "/json",
                                 {}, what + " infra container");
    return parse_pod_inspect(pod, &infra);
  } catch (const RuntimeError& error) {
    if (!is_not_found(error)) throw;
    return parse_pod_inspect(pod, nullptr);  // removed under us: NotReady
  }
}

std::vector<PodSandboxStatus> PodmanRuntime::list_pod_sandboxes(const SandboxFilter& filter) {
  std::string path = "/pods/json";
  if (std::string filters = list_filters_query(filter.labels); !filters.empty())
    path += "?filters=" + filters;
  const Json reply = call_json("GET", path, {}, "listing pod sandboxes");
  std::vector<PodSandboxStatus> out;
  if (!reply.is_array()) return out;
  for (const auto& entry : reply) {
    PodSandboxStatus status = parse_pod_list_entry(entry);
    if (filter.state && status.state != *filter.state) continue;
    if (!labels_match(status.labels, filter.labels)) continue;  // podman filtered already
    out.push_back(std::move(status));
  }
  return out;
}

// ---- containers ----

std::string PodmanRuntime::create_container(const std::string& sandbox_id,
                                            const ContainerConfig& config,
                                            const PodSandboxConfig& sandbox) {
  const Json body = container_create_body(sandbox_id, config, sandbox);
  const std::string what = "creating container " + container_name(sandbox.metadata, config);
  const Json created = call_json("POST", "/containers/create", body.dump(), what);
  std::string id = json_string(created, "Id");
  if (id.empty()) throw RuntimeError(ErrorCode::Internal, what + ": podman returned no id");
  return id;
}

void PodmanRuntime::start_container(const std::string& container_id) {
  // 304 (already running) is success.
  call("POST", "/containers/" + segment(container_id, "container id") + "/start", {},
       "starting container " + container_id);
}

void PodmanRuntime::stop_container(const std::string& container_id, std::chrono::seconds timeout) {
  const std::string path = "/containers/" + segment(container_id, "container id") +
                           "/stop?timeout=" + std::to_string(std::max<int64_t>(0, timeout.count()));
  try {
    // 304: already stopped.
    call("POST", path, {}, "stopping container " + container_id,
         options_.request_timeout + timeout);
  } catch (const RuntimeError& error) {
    if (!is_not_found(error)) throw;
  }
}

void PodmanRuntime::remove_container(const std::string& container_id) {
  const std::string what = "removing container " + container_id;
  try {
    // timeout=0: a container still running is killed, not given the default 10 s.
    const PodmanResponse removed = call(
        "DELETE", "/containers/" + segment(container_id, "container id") + "?force=true&timeout=0",
        {}, what);
    const Json reports = parse_json(removed.body.empty() ? "[]" : removed.body, what);
    if (reports.is_array())
      for (const auto& report : reports) throw_on_report_errors(report, what);
  } catch (const RuntimeError& error) {
    if (!is_not_found(error)) throw;
  }
}

ContainerStatus PodmanRuntime::container_status(const std::string& container_id) {
  return parse_container_inspect(
      call_json("GET", "/containers/" + segment(container_id, "container id") + "/json", {},
                "container " + container_id));
}

std::vector<ContainerStatus> PodmanRuntime::list_containers(const ContainerFilter& filter) {
  std::string path = "/containers/json?all=true";
  if (std::string filters = list_filters_query(filter.labels, filter.sandbox_id); !filters.empty())
    path += "&filters=" + filters;
  const Json reply = call_json("GET", path, {}, "listing containers");
  std::vector<ContainerStatus> out;
  if (!reply.is_array()) return out;
  for (const auto& entry : reply) {
    if (!entry.is_object() || json_member(entry, "IsInfra") == true)
      continue;  // infra is the sandbox
    ContainerStatus status = parse_container_list_entry(entry);
    if (filter.state && status.state != *filter.state) continue;
    if (!filter.sandbox_id.empty() && status.sandbox_id != filter.sandbox_id) continue;
    if (!labels_match(status.labels, filter.labels)) continue;
    out.push_back(std::move(status));
  }
  return out;
}

bool PodmanRuntime::wait_container(const std::string& container_id,
                                   std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return container_status(container_id).state != ContainerState::Running;
  const std::string path = "/containers/" + segment(container_id, "container id") +
                           "/wait?condition=stopped&condition=exited&interval=" +
                           std::to_string(options_.wait_interval.count()) + "ms";
  try {
    call("POST", path, {}, "waiting for container " + container_id, timeout);
    return true;
  } catch (const RuntimeError& error) {
    if (error.code() == ErrorCode::DeadlineExceeded) return false;
    throw;
  }
}

// ---- exec and logs ----

ExecResult PodmanRuntime::exec_sync(const std::string& container_id,
                                    const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) {
  if (argv.empty()) throw RuntimeError(ErrorCode::Invalid, "exec needs a command");
  const std::string what = "exec in container " + container_id;
  const Json request = {{"AttachStdout", true},
                        {"AttachStderr", true},
                        {"AttachStdin", false},
                        {"Tty", false},
                        {"Cmd", argv}};
  const Json created =
      call_json("POST", "/containers/" + segment(container_id, "container id") + "/exec",
                request.dump(), what);
  const std::string exec_id = json_string(created, "Id");
  if (exec_id.empty()) throw RuntimeError(ErrorCode::Internal, what + ": podman returned no id");

  PodmanResponse output;
  try {
    output = call("POST", "/exec/" + segment(exec_id, "exec id") + "/start",
                  Json{{"Detach", false}, {"Tty", false}}.dump(), what, timeout);
  } catch (const RuntimeError& error) {
    if (error.code() == ErrorCode::DeadlineExceeded)
      throw RuntimeError(ErrorCode::DeadlineExceeded, what + ": did not finish within " +
                                                          std::to_string(timeout.count()) + " ms");
    throw;
  }
  const Json inspected =
      call_json("GET", "/exec/" + segment(exec_id, "exec id") + "/json", {}, what);
  DemuxedOutput streams = demux_exec_stream(output.body);
  ExecResult result;
  result.exit_code = static_cast<int>(json_int(inspected, "ExitCode", -1));
  result.stdout_text = std::move(streams.stdout_text);
  result.stderr_text = std::move(streams.stderr_text);
  return result;
}

void PodmanRuntime::read_container_log(const std::string& container_id, const LogOptions& options,
                                       const LogSink& sink) {
  const ContainerStatus status = container_status(container_id);
  if (status.log_path.empty())
    throw RuntimeError(ErrorCode::FailedPrecondition,
                       "container " + container_id + " does not log to a file");
  auto still_writing = [&] {
    try {
      const ContainerState state = container_status(container_id).state;
      return state == ContainerState::Running || state == ContainerState::Created;
    } catch (const RuntimeError&) {
      return false;  // removed (or podman gone): nothing more will be written
    }
  };
  read_cri_log_file(status.log_path, options, sink, still_writing);
}

// ---- images ----

std::optional<ImageInfo> PodmanRuntime::image_status(const std::string& image_ref) {
  try {
    return parse_image(call_json("GET",
                                 "/images/" + segment(image_ref, "image reference") + "/json", {},
                                 "image " + image_ref));
  } catch (const RuntimeError& error) {
    if (is_not_found(error)) return std::nullopt;
    throw;
  }
}

std::string PodmanRuntime::pull_image(const std::string& image_ref) {
  const PodmanResponse response =
      call("POST", "/images/pull?quiet=true&reference=" + segment(image_ref, "image reference"), {},
           "pulling image " + image_ref, options_.pull_timeout);
  return parse_pull_result(response.body, image_ref);
}

std::vector<ImageInfo> PodmanRuntime::list_images() {
  const Json reply = call_json("GET", "/images/json", {}, "listing images");
  std::vector<ImageInfo> out;
  if (reply.is_array())
    for (const auto& entry : reply) out.push_back(parse_image(entry));
  return out;
}

void PodmanRuntime::remove_image(const std::string& image_ref) {
  try {
    call("DELETE", "/images/" + segment(image_ref, "image reference"), {},
         "removing image " + image_ref);
  } catch (const RuntimeError& error) {
    if (!is_not_found(error)) throw;
  }
}

}  // namespace skiff::agent::runtime::podman
