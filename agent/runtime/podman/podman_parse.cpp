#include "agent/runtime/podman/podman_parse.h"

#include <algorithm>
#include <cctype>

#include "agent/runtime/podman/podman_specs.h"
#include "pkg/api/time.h"

namespace skiff::agent::runtime::podman {
namespace {

std::string string_at(const Json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return "";
  return found->get<std::string>();
}

int64_t int_at(const Json& object, std::string_view key, int64_t missing = 0) {
  if (!object.is_object()) return missing;
  auto found = object.find(key);
  if (found == object.end() || !found->is_number()) return missing;
  return found->get<int64_t>();
}

bool bool_at(const Json& object, std::string_view key) {
  if (!object.is_object()) return false;
  auto found = object.find(key);
  return found != object.end() && found->is_boolean() && found->get<bool>();
}

const Json& member(const Json& object, std::string_view key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

const Json& object_at(const Json& object, std::string_view key) {
  static const Json kEmpty = Json::object();
  if (!object.is_object()) return kEmpty;
  auto found = object.find(key);
  if (found == object.end() || !found->is_object()) return kEmpty;
  return *found;
}

Labels labels_from(const Json& object) {
  Labels labels;
  if (!object.is_object()) return labels;
  for (const auto& [key, value] : object.items())
    if (value.is_string()) labels[key] = value.get<std::string>();
  return labels;
}

std::string label_or_empty(const Labels& labels, std::string_view key) {
  auto found = labels.find(std::string(key));
  return found == labels.end() ? "" : found->second;
}

uint32_t attempt_from(const Labels& labels) {
  const std::string text = label_or_empty(labels, kAttemptLabel);
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return 0;
  return static_cast<uint32_t>(std::stoul(text));
}

PodMetadata pod_metadata_from(const Labels& labels) {
  PodMetadata metadata;
  metadata.name = label_or_empty(labels, kPodNameLabel);
  metadata.namespace_name = label_or_empty(labels, kPodNamespaceLabel);
  metadata.uid = label_or_empty(labels, kPodUidLabel);
  metadata.attempt = attempt_from(labels);
  return metadata;
}

// Unix seconds in list outputs; 0 or negative (Go's zero time) means never.
std::optional<TimePoint> from_unix_seconds(int64_t seconds) {
  if (seconds <= 0) return std::nullopt;
  return TimePoint(std::chrono::seconds(seconds));
}

// Podman stamps StartedAt when runc's start returns but FinishedAt from the exit file, so a
// process that exits at once "finishes" a few ms before it "started". Report it as ending when it
// started, never before.
void never_finished_before_started(ContainerStatus& status) {
  if (status.started_at && status.finished_at && *status.finished_at < *status.started_at)
    status.finished_at = status.started_at;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_any(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
  });
}

// The IP of a container's first network (podman's bridge), or the top-level one.
std::string ip_from_inspect(const Json& inspect) {
  const Json& settings = object_at(inspect, "NetworkSettings");
  std::string ip = string_at(settings, "IPAddress");
  if (!ip.empty()) return ip;
  for (const auto& [name, network] : object_at(settings, "Networks").items()) {
    ip = string_at(network, "IPAddress");
    if (!ip.empty()) return ip;
  }
  return "";
}

}  // namespace

std::string json_string(const Json& object, std::string_view key) {
  return string_at(object, key);
}
int64_t json_int(const Json& object, std::string_view key, int64_t missing) {
  return int_at(object, key, missing);
}
const Json& json_member(const Json& object, std::string_view key) {
  return member(object, key);
}

Json parse_json(std::string_view body, std::string_view what) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    throw RuntimeError(ErrorCode::Internal,
                       std::string(what) + ": podman answered with something that is not JSON");
  return parsed;
}

