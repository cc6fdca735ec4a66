#pragma once
// The container runtime seam of the agent, shaped like the Kubernetes CRI but small and
// synchronous: pod sandboxes, containers, images, exec and logs. Implementations: podman/ (the
// real one, over podman's REST API) and fake/ (in memory, for the pod workers' unit tests).
//
// Contracts every implementation keeps:
//  - Errors are RuntimeError with a code; nothing else escapes (bad input is Invalid, never a
//    crash).
//  - Verbs are idempotent: stopping what is stopped, or removing what is already gone, succeeds.
//    Status of something unknown is NotFound.
//  - Every sandbox and container carries the labels io.kubernetes.pod.namespace,
//    io.kubernetes.pod.name, io.kubernetes.pod.uid (and, for containers,
//    io.kubernetes.container.name), so an agent that restarts finds its pods again by listing.
//  - A stopped container is kept (with its exit code, times and log) until it is removed: that is
//    how "the previous instance" is read after a restart.
//  - Methods may be called from several threads at once.
//
// Not here, on purpose: pod networking beyond "a sandbox has an IP reachable from the host"
// (agent/network/), restart policies and backoff (agent/pods/), log rotation, interactive exec.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::agent::runtime {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;
using Labels = std::map<std::string, std::string>;

inline constexpr std::string_view kPodNamespaceLabel = "io.kubernetes.pod.namespace";
inline constexpr std::string_view kPodNameLabel = "io.kubernetes.pod.name";
inline constexpr std::string_view kPodUidLabel = "io.kubernetes.pod.uid";
inline constexpr std::string_view kContainerNameLabel = "io.kubernetes.container.name";

// ---- errors ----

enum class ErrorCode {
  NotFound,            // no such sandbox, container, image or exec target
  AlreadyExists,       // a sandbox/container with that name exists
  Invalid,             // the request itself is wrong (empty image, bad name, ...)
  FailedPrecondition,  // the object is in the wrong state (exec in a stopped container)
  Unavailable,         // the runtime cannot be reached (socket absent, service down)
  DeadlineExceeded,    // the call's timeout passed (exec_sync, wait)
  Internal,            // the runtime failed in a way the caller cannot fix
};

std::string_view to_string(ErrorCode code);

class RuntimeError : public std::runtime_error {
 public:
  RuntimeError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// ---- pod sandboxes ----

struct PodMetadata {
  std::string name;
  std::string namespace_name;
  std::string uid;
  uint32_t attempt = 0;  // bumped when a sandbox is re-created for the same pod
};

struct PortMapping {
  int container_port = 0;
  int host_port = 0;             // 0: not published on the host
  std::string protocol = "TCP";  // TCP | UDP | SCTP
  std::string host_ip;           // "" = all addresses
};

struct PodSandboxConfig {
  PodMetadata metadata;
  std::string hostname;  // "" = the pod name
  Labels labels;         // extra labels; the io.kubernetes.pod.* ones are added by the runtime
  // Host ports (hostPort in a Pod spec) are published by the sandbox, which owns the network
  // namespace; a container's own port list is informational.
  std::vector<PortMapping> port_mappings;
  std::string network;  // runtime network to join; "" = the runtime's default bridge
  // The pod's resolv.conf; all empty = the runtime's default (the host's resolvers).
  std::vector<std::string> dns_servers;
  std::vector<std::string> dns_searches;
  std::vector<std::string> dns_options;
};

enum class SandboxState { Ready, NotReady };
std::string_view to_string(SandboxState state);

struct PodSandboxStatus {
  std::string id;
  PodMetadata metadata;
  SandboxState state = SandboxState::NotReady;
  std::optional<TimePoint> created_at;
  std::string ip;  // pod IP on the runtime's bridge ("" while NotReady)
  Labels labels;
};

struct SandboxFilter {
  Labels labels;                      // all must match
  std::optional<SandboxState> state;  // none = any state
};

// ---- containers ----

struct Mount {
  std::string host_path;
  std::string container_path;
  bool read_only = false;
};

struct ContainerConfig {
  std::string name;      // the Pod spec's container name (DNS-1123 label)
  uint32_t attempt = 0;  // restart count: a restart is a new container with attempt + 1
  std::string image;
  // Kubernetes semantics: `command` replaces the image's ENTRYPOINT, `args` its CMD; when only
  // `command` is given the image's CMD is dropped.
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // in order; later entries win
  std::string working_dir;                               // "" = the image's
  std::vector<Mount> mounts;
  std::vector<PortMapping> ports;      // declared container ports (informational)
  std::optional<int64_t> run_as_user;  // none = the image's user
  int64_t memory_limit_bytes = 0;      // 0 = none
  int64_t cpu_limit_millicores = 0;    // 0 = none; 500 = half a CPU
  Labels labels;  // extra labels; the io.kubernetes.* ones are added by the runtime
  // CRI log file (see container_log.h) written by the runtime; "" = the runtime picks one and
  // reports it in ContainerStatus::log_path.
  std::string log_path;
};

enum class ContainerState { Created, Running, Exited, Unknown };
std::string_view to_string(ContainerState state);

struct ContainerStatus {
  std::string id;
  std::string sandbox_id;
  std::string name;  // the Pod spec's container name
  uint32_t attempt = 0;
  ContainerState state = ContainerState::Unknown;
  std::optional<TimePoint> created_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  int exit_code = 0;  // meaningful when Exited
  // When Exited: "OOMKilled", "Completed" (exit 0) or "Error"; else "".
  std::string reason;
  std::string message;   // the runtime's own error text, if any
  std::string image;     // as requested
  std::string image_id;  // resolved image id (kubelet reports it as imageID)
  Labels labels;
  std::string log_path;
};

struct ContainerFilter {
  std::string sandbox_id;  // "" = any sandbox
  Labels labels;           // all must match
  std::optional<ContainerState> state;
};

// ---- images ----

struct ImageInfo {
  std::string id;
  std::vector<std::string> repo_tags;
  int64_t size_bytes = 0;
};

// ---- exec ----

struct ExecResult {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// ---- logs ----

enum class LogStream { Stdout, Stderr };

struct LogLine {
  TimePoint time;
  std::string timestamp;  // as written in the log file (RFC 3339 with nanoseconds)
  LogStream stream = LogStream::Stdout;
  std::string text;  // without the trailing newline; partial fragments already joined
};

struct LogOptions {
  std::optional<int64_t> tail_lines;  // only the last N lines (then follow, if asked)
  std::optional<TimePoint> since;     // only lines at or after this time
  bool follow = false;  // keep reading until the container stops or the reader cancels
  // Polled while following and nothing arrives; returning true ends the read (client gone).
  std::function<bool()> cancelled;
  std::chrono::milliseconds poll_interval{100};
};

// Receives each line in order; returning false ends the read.
using LogSink = std::function<bool(const LogLine&)>;

struct RuntimeVersion {
  std::string name;  // "podman", "fake"
  std::string version;
  std::string api_version;
};

// ---- the interface ----

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Name and version; also a cheap readiness check (throws Unavailable when unreachable).
  virtual RuntimeVersion version() = 0;

