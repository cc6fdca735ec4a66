#pragma once
// Pure builders of podman libpod API requests: the JSON bodies of pod and container creation
// (podman's PodSpecGenerator / SpecGenerator) and the `filters` query of list calls. No I/O, so
// the unit tests check them directly.
#include <string>
#include <string_view>

#include "agent/runtime/runtime.h"
#include "pkg/api/json.h"

namespace skiff::agent::runtime::podman {

// Where the sandbox/container attempt is kept, so status can report it after an agent restart.
inline constexpr std::string_view kAttemptLabel = "io.skiff.attempt";

// Podman names, unique per pod and attempt and readable in `podman ps`:
//   sandbox:   k8s_<pod>_<namespace>_<uid>_<attempt>
//   container: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>
std::string sandbox_name(const PodMetadata& pod);
std::string container_name(const PodMetadata& pod, const ContainerConfig& container);

// Body of POST /pods/create. Throws RuntimeError(Invalid) for a config podman would reject
// (missing or ill-formed names, bad ports).
Json pod_create_body(const PodSandboxConfig& config);

// Body of POST /containers/create for a container in sandbox `sandbox_id`. Throws
// RuntimeError(Invalid) for a config podman would reject or misread (no image, relative mount
// paths, negative limits).
Json container_create_body(const std::string& sandbox_id, const ContainerConfig& config,
                           const PodSandboxConfig& sandbox);

// The `filters` query parameter (already URL-encoded) for list calls: label=k=v for each label,
// plus pod=<id> when `sandbox_id` is set. "" when there is nothing to filter on.
std::string list_filters_query(const Labels& labels, const std::string& sandbox_id = "");

}  // namespace skiff::agent::runtime::podman
