#include "agent/pod_streams.h"

#include <algorithm>

#include "agent/runtime/container_log.h"
#include "pkg/api/time.h"

namespace skiff::agent {

namespace {

using nodeclient::StreamRequest;
using nodeclient::StreamResult;

constexpr uint32_t kStdout = 1, kStderr = 2;

StreamResult refuse(int http_status, std::string message) {
  return {http_status, std::move(message)};
}

std::string quoted(const StreamRequest& request) {
  return "container \"" + request.container + "\" in pod \"" + request.pod.name + "\"";
}

std::optional<int64_t> int_option(const Json& options, const char* name) {
  if (!options.contains(name) || !options[name].is_number_integer()) return std::nullopt;
  return options[name].get<int64_t>();
}

bool bool_option(const Json& options, const char* name) {
  return options.contains(name) && options[name].is_boolean() && options[name].get<bool>();
}

}  // namespace

PodStreams::PodStreams(runtime::Runtime& runtime, PodStreamsOptions options)
    : runtime_(runtime), options_(options) {}

StreamResult PodStreams::serve(const StreamRequest& request, nodeclient::StreamChannel& channel) {
  try {
    switch (request.kind) {
      case StreamRequest::Kind::Logs:
        return serve_logs(request, channel);
      case StreamRequest::Kind::Exec:
        return serve_exec(request, channel);
      case StreamRequest::Kind::Attach:
        return refuse(400, "attach is not supported by skiff yet");
      case StreamRequest::Kind::PortForward:
        return refuse(400, "port-forward is not supported by skiff yet");
    }
  } catch (const runtime::RuntimeError& error) {
    return refuse(error.code() == runtime::ErrorCode::Unavailable ? 503 : 500,
                  std::string("container runtime: ") + error.what());
  }
  return refuse(400, "unknown stream kind");
}

std::vector<runtime::ContainerStatus> PodStreams::instances(const StreamRequest& request) {
  runtime::ContainerFilter filter;
  filter.labels[std::string(runtime::kContainerNameLabel)] = request.container;
  if (!request.pod.uid.empty()) {
    filter.labels[std::string(runtime::kPodUidLabel)] = request.pod.uid;
  } else {
    filter.labels[std::string(runtime::kPodNamespaceLabel)] = request.pod.namespace_name;
    filter.labels[std::string(runtime::kPodNameLabel)] = request.pod.name;
  }
  auto found = runtime_.list_containers(filter);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.attempt != b.attempt) return a.attempt > b.attempt;
    return a.created_at > b.created_at;
  });
  return found;
}

StreamResult PodStreams::serve_logs(const StreamRequest& request,
                                    nodeclient::StreamChannel& channel) {
  const Json& options = request.options;
  const bool previous = bool_option(options, "previous");
  const auto found = instances(request);
  if (previous && found.size() < 2)
    return refuse(400, "previous terminated " + quoted(request) + " not found");
  if (found.empty()) return refuse(400, quoted(request) + " is not available");
  const runtime::ContainerStatus& container = previous ? found[1] : found[0];

  runtime::LogOptions log_options;
  log_options.follow = bool_option(options, "follow") && !previous;
  log_options.tail_lines = int_option(options, "tailLines");
  if (auto seconds = int_option(options, "sinceSeconds"))
    log_options.since = runtime::Clock::now() - std::chrono::seconds(*seconds);
  if (options.contains("sinceTime") && options["sinceTime"].is_string())
    log_options.since = api::parse_rfc3339(options["sinceTime"].get<std::string>());
  log_options.poll_interval = options_.log_poll_interval;
  const bool timestamps = bool_option(options, "timestamps");
  const int64_t limit = int_option(options, "limitBytes").value_or(0);

  if (!channel.write(kStdout, "")) return {};  // accepted; the server already left
  bool gone = false;
  auto last_check = std::chrono::steady_clock::now();
  log_options.cancelled = [&] {
    // Nothing to send: ask whether anyone still listens (an empty frame is ignored).
    auto now = std::chrono::steady_clock::now();
    if (!gone && now - last_check >= options_.liveness_interval) {
      last_check = now;
      gone = !channel.write(kStdout, "");
    }
    return gone;
  };
  int64_t sent = 0;
  runtime_.read_container_log(container.id, log_options, [&](const runtime::LogLine& line) {
    std::string text = runtime::format_log_line(line, timestamps);
    if (limit > 0 && sent + static_cast<int64_t>(text.size()) > limit)
      text.resize(static_cast<size_t>(limit - sent));
    sent += static_cast<int64_t>(text.size());
    if (!channel.write(kStdout, text)) gone = true;
    return !gone && (limit <= 0 || sent < limit);
  });
  return {};
}

StreamResult PodStreams::serve_exec(const StreamRequest& request,
                                    nodeclient::StreamChannel& channel) {
  const Json& options = request.options;
  std::vector<std::string> argv;
  if (options.contains("command") && options["command"].is_array()) {
    for (const auto& part : options["command"]) {
      if (!part.is_string()) return refuse(400, "every part of the command must be a string");
      argv.push_back(part.get<std::string>());
    }
  }
  if (argv.empty()) return refuse(400, "you must specify at least one command for the container");
  if (bool_option(options, "stdin") || bool_option(options, "tty"))
    return refuse(400, "interactive exec (stdin, tty) is not supported by skiff yet");
  const auto found = instances(request);
  if (found.empty() || found[0].state != runtime::ContainerState::Running)
    return refuse(
        400, "unable to upgrade connection: container not found (\"" + request.container + "\")");

  if (!channel.write(kStdout, "")) return {};  // accepted
  runtime::ExecResult result;
  try {
    result = runtime_.exec_sync(found[0].id, argv, options_.exec_timeout);
  } catch (const runtime::RuntimeError& error) {
    // After the acceptance the API reports this as the exec's failure Status.
    return {1, std::string("cannot run the command: ") + error.what()};
  }
  const bool want_stdout = !options.contains("stdout") || bool_option(options, "stdout");
  const bool want_stderr = !options.contains("stderr") || bool_option(options, "stderr");
  if (want_stdout && !result.stdout_text.empty()) channel.write(kStdout, result.stdout_text);
  if (want_stderr && !result.stderr_text.empty()) channel.write(kStderr, result.stderr_text);
  return {result.exit_code, ""};
}

}  // namespace skiff::agent
