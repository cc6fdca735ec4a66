#include "server/apiserver/pod_stream_target.h"

#include <charconv>
#include <optional>

#include "pkg/api/errors.h"
#include "pkg/api/pod_containers.h"
#include "pkg/api/time.h"

namespace skiff::apiserver {

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : " ") + name;
  return joined;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  for (const auto& candidate : names)
    if (candidate == name) return true;
  return false;
}

// The reported status of `container` (containers first, then init containers); null if none.
Json container_status(const Json& pod, const std::string& container) {
  const Json status = pod.value("status", Json::object());
  if (!status.is_object()) return nullptr;
  for (const char* field : {"containerStatuses", "initContainerStatuses"}) {
    if (!status.contains(field) || !status[field].is_array()) continue;
    for (const auto& entry : status[field])
      if (entry.is_object() && entry.value("name", "") == container) return entry;
  }
  return nullptr;
}

bool is_true(const std::string& value) {
  return value == "true" || value == "1" || value == "True";
}

std::optional<bool> bool_query(const http::Request& request, const char* name) {
  if (!request.has_query(name)) return std::nullopt;
  const std::string value = request.query_value(name);
  if (value.empty() || is_true(value)) return true;
  if (value == "false" || value == "0" || value == "False") return false;
  throw api::bad_request("invalid value for " + std::string(name) + ": \"" + value +
                         "\" (want true or false)");
}

std::optional<int64_t> int_query(const http::Request& request, const char* name, int64_t minimum,
                                 const std::string& range) {
  if (!request.has_query(name)) return std::nullopt;
  const std::string value = request.query_value(name);
  int64_t number = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size())
    throw api::bad_request("invalid value for " + std::string(name) + ": \"" + value +
                           "\" is not an integer");
  if (number < minimum)
    throw api::bad_request("invalid value for " + std::string(name) + ": " + value + ": " + range);
  return number;
}

}  // namespace

PodStreamTarget resolve_stream_target(const Json& pod, const std::string& pod_name,
                                      const std::string& container) {
  const Json spec = pod.value("spec", Json::object());
  const auto names = api::container_names(spec, "containers");
  const auto init_names = api::container_names(spec, "initContainers");
  PodStreamTarget target;
  if (container.empty()) {
    if (names.size() == 1) {
      target.container = names.front();
    } else if (names.empty()) {
      throw api::bad_request("a container name must be specified for pod " + pod_name);
    } else {
      std::string message = "a container name must be specified for pod " + pod_name +
                            ", choose one of: [" + join(names) + "]";
      if (!init_names.empty())
        message += " or one of the init containers: [" + join(init_names) + "]";
      throw api::bad_request(message);
    }
  } else if (contains(names, container) || contains(init_names, container)) {
    target.container = container;
  } else {
    throw api::bad_request("container " + container + " is not valid for pod " + pod_name);
  }
  target.node_name = spec.is_object() ? spec.value("nodeName", "") : "";
  if (target.node_name.empty())
    throw api::bad_request("pod " + pod_name + " does not have a host assigned");
  target.pod_uid = pod.value("metadata", Json::object()).value("uid", "");
  return target;
}

Json parse_log_options(const http::Request& request) {
  Json options = Json::object();
  for (const char* name : {"follow", "timestamps", "previous"})
    if (auto value = bool_query(request, name)) options[name] = *value;
  if (auto tail = int_query(request, "tailLines", 0, "must be greater than or equal to 0"))
    options["tailLines"] = *tail;
  if (auto limit = int_query(request, "limitBytes", 1, "must be greater than 0"))
    options["limitBytes"] = *limit;
  if (auto since = int_query(request, "sinceSeconds", 1, "must be greater than 0"))
    options["sinceSeconds"] = *since;
  if (request.has_query("sinceTime")) {
    if (options.contains("sinceSeconds"))
      throw api::bad_request("at most one of `sinceTime` or `sinceSeconds` may be specified");
    const std::string value = request.query_value("sinceTime");
    if (!api::parse_rfc3339(value))
      throw api::bad_request("invalid value for sinceTime: \"" + value +
                             "\" is not an RFC 3339 time");
    options["sinceTime"] = value;
  }
  return options;
}

void check_log_status(const Json& pod, const std::string& pod_name, const std::string& container,
                      bool previous) {
  const Json status = container_status(pod, container);
  const std::string quoted = "container \"" + container + "\" in pod \"" + pod_name + "\"";
  if (status.is_null()) return;
  const Json state = status.value("state", Json::object());
  const Json last = status.value("lastState", Json::object());
  const bool has_last = last.is_object() && last.contains("terminated");
  if (previous) {
    if (!has_last) throw api::bad_request("previous terminated " + quoted + " not found");
    return;
  }
  if (!state.is_object() || state.contains("running") || state.contains("terminated") || has_last)
    return;
  if (state.contains("waiting")) {
    const std::string reason = state["waiting"].value("reason", "");
    if (reason == "ErrImagePull")
      throw api::bad_request(quoted + " is waiting to start: image can't be pulled");
    if (reason == "ImagePullBackOff")
      throw api::bad_request(quoted + " is waiting to start: trying and failing to pull image");
    throw api::bad_request(quoted + " is waiting to start: " + reason);
  }
}

Json ExecOptions::to_json() const {
  return {{"command", command},
          {"stdin", stdin_requested},
          {"stdout", stdout_requested},
          {"stderr", stderr_requested},
          {"tty", tty}};
}

ExecOptions parse_exec_options(const http::Request& request) {
  ExecOptions options;
  options.command = request.query_values("command");
  options.stdin_requested = bool_query(request, "stdin").value_or(false);
  options.stdout_requested = bool_query(request, "stdout").value_or(false);
  options.stderr_requested = bool_query(request, "stderr").value_or(false);
  options.tty = bool_query(request, "tty").value_or(false);
  if (options.command.empty())
    throw api::bad_request("you must specify at least one command for the container");
  if (!options.stdin_requested && !options.stdout_requested && !options.stderr_requested)
    throw api::bad_request("you must specify at least 1 of stdin, stdout, stderr");
  return options;
}

void check_exec_status(const Json& pod, const std::string& container) {
  const Json status = container_status(pod, container);
  if (status.is_null()) return;
  const Json state = status.value("state", Json::object());
  if (state.is_object() && !state.contains("running"))
    throw api::bad_request("unable to upgrade connection: container not found (\"" + container +
                           "\")");
}

}  // namespace skiff::apiserver
