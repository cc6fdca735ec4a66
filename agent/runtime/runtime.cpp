#include "agent/runtime/runtime.h"

namespace skiff::agent::runtime {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::AlreadyExists:
      return "AlreadyExists";
    case ErrorCode::Invalid:
      return "Invalid";
    case ErrorCode::FailedPrecondition:
      return "FailedPrecondition";
    case ErrorCode::Unavailable:
      return "Unavailable";
    case ErrorCode::DeadlineExceeded:
      return "DeadlineExceeded";
    case ErrorCode::Internal:
      return "Internal";
  }
  return "Unknown";
}

std::string_view to_string(SandboxState state) {
  return state == SandboxState::Ready ? "Ready" : "NotReady";
}

std::string_view to_string(ContainerState state) {
  switch (state) {
    case ContainerState::Created:
      return "Created";
    case ContainerState::Running:
      return "Running";
    case ContainerState::Exited:
      return "Exited";
    case ContainerState::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

Labels kubernetes_labels(const PodMetadata& pod, const Labels& extra,
                         std::string_view container_name) {
  Labels labels = extra;
  labels[std::string(kPodNamespaceLabel)] = pod.namespace_name;
  labels[std::string(kPodNameLabel)] = pod.name;
  labels[std::string(kPodUidLabel)] = pod.uid;
  if (!container_name.empty()) labels[std::string(kContainerNameLabel)] = container_name;
  return labels;
}

bool labels_match(const Labels& labels, const Labels& selector) {
  for (const auto& [key, value] : selector) {
    auto found = labels.find(key);
    if (found == labels.end() || found->second != value) return false;
  }
  return true;
}

std::string exit_reason(int exit_code, bool oom_killed) {
  if (oom_killed) return "OOMKilled";
  return exit_code == 0 ? "Completed" : "Error";
}

}  // namespace skiff::agent::runtime
