#pragma once
// The pod's `status` as the kubelet reports it, built by a pure function from the spec, what the
// runtime has, the worker's memory (why a container waits, what the probes say) and the
// previous status (whose condition transition times, startTime and PodScheduled are kept when
// nothing changed: an unchanged pod yields an identical status, so nothing is re-sent).
//
// Shape (Kubernetes 1.32): phase; conditions PodReadyToStartContainers, Initialized, Ready,
// ContainersReady, PodScheduled (plus any other the previous status carried); hostIP(s),
// podIP(s), startTime, qosClass; initContainerStatuses (when the pod has init containers) and
// containerStatuses in spec order, each with name, image, imageID, containerID
// ("<runtime>://<id>"), state and lastState (waiting/running/terminated), ready, started,
// restartCount.
#include <map>
#include <string>

#include "agent/pods/pod_actions.h"
#include "agent/pods/pod_snapshot.h"
#include "agent/pods/pod_spec.h"
#include "pkg/api/json.h"

namespace skiff::agent::pods {

struct ProbeView {
  bool started = true;  // startup probe passed (or none)
  bool ready = true;    // readiness probe passing (or none)
};

struct StatusInputs {
  const PodSpecView& spec;
  const PodSnapshot& snapshot;
  const Json& previous;  // the last status (at first the API's), or null
  const std::map<std::string, ContainerWaiting>& waiting;  // by container name
  const std::map<std::string, ProbeView>& probes;          // by running container id
  std::string runtime_name = "podman";                     // containerID prefix
  std::string host_ip;
  std::string pod_ip;     // the sandbox's, kept after it stopped
  bool terminal = false;  // finished, or stopped for deletion: nothing will restart
  std::string qos_class;  // "" = leave out
  TimePoint now;
};

Json build_pod_status(const StatusInputs& in);

// Kubernetes' getPhase over built container statuses.
std::string pod_phase(const PodSpecView& spec, const Json& init_statuses,
                      const Json& container_statuses, bool terminal);

// BestEffort, Burstable or Guaranteed from the pod's raw containers' resources.
std::string qos_class(const Json& pod);

}  // namespace skiff::agent::pods