RuntimeError error_from_response(long status, std::string_view body, std::string_view what) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string message = string_at(parsed, "message");
  std::string cause = lower(string_at(parsed, "cause"));
  if (message.empty()) message = string_at(parsed, "error");
  if (message.empty())
    message = body.empty() ? "HTTP " + std::to_string(status) : std::string(body);
  const std::string text = std::string(what) + ": " + message;
  const std::string haystack = cause + " " + lower(message);

  if (contains_any(haystack, {"no such container", "no such pod", "no such image",
                              "image not known", "no such exec", "no such object"}))
    return RuntimeError(ErrorCode::NotFound, text);
  if (contains_any(haystack, {"already in use", "already exists"}))
    return RuntimeError(ErrorCode::AlreadyExists, text);
  if (contains_any(haystack, {"container state improper", "is not running",
                              "can only create exec sessions on running containers"}))
    return RuntimeError(ErrorCode::FailedPrecondition, text);
  switch (status) {
    case 400:
      return RuntimeError(ErrorCode::Invalid, text);
    case 404:
      return RuntimeError(ErrorCode::NotFound, text);
    case 409:
      return RuntimeError(ErrorCode::FailedPrecondition, text);
    default:
      return RuntimeError(ErrorCode::Internal, text);
  }
}

std::optional<TimePoint> parse_podman_time(std::string_view text) {
  // Year 1 would not fit a nanosecond time_point; it is Go's "zero time" anyway.
  if (text.empty() || text.starts_with("0001-")) return std::nullopt;
  return api::parse_rfc3339(text);
}

ContainerState container_state_from(std::string_view podman_state) {
  const std::string state = lower(podman_state);
  if (state == "created" || state == "configured" || state == "initialized")
    return ContainerState::Created;
  if (state == "running" || state == "paused" || state == "stopping")
    return ContainerState::Running;
  if (state == "exited" || state == "stopped" || state == "removing") return ContainerState::Exited;
  return ContainerState::Unknown;
}

ContainerStatus parse_container_inspect(const Json& inspect) {
  ContainerStatus status;
  const Json& state = object_at(inspect, "State");
  const Json& config = object_at(inspect, "Config");
  status.id = string_at(inspect, "Id");
  status.sandbox_id = string_at(inspect, "Pod");
  status.labels = labels_from(member(config, "Labels"));
  status.name = label_or_empty(status.labels, kContainerNameLabel);
  status.attempt = attempt_from(status.labels);
  status.state = container_state_from(string_at(state, "Status"));
  status.created_at = parse_podman_time(string_at(inspect, "Created"));
  status.started_at = parse_podman_time(string_at(state, "StartedAt"));
  status.exit_code = static_cast<int>(int_at(state, "ExitCode"));
  if (status.state == ContainerState::Exited) {
    status.finished_at = parse_podman_time(string_at(state, "FinishedAt"));
    status.reason = exit_reason(status.exit_code, bool_at(state, "OOMKilled"));
    never_finished_before_started(status);
  }
  status.message = string_at(state, "Error");
  status.image = string_at(inspect, "ImageName");
  status.image_id = string_at(inspect, "Image");
  status.log_path = string_at(object_at(object_at(inspect, "HostConfig"), "LogConfig"), "Path");
  return status;
}

ContainerStatus parse_container_list_entry(const Json& entry) {
  ContainerStatus status;
  status.id = string_at(entry, "Id");
  status.sandbox_id = string_at(entry, "Pod");
  status.labels = labels_from(member(entry, "Labels"));
  status.name = label_or_empty(status.labels, kContainerNameLabel);
  status.attempt = attempt_from(status.labels);
  status.state = container_state_from(string_at(entry, "State"));
  status.created_at = parse_podman_time(string_at(entry, "Created"));
  status.started_at = from_unix_seconds(int_at(entry, "StartedAt"));
  status.exit_code = static_cast<int>(int_at(entry, "ExitCode"));
  if (status.state == ContainerState::Exited) {
    status.finished_at = from_unix_seconds(int_at(entry, "ExitedAt"));
    status.reason = exit_reason(status.exit_code, false);
    never_finished_before_started(status);
  }
  status.image = string_at(entry, "Image");
  status.image_id = string_at(entry, "ImageID");
  return status;
}

