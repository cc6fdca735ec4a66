// The Pod table: kubectl's READY / STATUS / RESTARTS logic (printPod in kube-apiserver's
// printers), computed from spec and status exactly as the real server does.
#include <optional>

#include "pkg/api/time.h"
#include "server/apiserver/table_columns.h"

namespace skiff::apiserver::tables {

namespace {

struct PodSummary {
  int ready = 0;
  int total = 0;
  std::string reason;
  long long restarts = 0;
  std::optional<api::Clock::time_point> last_restart;
};

// A sidecar: an init container with restartPolicy Always keeps running next to the app.
bool is_restartable_init_container(const Json& pod_spec, const std::string& name) {
  const Json& init = node_at(pod_spec, "initContainers");
  if (!init.is_array()) return false;
  for (const auto& container : init)
    if (string_at(container, "name") == name)
      return string_at(container, "restartPolicy") == "Always";
  return false;
}

bool has_condition_true(const Json& status, const std::string& type) {
  const Json& conditions = node_at(status, "conditions");
  if (!conditions.is_array()) return false;
  for (const auto& condition : conditions)
    if (string_at(condition, "type") == type && string_at(condition, "status") == "True")
      return true;
  return false;
}

void note_last_termination(const Json& container_status,
                           std::optional<api::Clock::time_point>& latest) {
  auto finished =
      api::parse_rfc3339(string_at(container_status, "lastState.terminated.finishedAt"));
  if (finished && (!latest || *latest < *finished)) latest = finished;
}

std::string terminated_reason(const Json& terminated, const std::string& prefix) {
  std::string reason = string_at(terminated, "reason");
  if (!reason.empty()) return prefix + reason;
  long long signal = int_at(terminated, "signal");
  if (signal != 0) return prefix + "Signal:" + std::to_string(signal);
  return prefix + "ExitCode:" + std::to_string(int_at(terminated, "exitCode"));
}

// Walks init containers in order; returns true while the pod is still initializing and sets
// the "Init:..." reason.
bool summarize_init_containers(const Json& pod, PodSummary& summary, long long& sidecar_restarts,
                               std::optional<api::Clock::time_point>& sidecar_last_restart) {
  const Json& spec = node_at(pod, "spec");
  const Json& statuses = node_at(pod, "status.initContainerStatuses");
  const Json& init_specs = node_at(spec, "initContainers");
  const size_t init_count = init_specs.is_array() ? init_specs.size() : 0;
  if (!statuses.is_array()) return false;
  for (size_t i = 0; i < statuses.size(); ++i) {
    const Json& container = statuses[i];
    const bool sidecar = is_restartable_init_container(spec, string_at(container, "name"));
    summary.restarts += int_at(container, "restartCount");
    note_last_termination(container, summary.last_restart);
    if (sidecar) {
      sidecar_restarts += int_at(container, "restartCount");
      note_last_termination(container, sidecar_last_restart);
    }
    const Json& terminated = node_at(container, "state.terminated");
    const std::string waiting_reason = string_at(container, "state.waiting.reason");
    if (terminated.is_object() && int_at(terminated, "exitCode") == 0) continue;
    if (sidecar && node_at(container, "started") == true) {
      if (node_at(container, "ready") == true) ++summary.ready;
      continue;
    }
    if (terminated.is_object()) {
      summary.reason = terminated_reason(terminated, "Init:");
    } else if (!waiting_reason.empty() && waiting_reason != "PodInitializing") {
      summary.reason = "Init:" + waiting_reason;
    } else {
      summary.reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_count);
    }
    return true;
  }
  return false;
}

PodSummary summarize(const Json& pod) {
  PodSummary summary;
  const Json& spec = node_at(pod, "spec");
  const Json& status = node_at(pod, "status");
  const Json& containers = node_at(spec, "containers");
  summary.total = containers.is_array() ? static_cast<int>(containers.size()) : 0;
  const Json& init_specs = node_at(spec, "initContainers");
  if (init_specs.is_array())
    for (const auto& init : init_specs)
      if (string_at(init, "restartPolicy") == "Always") ++summary.total;

  const std::string phase = string_at(status, "phase", "Pending");
  summary.reason = string_at(status, "reason", phase);
  const Json& conditions = node_at(status, "conditions");
  if (conditions.is_array())
    for (const auto& condition : conditions)
      if (string_at(condition, "type") == "PodScheduled" &&
          string_at(condition, "reason") == "SchedulingGated")
        summary.reason = "SchedulingGated";

  long long sidecar_restarts = 0;
  std::optional<api::Clock::time_point> sidecar_last_restart;
  const bool initializing =
      summarize_init_containers(pod, summary, sidecar_restarts, sidecar_last_restart);

  if (!initializing || has_condition_true(status, "Initialized")) {
    summary.restarts = sidecar_restarts;
    summary.last_restart = sidecar_last_restart;
    bool has_running = false;
    const Json& statuses = node_at(status, "containerStatuses");
    if (statuses.is_array()) {
      // Backwards, so the first container's state wins the reason, as kubectl shows it.
      for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
        const Json& container = *it;
        summary.restarts += int_at(container, "restartCount");
        note_last_termination(container, summary.last_restart);
        const std::string waiting_reason = string_at(container, "state.waiting.reason");
        const Json& terminated = node_at(container, "state.terminated");
        if (!waiting_reason.empty()) {
          summary.reason = waiting_reason;
        } else if (terminated.is_object()) {
          summary.reason = terminated_reason(terminated, "");
        } else if (node_at(container, "ready") == true &&
                   node_at(container, "state.running").is_object()) {
          has_running = true;
          ++summary.ready;
        }
      }
    }
    if (summary.reason == "Completed" && has_running)
      summary.reason = has_condition_true(status, "Ready") ? "Running" : "NotReady";
  }

