#pragma once
// What the runtime has for one pod, grouped for decisions: its sandboxes newest first, and per
// container name its instances newest first (a restart is a new instance with attempt + 1; the
// previous one is kept for lastState and logs).
//
// make_snapshot is pure. PodObserver is the I/O: two list calls per look, plus an inspect for
// what lists do not carry and that never changes afterwards (a sandbox's IP, an exited
// container's precise times and OOM reason), cached by id.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

// The spec image a container was created from (the runtime may report a resolved name).
inline constexpr std::string_view kSpecImageLabel = "io.skiff.container.image";

struct PodSnapshot {
  std::vector<runtime::PodSandboxStatus> sandboxes;                         // newest attempt first
  std::map<std::string, std::vector<runtime::ContainerStatus>> containers;  // newest first

  const runtime::PodSandboxStatus* sandbox() const;  // the newest, or null
  bool sandbox_ready() const;
  const runtime::ContainerStatus* newest(const std::string& name) const;
  const runtime::ContainerStatus* previous(const std::string& name) const;
  // The newest instance, when it lives in the newest sandbox.
  const runtime::ContainerStatus* current(const std::string& name) const;
  uint32_t next_attempt(const std::string& name) const;  // newest attempt + 1, or 0
  uint32_t next_sandbox_attempt() const;
  std::vector<const runtime::ContainerStatus*> running() const;
  bool empty() const { return sandboxes.empty() && containers.empty(); }
};

PodSnapshot make_snapshot(std::vector<runtime::PodSandboxStatus> sandboxes,
                          std::vector<runtime::ContainerStatus> containers);

class PodObserver {
 public:
  PodObserver(runtime::Runtime& runtime, std::string pod_uid)
      : runtime_(runtime), uid_(std::move(pod_uid)) {}
  // Throws RuntimeError when the runtime cannot be asked.
  PodSnapshot observe();

 private:
  runtime::Runtime& runtime_;
  std::string uid_;
  std::map<std::string, std::string> sandbox_ips_;          // by sandbox id
  std::map<std::string, runtime::ContainerStatus> exited_;  // by container id
};

}  // namespace skiff::agent::pods