  // Creates and starts a sandbox (its infra process holds the pod's network namespace) and
  // returns its id. AlreadyExists when a sandbox for the same pod and attempt exists.
  virtual std::string run_pod_sandbox(const PodSandboxConfig& config) = 0;
  // Kills whatever still runs in the sandbox, then its infra process; the pod keeps its
  // containers (for status and logs) until removed. Stop the containers with their grace period
  // first: this is the final, forceful step.
  virtual void stop_pod_sandbox(const std::string& sandbox_id) = 0;
  // Removes the sandbox and every container in it (killing what still runs).
  virtual void remove_pod_sandbox(const std::string& sandbox_id) = 0;
  virtual PodSandboxStatus pod_sandbox_status(const std::string& sandbox_id) = 0;
  virtual std::vector<PodSandboxStatus> list_pod_sandboxes(const SandboxFilter& filter = {}) = 0;

  // Creates a container in a Ready sandbox; NotFound when the sandbox or the image is missing.
  // `sandbox` is the config the sandbox was made from (as in the CRI): it names the pod in the
  // container's labels without another round trip.
  virtual std::string create_container(const std::string& sandbox_id, const ContainerConfig& config,
                                       const PodSandboxConfig& sandbox) = 0;
  virtual void start_container(const std::string& container_id) = 0;
  // SIGTERM (or the image's stop signal), then SIGKILL after `timeout`. Stopping an exited or
  // never-started container succeeds.
  virtual void stop_container(const std::string& container_id, std::chrono::seconds timeout) = 0;
  virtual void remove_container(const std::string& container_id) = 0;
  virtual ContainerStatus container_status(const std::string& container_id) = 0;
  virtual std::vector<ContainerStatus> list_containers(const ContainerFilter& filter = {}) = 0;
  // Blocks until the container is no longer running or `timeout` passes; returns whether it
  // stopped. A pod worker's cheap way to learn of an exit without polling status.
  virtual bool wait_container(const std::string& container_id,
                              std::chrono::milliseconds timeout) = 0;

  // Runs argv in a running container and collects its output (exec probes, `kubectl exec`
  // without a terminal). DeadlineExceeded when it does not finish within `timeout` (the process
  // may go on inside the container); FailedPrecondition when the container is not running.
  virtual ExecResult exec_sync(const std::string& container_id,
                               const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout) = 0;

  // Reads the container's log (the current instance's; for the previous instance pass the
  // previous container's id). With follow, returns when the container stops, the sink returns
  // false or options.cancelled() says so.
  virtual void read_container_log(const std::string& container_id, const LogOptions& options,
                                  const LogSink& sink) = 0;

  // None when the image is not present locally.
  virtual std::optional<ImageInfo> image_status(const std::string& image_ref) = 0;
  // Pulls the image and returns its id. NotFound/Unavailable/Internal on failure, with the
  // registry's message (becomes ErrImagePull).
  virtual std::string pull_image(const std::string& image_ref) = 0;
  virtual std::vector<ImageInfo> list_images() = 0;
  virtual void remove_image(const std::string& image_ref) = 0;
};

using RuntimePtr = std::unique_ptr<Runtime>;

// The io.kubernetes.* labels for a pod's sandbox (and, with `container_name`, a container),
// merged over `extra` (the reserved keys win).
Labels kubernetes_labels(const PodMetadata& pod, const Labels& extra,
                         std::string_view container_name = {});

// True when `labels` has every key/value of `selector`.
bool labels_match(const Labels& labels, const Labels& selector);

// The reason Kubernetes reports for an exited container.
std::string exit_reason(int exit_code, bool oom_killed);

}  // namespace skiff::agent::runtime
