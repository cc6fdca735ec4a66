// The pod worker's last round: preStop hooks, stop with the grace period, then remove the
// sandboxes (and with them the containers), the volumes, and say so.
#include <future>

#include "agent/pods/pod_worker.h"
#include "pkg/log/log.h"

namespace skiff::agent::pods {
namespace {

using Steady = std::chrono::steady_clock;

}  // namespace

std::optional<TimePoint> PodWorker::terminate() {
  runtime::Runtime& rt = deps_.runtime;
  PodSnapshot snapshot = observer_.observe();
  const std::chrono::seconds grace =
      forgotten_ && !spec_.deleting ? spec_.termination_grace : spec_.deletion_grace;
  const std::vector<const runtime::ContainerStatus*> running = snapshot.running();
  if (!running.empty())
    log::info("stopping pod", {{"pod", spec_.key.text()}, {"grace", go_duration(grace)}});

  // Each container: its preStop hook (within the grace period), then SIGTERM and, after what is
  // left of the grace period, SIGKILL. All containers at once, as the kubelet does.
  auto stop_one = [&](const runtime::ContainerStatus& instance) {
    const auto started = Steady::now();
    const ContainerSpec* spec = container_spec(instance.name);
    if (spec && !spec->pre_stop_exec.empty() && grace.count() > 0) {
      try {
        rt.exec_sync(instance.id, spec->pre_stop_exec,
                     std::chrono::duration_cast<std::chrono::milliseconds>(grace));
      } catch (const runtime::RuntimeError& error) {
        log::warn(
            "preStop hook failed",
            {{"pod", spec_.key.text()}, {"container", instance.name}, {"error", error.what()}});
      }
    }
    const auto used = std::chrono::duration_cast<std::chrono::seconds>(Steady::now() - started);
    rt.stop_container(instance.id, std::max(grace - used, options_.minimum_grace));
  };
  if (running.size() == 1) {
    stop_one(*running[0]);
  } else if (running.size() > 1) {
    std::vector<std::future<void>> stops;
    for (const auto* instance : running)
      stops.push_back(std::async(std::launch::async, stop_one, std::cref(*instance)));
    for (auto& stop : stops) stop.wait();
    for (auto& stop : stops) stop.get();  // the first failure, after every stop has ended
  }
  for (const auto& sandbox : snapshot.sandboxes) rt.stop_pod_sandbox(sandbox.id);

  // The final status: every container terminated, the phase terminal.
  terminal_ = true;
  publish(observer_.observe(), deps_.clock.now());

  for (const auto& sandbox : snapshot.sandboxes) rt.remove_pod_sandbox(sandbox.id);
  // Containers outside any sandbox we know (a sandbox removed by hand) go too.
  for (const auto& [name, instances] : observer_.observe().containers)
    for (const auto& instance : instances) rt.remove_container(instance.id);
  volumes_.remove_all();
  stopped_ = true;
  log::info("pod stopped", {{"pod", spec_.key.text()}});
  if (!forgotten_) deps_.sink.pod_stopped(spec_.key);
  return std::nullopt;
}

}  // namespace skiff::agent::pods
