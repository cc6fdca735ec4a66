#pragma once
// Pure readers of podman libpod API responses: inspect and list outputs become the runtime's
// structs, error bodies become RuntimeError, and the exec output stream is split into stdout and
// stderr. No I/O, so the unit tests feed them captured podman output.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/runtime/runtime.h"
#include "pkg/api/json.h"

namespace skiff::agent::runtime::podman {

// Field readers that never throw: "" / 0 / null when the member is missing or of another type.
std::string json_string(const Json& object, std::string_view key);
int64_t json_int(const Json& object, std::string_view key, int64_t missing = 0);
const Json& json_member(const Json& object, std::string_view key);

// Parses a JSON body; RuntimeError(Internal) naming `what` when it is not JSON.
Json parse_json(std::string_view body, std::string_view what);

// The error for a failed call (`status` >= 400): podman's {"cause","message","response"} body,
// mapped by its cause ("no such container" -> NotFound, "name is already in use" ->
// AlreadyExists, "container state improper" -> FailedPrecondition, ...) and then by status.
RuntimeError error_from_response(long status, std::string_view body, std::string_view what);

// Podman writes "0001-01-01T00:00:00Z" for "never"; that and malformed times read as none.
std::optional<TimePoint> parse_podman_time(std::string_view text);

// podman's container state names ("created", "running", "exited", ...).
ContainerState container_state_from(std::string_view podman_state);

// GET /containers/{id}/json.
ContainerStatus parse_container_inspect(const Json& inspect);

// One entry of GET /containers/json. The list has no OOM flag and no log path: its reason is
// read from the exit code alone; call container_status for the full picture.
ContainerStatus parse_container_list_entry(const Json& entry);

// GET /pods/{id}/json plus the infra container's inspect (for the IP); `infra` may be null when
// the pod has no infra container or it is gone.
PodSandboxStatus parse_pod_inspect(const Json& pod, const Json* infra);

// One entry of GET /pods/json (no IP: the list does not carry it).
PodSandboxStatus parse_pod_list_entry(const Json& entry);

// The ids of a pod's non-infra containers and its infra container, from GET /pods/{id}/json.
struct PodMembers {
  std::vector<std::string> containers;
  std::string infra;
};
PodMembers parse_pod_members(const Json& pod);

// One entry of GET /images/json or the body of GET /images/{ref}/json.
ImageInfo parse_image(const Json& image);

// The body of POST /images/pull: a stream of JSON objects; the image id, or RuntimeError
// (NotFound when the registry has no such image, Unavailable when it cannot be reached,
// Internal otherwise) carrying the registry's message.
std::string parse_pull_result(std::string_view body, std::string_view image_ref);

// The body of an attached exec (POST /exec/{id}/start without a TTY): frames of an 8-byte header
// (stream 1 = stdout, 2 = stderr; big-endian 32-bit length) and payload. A body that is not
// framed is taken as stdout.
struct DemuxedOutput {
  std::string stdout_text;
  std::string stderr_text;
};
DemuxedOutput demux_exec_stream(std::string_view body);

}  // namespace skiff::agent::runtime::podman
