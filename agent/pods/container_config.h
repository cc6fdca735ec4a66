#pragma once
// From a Pod spec's container to the runtime's ContainerConfig: the environment (value,
// configMapKeyRef, secretKeyRef, fieldRef, envFrom, with Kubernetes' $(VAR) expansion), command
// and args (expanded with that environment), ports, workingDir, runAsUser and limits.
//
// Errors a user can fix in their objects (a missing ConfigMap, Secret or key, an unsupported
// fieldPath) are ContainerConfigError with the kubelet's words; the worker shows them as
// CreateContainerConfigError and tries again on the next sync.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "agent/pods/pod_interfaces.h"
#include "agent/pods/pod_spec.h"
#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

class ContainerConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using EnvList = std::vector<std::pair<std::string, std::string>>;

// Label on every container: the pod's grace period, so that an agent which restarted and finds
// a pod the server no longer has still stops it with the grace it asked for.
inline constexpr std::string_view kGracePeriodLabel = "io.kubernetes.pod.terminationGracePeriod";

// Kubernetes' expansion: "$(NAME)" becomes NAME's value when `lookup` knows it and stays as
// written otherwise; "$$" is a literal "$" (so "$$(NAME)" stays "$(NAME)").
std::string expand_variables(
    std::string_view input,
    const std::function<std::optional<std::string>(const std::string&)>& lookup);

// True for names Kubernetes accepts as environment variable names ([-._a-zA-Z][-._a-zA-Z0-9]*).
bool is_env_var_name(std::string_view name);

// The values fieldRef can read that are not in the spec.
struct PodRuntimeFields {
  std::string pod_ip;
  std::string host_ip;
};

// The container's environment in order (envFrom first, then env; a later entry of the same name
// replaces the earlier value in place). Throws ContainerConfigError.
EnvList build_environment(const ContainerSpec& container, const PodSpecView& pod,
                          const PodRuntimeFields& fields, ObjectSource& objects);

// The runtime config for attempt `attempt` of `container`; `mounts` are the host paths of its
// volume mounts (see volumes.h).
runtime::ContainerConfig make_container_config(const ContainerSpec& container,
                                               const PodSpecView& pod, uint32_t attempt,
                                               const EnvList& env,
                                               std::vector<runtime::Mount> mounts);

// A Secret's data (base64 in the API) or a ConfigMap's data and binaryData, decoded. Throws
// ContainerConfigError for a malformed object.
std::map<std::string, std::string> object_data(std::string_view kind, const Json& object);

}  // namespace skiff::agent::pods
