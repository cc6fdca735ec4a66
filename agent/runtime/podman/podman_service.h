#pragma once
// `podman system service` as a child process, for an agent on a machine where nobody runs
// podman's API socket (the podman.socket systemd unit is not enabled by default).
//
// Contracts:
//  - The constructor starts the child and returns once the socket answers; it throws
//    RuntimeError(Unavailable) with the child's own words when podman exits or stays silent.
//  - The destructor stops the child (SIGTERM, then SIGKILL after a grace period) and reaps it.
//    Containers keep running: they belong to conmon, not to the API service.
//  - The child gets SIGTERM when the thread that started it dies, so a crashed agent does not
//    leave an orphaned service behind.
//  - Nothing about the host's podman configuration is assumed or written here: callers pass the
//    global flags (--root, --runroot) and environment (CONTAINERS_CONF) they need.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace skiff::agent::runtime::podman {

inline constexpr const char* kDefaultPodmanSocket = "/run/podman/podman.sock";

struct PodmanServiceOptions {
  std::string socket_path = kDefaultPodmanSocket;
  std::string podman_binary = "podman";  // looked up on PATH
  std::vector<std::string> global_args;  // e.g. {"--root", "/x/root", "--runroot", "/x/run"}
  std::vector<std::string> extra_env;    // "NAME=value" entries over the inherited ones
  std::string log_path;                  // the child's stdout+stderr; "" = /dev/null
  std::chrono::milliseconds ready_timeout{15'000};
  std::chrono::milliseconds stop_grace{5'000};
};

class PodmanService {
 public:
  explicit PodmanService(PodmanServiceOptions options);
  ~PodmanService();
  PodmanService(const PodmanService&) = delete;
  PodmanService& operator=(const PodmanService&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& socket_path() const { return options_.socket_path; }

 private:
  void stop();

  PodmanServiceOptions options_;
  pid_t pid_ = -1;
};

// True when something answers podman's ping on `socket_path`.
bool podman_socket_answers(const std::string& socket_path);

// Starts a service unless one already answers on the socket (then returns null: not ours).
std::unique_ptr<PodmanService> ensure_podman_service(const PodmanServiceOptions& options);

}  // namespace skiff::agent::runtime::podman