  const bool deleting = !string_at(pod, "metadata.deletionTimestamp").empty();
  if (deleting && string_at(status, "reason") == "NodeLost") {
    summary.reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    summary.reason = "Terminating";
  }
  return summary;
}

std::string or_none(std::string value) {
  return value.empty() ? "<none>" : value;
}

std::string readiness_gates(const Json& pod) {
  const Json& gates = node_at(pod, "spec.readinessGates");
  if (!gates.is_array() || gates.empty()) return "<none>";
  int true_count = 0;
  const Json& conditions = node_at(pod, "status.conditions");
  for (const auto& gate : gates) {
    if (!conditions.is_array()) break;
    for (const auto& condition : conditions) {
      if (string_at(condition, "type") != string_at(gate, "conditionType")) continue;
      if (string_at(condition, "status") == "True") ++true_count;
      break;
    }
  }
  return std::to_string(true_count) + "/" + std::to_string(gates.size());
}

Json pod_row(const Json& pod, TimePoint now) {
  PodSummary summary = summarize(pod);
  std::string restarts = std::to_string(summary.restarts);
  if (summary.restarts != 0 && summary.last_restart) {
    auto since = std::chrono::duration_cast<std::chrono::seconds>(now - *summary.last_restart);
    restarts += " (" + api::human_duration(since) + " ago)";
  }
  std::string ip;
  const Json& pod_ips = node_at(pod, "status.podIPs");
  if (pod_ips.is_array() && !pod_ips.empty()) ip = string_at(pod_ips[0], "ip");
  if (ip.empty()) ip = string_at(pod, "status.podIP");
  return Json::array({object_name(pod),
                      std::to_string(summary.ready) + "/" + std::to_string(summary.total),
                      summary.reason, restarts, object_age(pod, now), or_none(ip),
                      or_none(string_at(pod, "spec.nodeName")),
                      or_none(string_at(pod, "status.nominatedNodeName")), readiness_gates(pod)});
}

}  // namespace

Printer pod_printer() {
  return {{name_column(),
           {"Ready", "string", "",
            "The aggregate readiness state of this pod for accepting traffic.", 0},
           {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
           {"Restarts", "string", "",
            "The number of times the containers in this pod have been restarted and when the last "
            "container in this pod has restarted.",
            0},
           age_column(),
           {"IP", "string", "", "IP address allocated to the pod.", 1},
           {"Node", "string", "", "The node the pod is scheduled onto.", 1},
           {"Nominated Node", "string", "",
            "The node the scheduler nominated for preemption, if any.", 1},
           {"Readiness Gates", "string", "",
            "Readiness gates that pass out of those the pod declares.", 1}},
          pod_row};
}

}  // namespace skiff::apiserver::tables
