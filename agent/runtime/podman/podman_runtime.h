#pragma once
// The Runtime on podman, through its REST API (libpod) on a unix socket. A pod sandbox is a
// podman pod whose infra container holds the network namespace on podman's bridge, so the pod
// IP is reachable from the host; each container is a podman container in that pod.
//
// Why the API and not the CLI: creating and starting a container costs ~58 ms over the API and
// 110-140 ms through `podman` (a Go process start per call).
//
// Every stop passes an explicit timeout: podman's default waits 10 s, and a busybox-style PID 1
// ignores SIGTERM. Waits pass a short `interval` (podman polls every 250 ms otherwise).
//
// Not handled here: starting podman's service (podman_service.h), events (a pod worker learns of
// exits through wait_container or status), rootless podman.
#include <chrono>
#include <memory>
#include <string>

#include "agent/runtime/podman/podman_client.h"
#include "agent/runtime/podman/podman_service.h"
#include "agent/runtime/runtime.h"
#include "pkg/api/json.h"

namespace skiff::agent::runtime::podman {

struct PodmanRuntimeOptions {
  std::string socket_path = kDefaultPodmanSocket;
  // Limit for ordinary calls (create, inspect, list ...); stops add their own timeout to it.
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds pull_timeout{600'000};
  // How often podman itself checks a container's state while we wait for it to stop.
  std::chrono::milliseconds wait_interval{20};
};

class PodmanRuntime : public Runtime {
 public:
  explicit PodmanRuntime(PodmanRuntimeOptions options = {});

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
  // A request whose status must be below 400; otherwise the mapped error.
  PodmanResponse call(std::string_view method, const std::string& path, std::string_view body,
                      std::string_view what, std::chrono::milliseconds timeout = {});
  Json call_json(std::string_view method, const std::string& path, std::string_view body,
                 std::string_view what);

  PodmanRuntimeOptions options_;
  PodmanClient client_;
};

}  // namespace skiff::agent::runtime::podman
