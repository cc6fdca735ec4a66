#include "agent/pods/pod_actions.h"

#include <algorithm>

namespace skiff::agent::pods {
namespace {

using runtime::ContainerState;
using runtime::ContainerStatus;

void wake_no_later_than(PodActions& actions, TimePoint at) {
  if (!actions.wake_at || at < *actions.wake_at) actions.wake_at = at;
}

// Restart `instance` (exited) now, or say it is backing off and when that ends.
void plan_restart(const ActionInputs& in, PodActions& actions, bool init, size_t index,
                  const ContainerStatus& instance) {
  const std::string& name = instance.name;
  const TimePoint exited_at = instance.finished_at.value_or(in.now);
  if (in.crash_backoff.in_backoff_since(name, exited_at, in.now)) {
    const auto delay = in.crash_backoff.delay(name, in.now);
    actions.backing_off[name] = {"CrashLoopBackOff", "back-off " + go_duration(delay) +
                                                         " restarting failed container=" + name +
                                                         " pod=" + pod_for_messages(in.spec.key)};
    wake_no_later_than(actions, in.crash_backoff.retry_at(name, exited_at, in.now));
    return;
  }
  actions.start.push_back({init, index, instance.attempt + 1, exited_at});
}

void start_fresh(const ActionInputs& in, PodActions& actions) {
  if (!in.spec.init_containers.empty()) {
    const std::string& name = in.spec.init_containers[0].name;
    actions.start.push_back({true, 0, in.snapshot.next_attempt(name), std::nullopt});
    return;
  }
  for (size_t i = 0; i < in.spec.containers.size(); ++i)
    actions.start.push_back(
        {false, i, in.snapshot.next_attempt(in.spec.containers[i].name), std::nullopt});
}

void kill_running(const ActionInputs& in, PodActions& actions, const std::string& reason) {
  for (const ContainerStatus* running : in.snapshot.running())
    actions.kill.push_back({running->id, running->name, reason});
}

// Dead instances beyond the newest dead one of each container, and sandboxes older than a ready
// newest one.
void collect_garbage(const ActionInputs& in, PodActions& actions) {
  for (const auto& [name, instances] : in.snapshot.containers) {
    bool kept_dead = false;
    for (const auto& instance : instances) {
      if (instance.state != ContainerState::Exited) continue;
      if (!kept_dead) {
        kept_dead = true;
        continue;
      }
      actions.remove_containers.push_back(instance.id);
    }
  }
  if (!in.snapshot.sandbox_ready()) return;
  for (size_t i = 1; i < in.snapshot.sandboxes.size(); ++i) {
    const std::string& id = in.snapshot.sandboxes[i].id;
    const bool has_running = std::any_of(
        in.snapshot.containers.begin(), in.snapshot.containers.end(), [&](const auto& entry) {
          return std::any_of(entry.second.begin(), entry.second.end(), [&](const auto& c) {
            return c.sandbox_id == id && c.state == ContainerState::Running;
          });
        });
    if (!has_running) actions.remove_sandboxes.push_back(id);
  }
}

// Steps for the init containers; false while initialization is not complete.
bool plan_init_containers(const ActionInputs& in, PodActions& actions) {
  for (size_t i = 0; i < in.spec.init_containers.size(); ++i) {
    const ContainerSpec& spec = in.spec.init_containers[i];
    const ContainerStatus* instance = in.snapshot.current(spec.name);
    if (!instance) {
      actions.start.push_back({true, i, in.snapshot.next_attempt(spec.name), std::nullopt});
      return false;
    }
    switch (instance->state) {
      case ContainerState::Created:
        actions.start_created.push_back({instance->id, instance->name});
        return false;
      case ContainerState::Running:
      case ContainerState::Unknown:
        return false;
      case ContainerState::Exited:
        if (instance->exit_code == 0) continue;
        plan_restart(in, actions, true, i, *instance);  // Never was handled as pod_finished
        return false;
    }
  }
  return true;
}

void plan_containers(const ActionInputs& in, PodActions& actions) {
  for (size_t i = 0; i < in.spec.containers.size(); ++i) {
    const ContainerSpec& spec = in.spec.containers[i];
    const ContainerStatus* instance = in.snapshot.current(spec.name);
    if (!instance) {
      actions.start.push_back({false, i, in.snapshot.next_attempt(spec.name), std::nullopt});
      continue;
    }
    switch (instance->state) {
      case ContainerState::Created:
        actions.start_created.push_back({instance->id, instance->name});
        break;
      case ContainerState::Running: {
        if (in.unhealthy.count(instance->id)) break;  // killed below
        auto image = instance->labels.find(std::string(kSpecImageLabel));
        if (image != instance->labels.end() && image->second != spec.image)
          actions.kill.push_back({instance->id, spec.name, "its image changed"});
        break;
      }
      case ContainerState::Exited:
        if (restart_wanted(in.spec.restart_policy, instance->exit_code))
          plan_restart(in, actions, false, i, *instance);
        break;
      case ContainerState::Unknown:
        break;
    }
  }
}

}  // namespace

bool restart_wanted(RestartPolicy policy, int exit_code) {
  switch (policy) {
    case RestartPolicy::Always:
      return true;
    case RestartPolicy::OnFailure:
      return exit_code != 0;
    case RestartPolicy::Never:
      return false;
  }
  return true;
}

std::string pod_for_messages(const PodKey& key) {
  return key.name + "_" + key.namespace_name + "(" + key.uid + ")";
}

bool pod_finished(const PodSpecView& spec, const PodSnapshot& snapshot) {
  if (spec.restart_policy == RestartPolicy::Always) return false;
  for (const auto& init : spec.init_containers) {
    const ContainerStatus* instance = snapshot.newest(init.name);
    if (!instance || instance->state != ContainerState::Exited) break;
    if (instance->exit_code != 0) {
      if (spec.restart_policy == RestartPolicy::Never) return true;
      break;
    }
  }
  for (const auto& container : spec.containers) {
    const ContainerStatus* instance = snapshot.newest(container.name);
    if (!instance || instance->state != ContainerState::Exited ||
        restart_wanted(spec.restart_policy, instance->exit_code))
      return false;
  }
  return true;
}

PodActions compute_pod_actions(const ActionInputs& in) {
  PodActions actions;
  if (in.terminal || pod_finished(in.spec, in.snapshot)) {
    actions.terminal = true;
    kill_running(in, actions, "the pod has finished");
    actions.stop_sandbox = in.snapshot.sandbox_ready();
    return actions;
  }
  if (!in.snapshot.sandbox_ready()) {
    actions.create_sandbox = true;
    actions.sandbox_attempt = in.snapshot.next_sandbox_attempt();
    kill_running(in, actions, "its sandbox is gone");
    start_fresh(in, actions);
    return actions;
  }
  for (const ContainerStatus* running : in.snapshot.running())
    if (in.unhealthy.count(running->id))
      actions.kill.push_back({running->id, running->name, "a probe failed"});
  if (plan_init_containers(in, actions)) plan_containers(in, actions);
  collect_garbage(in, actions);
  return actions;
}

}  // namespace skiff::agent::pods
