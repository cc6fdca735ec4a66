#pragma once
// Shared by `logs` and `exec`: the pod a command names (NAME or pod/NAME) and the container it
// acts on, chosen as kubectl 1.32 does: -c when given, else the
// kubectl.kubernetes.io/default-container annotation, else the first container (with a
// "Defaulted container" note on stderr when there are several).
#include <string>

#include "pkg/api/json.h"
#include "pkg/kubectl/context.h"

namespace skiff::kubectl {

// "web", "pod/web", "pods/web", "po/web" -> "web"; KubectlError for another resource type.
std::string pod_name_argument(const std::string& argument, const std::string& command);

// The pod an argument names: a pod as above, or a workload (deploy/NAME, rs/NAME) whose
// selector picks its pods; then, as kubectl does, the one best to log from
// (scheduled, Running, Ready, oldest), noting "Found N pods, using pod/X" on stderr when there
// are several. KubectlError when the workload has no pods.
std::string resolve_pod_argument(Context& ctx, const std::string& argument,
                                 const std::string& command);

// The API path of the pod: /api/v1/namespaces/NS/pods/NAME.
std::string pod_path(const std::string& namespace_name, const std::string& name);

// The container to use; writes kubectl's "Defaulted container ..." note to `ctx.err` when it
// picked one of several. KubectlError when the pod has no containers.
std::string choose_container(Context& ctx, const Json& pod, const std::string& requested);

// Whether `container` is one of the pod's containers or init containers.
bool pod_has_container(const Json& pod, const std::string& container);

}  // namespace skiff::kubectl
