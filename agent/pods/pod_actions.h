#pragma once
// The pod worker's decisions as a pure function, as the kubelet's computePodActions: from the
// spec, what the runtime has, the crash-loop backoff and the probes' verdicts, the next step
// toward the desired state. Executing it is the worker's job; so is looping until a step changes
// nothing.
//
// Rules (Kubernetes'):
//  - No ready sandbox: make a new one (attempt + 1); containers of the dead one are killed and
//    everything starts over from the first init container.
//  - Init containers run one at a time, in order; each must exit 0. A failed one is restarted
//    (with backoff) unless restartPolicy is Never, which fails the pod.
//  - Then every container starts; one that exits is restarted as restartPolicy says (Always;
//    OnFailure: exit code != 0; Never: not), after the crash-loop backoff.
//  - A container whose liveness or startup probe failed is killed (and then restarted as above).
//  - A pod whose containers all finished for good is terminal: its sandbox stops, nothing starts
//    again.
//  - Of each container's dead instances only the newest is kept.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/pods/backoff.h"
#include "agent/pods/pod_snapshot.h"
#include "agent/pods/pod_spec.h"

namespace skiff::agent::pods {

struct ContainerWaiting {
  std::string reason;
  std::string message;
  bool operator==(const ContainerWaiting&) const = default;
};

struct StartContainer {
  bool init = false;
  size_t index = 0;  // in spec.init_containers or spec.containers
  uint32_t attempt = 0;
  // A restart after an exit at this time (it advances the crash-loop backoff).
  std::optional<TimePoint> restart_after_exit_at;
};

struct ContainerRef {
  std::string id;
  std::string name;
};

struct KillContainer {
  std::string id;
  std::string name;
  std::string reason;  // for the log
};

struct PodActions {
  bool terminal = false;  // every container finished for good
  bool stop_sandbox = false;
  bool create_sandbox = false;
  uint32_t sandbox_attempt = 0;
  std::vector<std::string> remove_sandboxes;  // older, dead sandboxes (with their containers)
  std::vector<KillContainer> kill;
  std::vector<ContainerRef> start_created;  // created but never started (the agent stopped between)
  std::vector<StartContainer> start;
  std::map<std::string, ContainerWaiting> backing_off;  // by container name: CrashLoopBackOff
  std::vector<std::string> remove_containers;           // dead instances beyond the newest
  std::optional<TimePoint> wake_at;                     // when a backoff ends

  // Whether executing this touches the runtime.
  bool changes_runtime() const {
    return stop_sandbox || create_sandbox || !remove_sandboxes.empty() || !kill.empty() ||
           !start_created.empty() || !start.empty() || !remove_containers.empty();
  }
};

struct ActionInputs {
  const PodSpecView& spec;
  const PodSnapshot& snapshot;
  const Backoff& crash_backoff;            // keyed by container name
  const std::set<std::string>& unhealthy;  // running container ids whose liveness/startup failed
  bool terminal = false;  // already known to be finished (remembered or the API's phase)
  TimePoint now;
};

PodActions compute_pod_actions(const ActionInputs& in);

bool restart_wanted(RestartPolicy policy, int exit_code);

// Whether every container has finished for good (or an init container failed under Never).
bool pod_finished(const PodSpecView& spec, const PodSnapshot& snapshot);

// "name_namespace(uid)", as kubelet messages name a pod.
std::string pod_for_messages(const PodKey& key);

}  // namespace skiff::agent::pods
