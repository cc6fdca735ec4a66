#include "agent/pods/pod_snapshot.h"

#include <algorithm>
#include <set>

namespace skiff::agent::pods {

const runtime::PodSandboxStatus* PodSnapshot::sandbox() const {
  return sandboxes.empty() ? nullptr : &sandboxes.front();
}

bool PodSnapshot::sandbox_ready() const {
  return sandbox() && sandbox()->state == runtime::SandboxState::Ready;
}

const runtime::ContainerStatus* PodSnapshot::newest(const std::string& name) const {
  auto found = containers.find(name);
  return found == containers.end() || found->second.empty() ? nullptr : &found->second[0];
}

const runtime::ContainerStatus* PodSnapshot::previous(const std::string& name) const {
  auto found = containers.find(name);
  return found == containers.end() || found->second.size() < 2 ? nullptr : &found->second[1];
}

const runtime::ContainerStatus* PodSnapshot::current(const std::string& name) const {
  const runtime::ContainerStatus* instance = newest(name);
  if (!instance || !sandbox() || instance->sandbox_id != sandbox()->id) return nullptr;
  return instance;
}

uint32_t PodSnapshot::next_attempt(const std::string& name) const {
  const runtime::ContainerStatus* instance = newest(name);
  return instance ? instance->attempt + 1 : 0;
}

uint32_t PodSnapshot::next_sandbox_attempt() const {
  return sandbox() ? sandbox()->metadata.attempt + 1 : 0;
}

std::vector<const runtime::ContainerStatus*> PodSnapshot::running() const {
  std::vector<const runtime::ContainerStatus*> out;
  for (const auto& [name, instances] : containers)
    for (const auto& instance : instances)
      if (instance.state == runtime::ContainerState::Running) out.push_back(&instance);
  return out;
}

PodSnapshot make_snapshot(std::vector<runtime::PodSandboxStatus> sandboxes,
                          std::vector<runtime::ContainerStatus> containers) {
  PodSnapshot snapshot;
  auto newer_sandbox = [](const runtime::PodSandboxStatus& a, const runtime::PodSandboxStatus& b) {
    if (a.metadata.attempt != b.metadata.attempt) return a.metadata.attempt > b.metadata.attempt;
    return a.created_at > b.created_at;
  };
  std::sort(sandboxes.begin(), sandboxes.end(), newer_sandbox);
  snapshot.sandboxes = std::move(sandboxes);
  for (auto& container : containers)
    if (!container.name.empty())
      snapshot.containers[container.name].push_back(std::move(container));
  for (auto& [name, instances] : snapshot.containers)
    std::sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) {
      if (a.attempt != b.attempt) return a.attempt > b.attempt;
      return a.created_at > b.created_at;
    });
  return snapshot;
}

PodSnapshot PodObserver::observe() {
  const runtime::Labels by_uid{{std::string(runtime::kPodUidLabel), uid_}};
  std::vector<runtime::PodSandboxStatus> sandboxes = runtime_.list_pod_sandboxes({by_uid, {}});
  std::vector<runtime::ContainerStatus> containers = runtime_.list_containers({"", by_uid, {}});

  std::set<std::string> seen;
  for (auto& sandbox : sandboxes) {
    seen.insert(sandbox.id);
    if (sandbox.state != runtime::SandboxState::Ready || !sandbox.ip.empty()) continue;
    auto cached = sandbox_ips_.find(sandbox.id);
    if (cached == sandbox_ips_.end()) {
      try {
        cached = sandbox_ips_.emplace(sandbox.id, runtime_.pod_sandbox_status(sandbox.id).ip).first;
      } catch (const runtime::RuntimeError& error) {
        if (error.code() != runtime::ErrorCode::NotFound) throw;
        continue;  // removed meanwhile; the next look will not list it
      }
    }
    sandbox.ip = cached->second;
  }
  std::erase_if(sandbox_ips_, [&](const auto& entry) { return !seen.count(entry.first); });

  seen.clear();
  for (auto& container : containers) {
    seen.insert(container.id);
    if (container.state != runtime::ContainerState::Exited) {
      exited_.erase(container.id);  // a stopped container that was started again
      continue;
    }
    auto cached = exited_.find(container.id);
    if (cached == exited_.end()) {
      try {
        cached = exited_.emplace(container.id, runtime_.container_status(container.id)).first;
      } catch (const runtime::RuntimeError& error) {
        if (error.code() != runtime::ErrorCode::NotFound) throw;
        continue;
      }
    }
    container = cached->second;
  }
  std::erase_if(exited_, [&](const auto& entry) { return !seen.count(entry.first); });
  return make_snapshot(std::move(sandboxes), std::move(containers));
}

}  // namespace skiff::agent::pods