PodSandboxStatus parse_pod_inspect(const Json& pod, const Json* infra) {
  PodSandboxStatus status;
  status.id = string_at(pod, "Id");
  status.labels = labels_from(member(pod, "Labels"));
  status.metadata = pod_metadata_from(status.labels);
  status.created_at = parse_podman_time(string_at(pod, "Created"));
  if (infra && container_state_from(string_at(object_at(*infra, "State"), "Status")) ==
                   ContainerState::Running) {
    status.state = SandboxState::Ready;
    status.ip = ip_from_inspect(*infra);
  }
  return status;
}

PodSandboxStatus parse_pod_list_entry(const Json& entry) {
  PodSandboxStatus status;
  status.id = string_at(entry, "Id");
  status.labels = labels_from(member(entry, "Labels"));
  status.metadata = pod_metadata_from(status.labels);
  status.created_at = parse_podman_time(string_at(entry, "Created"));
  const std::string infra_id = string_at(entry, "InfraId");
  const Json& containers = member(entry, "Containers");
  if (!infra_id.empty() && containers.is_array()) {
    for (const auto& container : containers) {
      if (string_at(container, "Id") == infra_id &&
          container_state_from(string_at(container, "Status")) == ContainerState::Running)
        status.state = SandboxState::Ready;
    }
  }
  return status;
}

PodMembers parse_pod_members(const Json& pod) {
  PodMembers members;
  members.infra = string_at(pod, "InfraContainerID");
  const Json& containers = member(pod, "Containers");
  if (!containers.is_array()) return members;
  for (const auto& container : containers) {
    std::string id = string_at(container, "Id");
    if (!id.empty() && id != members.infra) members.containers.push_back(std::move(id));
  }
  return members;
}

ImageInfo parse_image(const Json& image) {
  ImageInfo info;
  info.id = string_at(image, "Id");
  info.size_bytes = int_at(image, "Size");
  const Json& tags = member(image, "RepoTags");
  if (tags.is_array())
    for (const auto& tag : tags)
      if (tag.is_string()) info.repo_tags.push_back(tag.get<std::string>());
  return info;
}

std::string parse_pull_result(std::string_view body, std::string_view image_ref) {
  std::string id;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) continue;
    if (std::string error = string_at(object, "error"); !error.empty()) {
      const std::string text = "pulling image \"" + std::string(image_ref) + "\": " + error;
      const std::string haystack = lower(error);
      if (contains_any(haystack, {"manifest unknown", "name unknown", "not found",
                                  "repository does not exist", "no such image"}))
        throw RuntimeError(ErrorCode::NotFound, text);
      if (contains_any(haystack, {"connection refused", "no such host", "dial tcp", "i/o timeout",
                                  "network is unreachable", "tls handshake"}))
        throw RuntimeError(ErrorCode::Unavailable, text);
      throw RuntimeError(ErrorCode::Internal, text);
    }
    if (std::string found = string_at(object, "id"); !found.empty()) id = found;
  }
  if (id.empty())
    throw RuntimeError(ErrorCode::Internal, "pulling image \"" + std::string(image_ref) +
                                                "\": podman reported no image id");
  return id;
}

DemuxedOutput demux_exec_stream(std::string_view body) {
  DemuxedOutput out;
  size_t position = 0;
  while (position < body.size()) {
    if (body.size() - position < 8) break;
    const auto stream = static_cast<unsigned char>(body[position]);
    const bool header_ok = (stream <= 2) && body[position + 1] == 0 && body[position + 2] == 0 &&
                           body[position + 3] == 0;
    if (!header_ok) break;
    uint32_t length = 0;
    for (size_t i = 4; i < 8; ++i)
      length = (length << 8) | static_cast<unsigned char>(body[position + i]);
    position += 8;
    const size_t take = std::min<size_t>(length, body.size() - position);
    (stream == 2 ? out.stderr_text : out.stdout_text).append(body.substr(position, take));
    position += take;
  }
  // Not framed (or a broken frame): keep the rest as plain output rather than lose it.
  if (position < body.size()) out.stdout_text.append(body.substr(position));
  return out;
}

}  // namespace skiff::agent::runtime::podman
