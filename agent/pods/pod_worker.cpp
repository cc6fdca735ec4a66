#include "agent/pods/pod_worker.h"

#include <algorithm>

#include "agent/pods/container_config.h"
#include "pkg/log/log.h"
#include "pkg/util/files.h"

namespace skiff::agent::pods {
namespace {

constexpr int kMaxPassesPerSync = 4;

void earliest(std::optional<TimePoint>& into, std::optional<TimePoint> candidate) {
  if (candidate && (!into || *candidate < *into)) into = candidate;
}

}  // namespace

PodWorker::PodWorker(PodWorkerDeps deps, PodWorkerOptions options, const Json& pod)
    : deps_(deps),
      options_(std::move(options)),
      spec_(parse_pod_identity(pod)),
      observer_(deps.runtime, spec_.key.uid),
      images_(deps.runtime),
      volumes_(options_.root_dir / "pods" / spec_.key.uid) {
  if (pod.contains("status") && pod["status"].is_object()) {
    initial_status_ = pod["status"];
    status_ = initial_status_;
    reported_ = initial_status_;
    const std::string phase = initial_status_.value("phase", "");
    // Kubernetes never moves a pod out of a terminal phase.
    terminal_ = phase == "Succeeded" || phase == "Failed";
  }
  parse(pod);
}

void PodWorker::parse(const Json& pod) {
  pod_ = pod;
  try {
    spec_ = parse_pod_spec(pod);
    dns_ = resolv_conf(pod);
    spec_error_.clear();
  } catch (const SpecError& error) {
    spec_ = parse_pod_identity(pod);
    spec_error_ = error.what();
  }
  qos_class_ = pod.contains("status") && pod["status"].is_object() &&
                       pod["status"].value("qosClass", "") != ""
                   ? pod["status"].value("qosClass", "")
                   : qos_class(pod);
}

std::optional<PodDns> PodWorker::resolv_conf(const Json& pod) const {
  const NodeDnsSettings& node = options_.dns;
  if (node.cluster_dns.empty()) return std::nullopt;
  const Json& spec = pod.contains("spec") && pod["spec"].is_object() ? pod["spec"] : Json::object();
  const auto host = util::read_file(node.host_resolv_conf);
  return pod_dns(spec, spec_.key.namespace_name, node, dns::parse_resolv_conf(host.value_or("")));
}

void PodWorker::update(const Json& pod) {
  const bool was_deleting = spec_.deleting;
  parse(pod);
  // A deletion is never undone by an older copy of the pod.
  if (was_deleting && !spec_.deleting) spec_.deleting = true;
  volumes_dirty_ = true;
}

void PodWorker::forget() {
  forgotten_ = true;
}

void PodWorker::objects_changed() {
  volumes_dirty_ = true;
  for (const auto& [name, waiting] : waiting_) start_backoff_.reset(name);
}

bool PodWorker::references(std::string_view kind, const std::string& name) const {
  const bool secret = kind == "Secret";
  for (const auto& volume : spec_.volumes)
    if (volume.source == name &&
        volume.kind == (secret ? VolumeSpec::Kind::Secret : VolumeSpec::Kind::ConfigMap))
      return true;
  for (const auto* list : {&spec_.init_containers, &spec_.containers})
    for (const auto& container : *list) {
      for (const auto& from : container.env_from)
        if (from.name == name && (from.kind == EnvFromSpec::Kind::Secret) == secret) return true;
      for (const auto& env : container.env)
        if (env.key_ref.name == name &&
            env.kind == (secret ? EnvVarSpec::Kind::SecretKey : EnvVarSpec::Kind::ConfigMapKey))
          return true;
    }
  return false;
}

std::optional<TimePoint> PodWorker::sync() {
  if (stopped_) return std::nullopt;
  const TimePoint now = deps_.clock.now();
  try {
    if (deleting()) return terminate();
    return run(now);
  } catch (const runtime::RuntimeError& error) {
    log::warn("pod sync failed", {{"pod", spec_.key.text()}, {"error", error.what()}});
    return now + options_.error_retry;
  } catch (const std::exception& error) {
    log::error("pod sync failed", {{"pod", spec_.key.text()}, {"error", error.what()}});
    return now + options_.error_retry;
  }
}

std::optional<TimePoint> PodWorker::run(TimePoint now) {
  PodSnapshot snapshot = observer_.observe();
  if (!spec_error_.empty()) {
    for (const auto* list : {&spec_.init_containers, &spec_.containers})
      for (const auto& container : *list)
        waiting_[container.name] = {"CreateContainerConfigError", spec_error_};
    publish(snapshot, now);
    return std::nullopt;
  }
  const bool volumes_ready = refresh_volumes(now);
  retry_at_.reset();
  tried_this_sync_.clear();

  PodActions actions;
  for (int pass = 0; pass < kMaxPassesPerSync; ++pass) {
    // Probes first, so that a failed liveness probe is acted on in the same pass, and a container
    // started by the pass before is probed at once when its probe has no initial delay.
    run_probes(snapshot, now);
    actions = compute_pod_actions({spec_, snapshot, crash_backoff_, unhealthy_, terminal_, now});
    for (const auto& [name, waiting] : actions.backing_off) waiting_[name] = waiting;
    if (actions.terminal) terminal_ = true;
    if (!actions.changes_runtime()) break;
    if (!volumes_ready && (actions.create_sandbox || !actions.start.empty())) {
      // The kubelet waits for volumes before it makes the sandbox; so do we.
      for (const auto& start : actions.start) {
        const auto& list = start.init ? spec_.init_containers : spec_.containers;
        waiting_[list[start.index].name] = {"ContainerCreating", volume_error_};
      }
      actions.create_sandbox = false;
      actions.start.clear();
      earliest(retry_at_, now + std::chrono::seconds(10));
      if (!actions.changes_runtime()) break;
    }
    if (!execute(actions, snapshot, now)) break;
    snapshot = observer_.observe();
  }

  // Probes and condemnations of instances that no longer run are dropped.
  std::set<std::string> running;
  for (const auto* instance : snapshot.running()) running.insert(instance->id);
  std::erase_if(probes_, [&](const auto& entry) { return !running.count(entry.first); });
  std::erase_if(unhealthy_, [&](const std::string& id) { return !running.count(id); });

  publish(snapshot, now);
  return next_wake(actions, now);
}

bool PodWorker::refresh_volumes(TimePoint now) {
  const bool due =
      !volumes_refreshed_at_ || now - *volumes_refreshed_at_ >= options_.volume_refresh;
  if (!volumes_dirty_ && !due) return volume_error_.empty();
  volumes_refreshed_at_ = now;
  volumes_dirty_ = false;
  try {
    if (volumes_.set_up(spec_, deps_.objects) > 0)
      log::debug("pod volumes updated", {{"pod", spec_.key.text()}});
    volume_error_.clear();
  } catch (const VolumeError& error) {
    if (volume_error_ != error.what())
      log::warn("pod volume not ready", {{"pod", spec_.key.text()}, {"error", error.what()}});
    volume_error_ = error.what();
    volumes_dirty_ = true;  // try again on the next sync
  }
  return volume_error_.empty();
}

bool PodWorker::execute(const PodActions& actions, const PodSnapshot& snapshot, TimePoint now) {
  runtime::Runtime& rt = deps_.runtime;
  bool progressed = false;
  for (const auto& kill : actions.kill) {
    log::info("stopping container",
              {{"pod", spec_.key.text()}, {"container", kill.name}, {"reason", kill.reason}});
    rt.stop_container(kill.id, std::max(spec_.termination_grace, options_.minimum_grace));
    progressed = true;
  }
  for (const auto& id : actions.remove_sandboxes) {
    rt.remove_pod_sandbox(id);
    progressed = true;
  }
  if (actions.stop_sandbox && snapshot.sandbox()) {
    rt.stop_pod_sandbox(snapshot.sandbox()->id);
    progressed = true;
  }
  std::string sandbox_id = snapshot.sandbox() ? snapshot.sandbox()->id : "";
  uint32_t sandbox_attempt = snapshot.sandbox() ? snapshot.sandbox()->metadata.attempt : 0;
  if (actions.create_sandbox) {
    sandbox_attempt = actions.sandbox_attempt;
    sandbox_id = rt.run_pod_sandbox(sandbox_config(sandbox_attempt));
    pod_ip_ = rt.pod_sandbox_status(sandbox_id).ip;
    log::info("pod sandbox started", {{"pod", spec_.key.text()}, {"ip", pod_ip_}});
    progressed = true;
  }
  for (const auto& created : actions.start_created)
    progressed |= start_created(created.id, created.name, now);
  for (const auto& start : actions.start)
    progressed |= start_container(start, sandbox_id, sandbox_attempt, now);
  for (const auto& id : actions.remove_containers) {
    rt.remove_container(id);
    progressed = true;
  }
  return progressed;
}

bool PodWorker::may_try_start(const std::string& name, TimePoint now) {
  if (!tried_this_sync_.insert(name).second) return false;
  if (!start_backoff_.in_backoff_since_update(name, now)) return true;
  earliest(retry_at_, start_backoff_.retry_after_update(name, now));
  return false;
}

void PodWorker::start_failed(const std::string& name, const std::string& reason,
                             const std::string& message, TimePoint now) {
  if (waiting_[name] != ContainerWaiting{reason, message})
    log::warn(
        "container not started",
        {{"pod", spec_.key.text()}, {"container", name}, {"reason", reason}, {"message", message}});
  waiting_[name] = {reason, message};
  start_backoff_.next(name, now);
  earliest(retry_at_, start_backoff_.retry_after_update(name, now));
}

bool PodWorker::start_container(const StartContainer& start, const std::string& sandbox_id,
                                uint32_t sandbox_attempt, TimePoint now) {
  const ContainerSpec& spec =
      start.init ? spec_.init_containers[start.index] : spec_.containers[start.index];
  if (!may_try_start(spec.name, now)) return false;
  ImageOutcome image = images_.ensure(spec.image, spec.pull_policy, now);
  if (!image.ready) {
    if (waiting_[spec.name] != ContainerWaiting{image.reason, image.message})
      log::warn("image not ready", {{"pod", spec_.key.text()},
                                    {"image", spec.image},
                                    {"reason", image.reason},
                                    {"message", image.message}});
    waiting_[spec.name] = {image.reason, image.message};
    earliest(retry_at_, image.retry_at);
    return false;
  }
  runtime::ContainerConfig config;
  try {
    const EnvList env = build_environment(spec, spec_, {pod_ip_, options_.host_ip}, deps_.objects);
    config = make_container_config(spec, spec_, start.attempt, env, volumes_.mounts_for(spec));
  } catch (const std::runtime_error& error) {  // ContainerConfigError, VolumeError
    start_failed(spec.name, "CreateContainerConfigError", error.what(), now);
    return false;
  }
  config.labels[std::string(kSpecImageLabel)] = spec.image;
  if (start.restart_after_exit_at) crash_backoff_.next(spec.name, *start.restart_after_exit_at);

  std::string id;
  try {
    id = deps_.runtime.create_container(sandbox_id, config, sandbox_config(sandbox_attempt));
  } catch (const runtime::RuntimeError& error) {
    if (error.code() == runtime::ErrorCode::Unavailable) throw;
    start_failed(spec.name, "CreateContainerError", error.what(), now);
    return false;
  }
  tried_this_sync_.erase(spec.name);  // the start below is part of the same try
  start_created(id, spec.name, now);
  return true;  // the container exists now, started or not
}

bool PodWorker::start_created(const std::string& id, const std::string& name, TimePoint now) {
  if (!may_try_start(name, now)) return false;
  try {
    deps_.runtime.start_container(id);
  } catch (const runtime::RuntimeError& error) {
    if (error.code() == runtime::ErrorCode::Unavailable) throw;
    start_failed(name, "RunContainerError", error.what(), now);
    return false;
  }
  waiting_.erase(name);
  start_backoff_.reset(name);
  log::debug("container started", {{"pod", spec_.key.text()}, {"container", name}});
  return true;
}

runtime::PodSandboxConfig PodWorker::sandbox_config(uint32_t attempt) const {
  runtime::PodSandboxConfig config;
  config.metadata = {spec_.key.name, spec_.key.namespace_name, spec_.key.uid, attempt};
  config.hostname = spec_.hostname;
  config.labels = runtime::Labels(spec_.labels.begin(), spec_.labels.end());
  for (const auto& container : spec_.containers)
    for (const auto& port : container.ports)
      if (port.host_port > 0)
        config.port_mappings.push_back(
            {port.container_port, port.host_port, port.protocol, port.host_ip});
  config.network = options_.network;
  if (dns_) {
    config.dns_servers = dns_->servers;
    config.dns_searches = dns_->searches;
    config.dns_options = dns_->options;
  }
  return config;
}

const ContainerSpec* PodWorker::container_spec(const std::string& name) const {
  for (const auto* list : {&spec_.init_containers, &spec_.containers})
    for (const auto& container : *list)
      if (container.name == name) return &container;
  return nullptr;
}

void PodWorker::publish(const PodSnapshot& snapshot, TimePoint now) {
  if (snapshot.sandbox_ready() && !snapshot.sandbox()->ip.empty()) pod_ip_ = snapshot.sandbox()->ip;
  const std::map<std::string, ProbeView> probes = probe_views();
  status_ = build_pod_status({spec_, snapshot, status_, waiting_, probes, options_.runtime_name,
                              options_.host_ip, pod_ip_, terminal_ || deleting(), qos_class_, now});
  if (status_ == reported_ || forgotten_) return;
  reported_ = status_;
  deps_.sink.pod_status_changed(spec_.key, status_);
}

std::optional<TimePoint> PodWorker::next_wake(const PodActions& actions, TimePoint now) const {
  if (terminal_) return std::nullopt;
  std::optional<TimePoint> wake = actions.wake_at;
  earliest(wake, retry_at_);
  for (const auto& [id, probes] : probes_)
    for (const auto* tracker : {&probes.startup, &probes.liveness, &probes.readiness})
      if (*tracker) earliest(wake, (*tracker)->next_due());
  const bool projected = std::any_of(spec_.volumes.begin(), spec_.volumes.end(), [](auto& v) {
    return v.kind == VolumeSpec::Kind::ConfigMap || v.kind == VolumeSpec::Kind::Secret;
  });
  if (projected && volumes_refreshed_at_)
    earliest(wake, *volumes_refreshed_at_ + options_.volume_refresh);
  if (wake && *wake < now) wake = now;
  return wake;
}

}  // namespace skiff::agent::pods
