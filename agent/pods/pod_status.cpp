#include "agent/pods/pod_status.h"

#include "pkg/api/quantity.h"
#include "pkg/api/time.h"

namespace skiff::agent::pods {
namespace {

using runtime::ContainerState;
using runtime::ContainerStatus;

std::string timestamp(const std::optional<TimePoint>& t) {
  return t ? api::format_rfc3339(*t) : "";
}

Json terminated_state(const ContainerStatus& instance, const std::string& runtime_name) {
  Json out = {{"exitCode", instance.exit_code},
              {"reason", instance.reason.empty() ? runtime::exit_reason(instance.exit_code, false)
                                                 : instance.reason},
              {"containerID", runtime_name + "://" + instance.id}};
  if (instance.started_at) out["startedAt"] = timestamp(instance.started_at);
  if (instance.finished_at) out["finishedAt"] = timestamp(instance.finished_at);
  if (!instance.message.empty()) out["message"] = instance.message;
  return out;
}

Json waiting_state(const ContainerWaiting& waiting) {
  Json out = {{"reason", waiting.reason}};
  if (!waiting.message.empty()) out["message"] = waiting.message;
  return out;
}

Json container_status(const StatusInputs& in, const ContainerSpec& spec,
                      const ContainerWaiting& default_waiting) {
  Json out = {{"name", spec.name},
              {"image", spec.image},
              {"imageID", ""},
              {"ready", false},
              {"started", false},
              {"restartCount", 0},
              {"lastState", Json::object()}};
  const ContainerStatus* instance = in.snapshot.newest(spec.name);
  const ContainerStatus* previous = in.snapshot.previous(spec.name);
  auto waiting = in.waiting.find(spec.name);
  auto last_state_from = [&](const ContainerStatus* dead) {
    if (dead && dead->state == ContainerState::Exited)
      out["lastState"] = {{"terminated", terminated_state(*dead, in.runtime_name)}};
  };
  if (!instance) {
    out["state"] = {{"waiting", waiting_state(waiting != in.waiting.end() ? waiting->second
                                                                          : default_waiting)}};
    return out;
  }
  out["restartCount"] = instance->attempt;
  out["containerID"] = in.runtime_name + "://" + instance->id;
  out["imageID"] = instance->image_id;
  switch (instance->state) {
    case ContainerState::Running: {
      out["state"] = {{"running", {{"startedAt", timestamp(instance->started_at)}}}};
      auto probes = in.probes.find(instance->id);
      const ProbeView view = probes != in.probes.end() ? probes->second : ProbeView{};
      out["started"] = view.started;
      out["ready"] = view.started && view.ready && !in.terminal;
      last_state_from(previous);
      break;
    }
    case ContainerState::Exited:
      if (waiting != in.waiting.end() && !in.terminal) {
        out["state"] = {{"waiting", waiting_state(waiting->second)}};
        last_state_from(instance);
      } else {
        out["state"] = {{"terminated", terminated_state(*instance, in.runtime_name)}};
        last_state_from(previous);
      }
      break;
    case ContainerState::Created:
    case ContainerState::Unknown:
      out["state"] = {{"waiting", waiting_state(waiting != in.waiting.end()
                                                    ? waiting->second
                                                    : ContainerWaiting{"ContainerCreating", ""})}};
      last_state_from(previous);
      break;
  }
  return out;
}

const Json* find_condition(const Json& previous, const std::string& type) {
  if (!previous.is_object()) return nullptr;
  auto conditions = previous.find("conditions");
  if (conditions == previous.end() || !conditions->is_array()) return nullptr;
  for (const auto& condition : *conditions)
    if (condition.is_object() && condition.value("type", "") == type) return &condition;
  return nullptr;
}

// A condition whose lastTransitionTime moves only when its status changes.
Json condition(const StatusInputs& in, const std::string& type, bool status,
               const std::string& reason = "", const std::string& message = "") {
  const std::string value = status ? "True" : "False";
  std::string since = api::format_rfc3339(in.now);
  if (const Json* old = find_condition(in.previous, type);
      old && old->value("status", "") == value && old->contains("lastTransitionTime") &&
      (*old)["lastTransitionTime"].is_string())
    since = (*old)["lastTransitionTime"];
  Json out = {
      {"type", type}, {"status", value}, {"lastProbeTime", nullptr}, {"lastTransitionTime", since}};
  if (!reason.empty()) out["reason"] = reason;
  if (!message.empty()) out["message"] = message;
  return out;
}

std::string bracketed(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

bool has(const Json& object, const char* key) {
  return object.is_object() && object.contains(key) && !object[key].is_null();
}

}  // namespace

std::string pod_phase(const PodSpecView& spec, const Json& init_statuses,
                      const Json& container_statuses, bool terminal) {
  int pending_init = 0, failed_init = 0;
  for (const auto& status : init_statuses) {
    const Json& state = status["state"];
    if (has(state, "running")) {
      ++pending_init;
    } else if (has(state, "terminated")) {
      if (state["terminated"]["exitCode"] != 0) ++failed_init;
    } else if (has(status["lastState"], "terminated")) {
      if (status["lastState"]["terminated"]["exitCode"] != 0) ++failed_init;
    } else {
      ++pending_init;
    }
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& status : container_statuses) {
    const Json& state = status["state"];
    if (has(state, "running")) {
      ++running;
    } else if (has(state, "terminated")) {
      ++stopped;
      if (state["terminated"]["exitCode"] == 0) ++succeeded;
    } else if (has(status["lastState"], "terminated")) {
      ++stopped;
    } else {
      ++waiting;
    }
  }
  if (failed_init > 0 && spec.restart_policy == RestartPolicy::Never) return "Failed";
  if (pending_init > 0 || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped == 0) return "Pending";
  if (terminal) return stopped == succeeded ? "Succeeded" : "Failed";
  if (spec.restart_policy == RestartPolicy::Always) return "Running";
  if (stopped == succeeded) return "Succeeded";
  if (spec.restart_policy == RestartPolicy::Never) return "Failed";
  return "Running";
}

std::string qos_class(const Json& pod) {
  bool any = false, guaranteed = true;
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return "BestEffort";
  for (const char* list : {"initContainers", "containers"}) {
    auto containers = spec->find(list);
    if (containers == spec->end() || !containers->is_array()) continue;
    for (const auto& container : *containers) {
      if (!container.is_object()) continue;
      const Json resources = container.value("resources", Json::object());
      const Json requests =
          resources.is_object() ? resources.value("requests", Json::object()) : Json::object();
      const Json limits =
          resources.is_object() ? resources.value("limits", Json::object()) : Json::object();
      for (const char* name : {"cpu", "memory"}) {
        const bool has_request = requests.is_object() && requests.contains(name);
        const bool has_limit = limits.is_object() && limits.contains(name);
        any |= has_request || has_limit;
        if (!has_limit) {
          guaranteed = false;
          continue;
        }
        if (has_request) {
          auto request = requests[name].is_string()
                             ? api::parse_quantity(requests[name].get<std::string>())
                             : std::nullopt;
          auto limit = limits[name].is_string()
                           ? api::parse_quantity(limits[name].get<std::string>())
                           : std::nullopt;
          if (!request || !limit || *request != *limit) guaranteed = false;
        }
      }
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

Json build_pod_status(const StatusInputs& in) {
  const PodSpecView& spec = in.spec;
  const bool has_init = !spec.init_containers.empty();

  Json init_statuses = Json::array();
  for (const auto& container : spec.init_containers)
    init_statuses.push_back(container_status(in, container, {"PodInitializing", ""}));
  Json container_statuses = Json::array();
  const ContainerWaiting default_waiting{has_init ? "PodInitializing" : "ContainerCreating", ""};
  for (const auto& container : spec.containers)
    container_statuses.push_back(container_status(in, container, default_waiting));

  const std::string phase = pod_phase(spec, init_statuses, container_statuses, in.terminal);

  std::vector<std::string> not_initialized;
  for (const auto& status : init_statuses) {
    const Json& state = status["state"];
    if (!has(state, "terminated") || state["terminated"]["exitCode"] != 0)
      not_initialized.push_back(status["name"]);
  }
  std::vector<std::string> not_ready;
  for (const auto& status : container_statuses)
    if (status["ready"] != true) not_ready.push_back(status["name"]);

  Json conditions = Json::array();
  conditions.push_back(
      condition(in, "PodReadyToStartContainers", in.snapshot.sandbox_ready() && !in.terminal));
  if (not_initialized.empty())
    conditions.push_back(condition(in, "Initialized", true));
  else
    conditions.push_back(
        condition(in, "Initialized", false, "ContainersNotInitialized",
                  "containers with incomplete status: " + bracketed(not_initialized)));
  for (const char* type : {"Ready", "ContainersReady"}) {
    if (phase == "Succeeded")
      conditions.push_back(condition(in, type, false, "PodCompleted"));
    else if (not_ready.empty())
      conditions.push_back(condition(in, type, true));
    else
      conditions.push_back(condition(in, type, false, "ContainersNotReady",
                                     "containers with unready status: " + bracketed(not_ready)));
  }
  if (const Json* scheduled = find_condition(in.previous, "PodScheduled"))
    conditions.push_back(*scheduled);
  else
    conditions.push_back(condition(in, "PodScheduled", true));
  // Conditions others own (DisruptionTarget, readiness gates) stay as they were.
  if (has(in.previous, "conditions") && in.previous["conditions"].is_array())
    for (const auto& old : in.previous["conditions"]) {
      const std::string type = old.is_object() ? old.value("type", "") : "";
      if (type.empty() || find_condition({{"conditions", conditions}}, type)) continue;
      conditions.push_back(old);
    }

  Json status = {{"phase", phase}, {"conditions", std::move(conditions)}};
  if (!in.host_ip.empty()) {
    status["hostIP"] = in.host_ip;
    status["hostIPs"] = Json::array({{{"ip", in.host_ip}}});
  }
  if (!in.pod_ip.empty()) {
    status["podIP"] = in.pod_ip;
    status["podIPs"] = Json::array({{{"ip", in.pod_ip}}});
  }
  if (has(in.previous, "startTime") && in.previous["startTime"].is_string())
    status["startTime"] = in.previous["startTime"];
  else
    status["startTime"] = api::format_rfc3339(in.now);
  if (!in.qos_class.empty()) status["qosClass"] = in.qos_class;
  if (has_init) status["initContainerStatuses"] = std::move(init_statuses);
  status["containerStatuses"] = std::move(container_statuses);
  return status;
}

}  // namespace skiff::agent::pods
