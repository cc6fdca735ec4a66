// The pod worker's probes: one tracker per probe of each running container instance, run when
// due from the worker's own sync; a failed liveness or startup probe condemns the instance (the
// next step kills it and the restart policy decides the rest).
#include "agent/pods/pod_worker.h"
#include "pkg/log/log.h"

namespace skiff::agent::pods {

bool PodWorker::previously(const std::string& name, const std::string& container_id,
                           const char* field) const {
  auto statuses = initial_status_.find("containerStatuses");
  if (statuses == initial_status_.end() || !statuses->is_array()) return false;
  for (const auto& status : *statuses)
    if (status.is_object() && status.value("name", "") == name &&
        status.value("containerID", "") == options_.runtime_name + "://" + container_id)
      return status.value(field, false) == true;
  return false;
}

void PodWorker::start_probes(ContainerProbes& probes, const ContainerSpec& spec,
                             const runtime::ContainerStatus& instance, bool started_before) {
  const TimePoint started_at = instance.started_at.value_or(deps_.clock.now());
  probes.started = true;
  if (spec.liveness_probe)
    probes.liveness.emplace(ProbeType::Liveness, *spec.liveness_probe, started_at);
  if (spec.readiness_probe) {
    // An agent that restarted keeps a ready container ready until a probe says otherwise.
    const bool was_ready = started_before && previously(spec.name, instance.id, "ready");
    probes.readiness.emplace(ProbeType::Readiness, *spec.readiness_probe, started_at,
                             was_ready ? std::optional(ProbeResult::Success) : std::nullopt);
  }
}

bool PodWorker::probe(ProbeTracker& tracker, const runtime::ContainerStatus& instance,
                      const PodSnapshot& snapshot, TimePoint now) {
  if (!tracker.due(now)) return false;
  const ProbeTarget target{instance.id, instance.name,
                           snapshot.sandbox() ? snapshot.sandbox()->ip : pod_ip_};
  const ProbeOutcome outcome = deps_.probes.run(tracker.type(), tracker.spec(), target);
  const bool was_failed = tracker.failed();
  tracker.record(outcome.result, now);
  if (tracker.failed() && !was_failed)
    log::info("probe failed", {{"pod", spec_.key.text()},
                               {"container", instance.name},
                               {"probe", to_string(tracker.type())},
                               {"message", outcome.message}});
  return true;
}

void PodWorker::run_probes(const PodSnapshot& snapshot, TimePoint now) {
  if (terminal_) return;
  for (const auto& spec : spec_.containers) {
    const runtime::ContainerStatus* instance = snapshot.current(spec.name);
    if (!instance || instance->state != runtime::ContainerState::Running) continue;
    if (unhealthy_.count(instance->id)) continue;
    auto [entry, fresh] = probes_.try_emplace(instance->id);
    ContainerProbes& probes = entry->second;
    if (fresh) {
      const TimePoint started_at = instance->started_at.value_or(now);
      const bool started_before = previously(spec.name, instance->id, "started");
      if (spec.startup_probe && !started_before)
        probes.startup.emplace(ProbeType::Startup, *spec.startup_probe, started_at);
      else
        start_probes(probes, spec, *instance, started_before);
    }
    if (probes.startup && !probes.started) {
      probe(*probes.startup, *instance, snapshot, now);
      if (probes.startup->failed()) {
        unhealthy_.insert(instance->id);
        continue;
      }
      if (!probes.startup->succeeded()) continue;
      start_probes(probes, spec, *instance, false);
    }
    if (probes.liveness) {
      probe(*probes.liveness, *instance, snapshot, now);
      if (probes.liveness->failed()) {
        unhealthy_.insert(instance->id);
        continue;
      }
    }
    if (probes.readiness) probe(*probes.readiness, *instance, snapshot, now);
  }
}

std::map<std::string, ProbeView> PodWorker::probe_views() const {
  std::map<std::string, ProbeView> views;
  for (const auto& [id, probes] : probes_)
    views[id] = {probes.started,
                 probes.started && (!probes.readiness || probes.readiness->succeeded())};
  return views;
}

}  // namespace skiff::agent::pods
