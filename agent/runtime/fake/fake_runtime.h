#pragma once
// An in-memory Runtime for the pod workers' unit tests: no processes, no sockets, no files.
// It keeps the Runtime contracts (idempotent verbs, labels, typed errors, kept exited
// containers) and can be scripted: make a container exit with a code (or be OOM-killed), fail a
// pull or any verb once, decide what exec returns, feed log lines, set the clock.
//
// Behaviour worth knowing:
//  - Images must be added (add_image) or made pullable (allow_pull) first; create_container with
//    an image that is not present is NotFound, as with podman.
//  - A started container runs until exit_container(), stop_container() (then it exits with the
//    code set by exit_on_stop, 143 by default: a process that honours SIGTERM) or an exit_on_start
//    script for its name.
//  - Sandbox IPs are 10.88.0.2, 10.88.0.3, ... in creation order; stopping a sandbox releases it.
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/runtime/runtime.h"

namespace skiff::agent::runtime::fake {

class FakeRuntime : public Runtime {
 public:
  using ExecHandler =
      std::function<ExecResult(const ContainerStatus& container, const std::vector<std::string>&)>;

  FakeRuntime();

  // ---- scripting ----
  void set_clock(std::function<TimePoint()> now);
  void add_image(const std::string& ref, const std::string& id = "");
  void allow_pull(const std::string& ref, const std::string& id = "");
  // Every pull of `ref` fails with `error` (until allow_pull or add_image).
  void fail_pull(const std::string& ref, const RuntimeError& error);
  // The next call of `verb` (a Runtime method name, e.g. "start_container") fails with `error`.
  void fail_next(const std::string& verb, const RuntimeError& error);
  // Containers with this Pod-spec name exit with `exit_code` as soon as they start.
  void exit_on_start(const std::string& container_name, int exit_code, bool oom_killed = false);
  // Containers with this Pod-spec name exit with `exit_code` when stopped (default 143).
  void exit_on_stop(const std::string& container_name, int exit_code);
  // A running container exits now (crash, OOM kill, normal end).
  void exit_container(const std::string& container_id, int exit_code, bool oom_killed = false);
  // Decides exec_sync's result; by default exit 0 with no output. May throw RuntimeError (e.g.
  // DeadlineExceeded to act out a hanging probe).
  void set_exec_handler(ExecHandler handler);
  void append_log(const std::string& container_id, LogStream stream, const std::string& text);

  // "verb argument" for each call made, in order (e.g. "start_container container-3").
  std::vector<std::string> calls() const;
  std::vector<std::string> exec_calls(const std::string& container_id) const;

  // ---- Runtime ----
  RuntimeVersion version() override;

  std::string run_pod_sandbox(const PodSandboxConfig& config) override;
  void stop_pod_sandbox(const std::string& sandbox_id) override;
  void remove_pod_sandbox(const std::string& sandbox_id) override;
  PodSandboxStatus pod_sandbox_status(const std::string& sandbox_id) override;
  std::vector<PodSandboxStatus> list_pod_sandboxes(const SandboxFilter& filter) override;

  std::string create_container(const std::string& sandbox_id, const ContainerConfig& config,
                               const PodSandboxConfig& sandbox) override;
  void start_container(const std::string& container_id) override;
  void stop_container(const std::string& container_id, std::chrono::seconds timeout) override;
  void remove_container(const std::string& container_id) override;
  ContainerStatus container_status(const std::string& container_id) override;
  std::vector<ContainerStatus> list_containers(const ContainerFilter& filter) override;
  bool wait_container(const std::string& container_id, std::chrono::milliseconds timeout) override;

  ExecResult exec_sync(const std::string& container_id, const std::vector<std::string>& argv,
                       std::chrono::milliseconds timeout) override;
  void read_container_log(const std::string& container_id, const LogOptions& options,
                          const LogSink& sink) override;

  std::optional<ImageInfo> image_status(const std::string& image_ref) override;
  std::string pull_image(const std::string& image_ref) override;
  std::vector<ImageInfo> list_images() override;
  void remove_image(const std::string& image_ref) override;

 private:
  struct Sandbox {
    PodSandboxStatus status;
    int ip_suffix = 0;
  };
  struct Container {
    ContainerStatus status;
    ContainerConfig config;
    std::vector<LogLine> log;
  };
  struct ExitScript {
    int exit_code = 0;
    bool oom_killed = false;
  };

  // Called with mutex_ held.
  void record(std::string_view verb, const std::string& argument);
  void exit_locked(Container& container, int exit_code, bool oom_killed);
  Container& container_locked(const std::string& id);
  bool running_locked(const std::string& id) const;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<TimePoint()> now_;
  std::map<std::string, ImageInfo> images_;      // by reference
  std::map<std::string, std::string> pullable_;  // reference -> id
  std::map<std::string, RuntimeError> pull_failures_;
  std::multimap<std::string, RuntimeError> next_failures_;  // verb -> error
  std::map<std::string, ExitScript> exit_on_start_;
  std::map<std::string, int> exit_on_stop_;
  ExecHandler exec_handler_;
  std::map<std::string, Sandbox> sandboxes_;
  std::map<std::string, Container> containers_;
  std::vector<std::string> calls_;
  std::map<std::string, std::vector<std::string>> exec_calls_;
  std::set<int> ips_in_use_;
  int next_id_ = 1;
};

}  // namespace skiff::agent::runtime::fake
