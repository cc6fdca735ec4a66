#include "agent/runtime/fake/fake_runtime.h"

#include "agent/runtime/container_log.h"
#include "pkg/api/time.h"

namespace skiff::agent::runtime::fake {
namespace {

constexpr int kDefaultStopExitCode = 143;  // 128 + SIGTERM

RuntimeError not_found(const std::string& what) {
  return RuntimeError(ErrorCode::NotFound, what + " not found");
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

}  // namespace

FakeRuntime::FakeRuntime() : now_([] { return Clock::now(); }) {}

// ---- scripting ----

void FakeRuntime::set_clock(std::function<TimePoint()> now) {
  std::lock_guard lock(mutex_);
  now_ = std::move(now);
}

void FakeRuntime::add_image(const std::string& ref, const std::string& id) {
  std::lock_guard lock(mutex_);
  images_[ref] = ImageInfo{id.empty() ? "sha256:fake-" + ref : id, {ref}, 1024};
  pull_failures_.erase(ref);
}

void FakeRuntime::allow_pull(const std::string& ref, const std::string& id) {
  std::lock_guard lock(mutex_);
  pullable_[ref] = id.empty() ? "sha256:fake-" + ref : id;
  pull_failures_.erase(ref);
}

void FakeRuntime::fail_pull(const std::string& ref, const RuntimeError& error) {
  std::lock_guard lock(mutex_);
  pull_failures_.insert_or_assign(ref, error);
}

void FakeRuntime::fail_next(const std::string& verb, const RuntimeError& error) {
  std::lock_guard lock(mutex_);
  next_failures_.emplace(verb, error);
}

void FakeRuntime::exit_on_start(const std::string& container_name, int exit_code, bool oom_killed) {
  std::lock_guard lock(mutex_);
  exit_on_start_[container_name] = ExitScript{exit_code, oom_killed};
}

void FakeRuntime::exit_on_stop(const std::string& container_name, int exit_code) {
  std::lock_guard lock(mutex_);
  exit_on_stop_[container_name] = exit_code;
}

void FakeRuntime::exit_container(const std::string& container_id, int exit_code, bool oom_killed) {
  std::lock_guard lock(mutex_);
  Container& container = container_locked(container_id);
  if (container.status.state == ContainerState::Running)
    exit_locked(container, exit_code, oom_killed);
}

void FakeRuntime::set_exec_handler(ExecHandler handler) {
  std::lock_guard lock(mutex_);
  exec_handler_ = std::move(handler);
}

void FakeRuntime::append_log(const std::string& container_id, LogStream stream,
                             const std::string& text) {
  std::lock_guard lock(mutex_);
  Container& container = container_locked(container_id);
  LogLine line;
  line.time = now_();
  line.timestamp = api::format_rfc3339(line.time);
  line.stream = stream;
  line.text = text;
  container.log.push_back(std::move(line));
  changed_.notify_all();
}

std::vector<std::string> FakeRuntime::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> FakeRuntime::exec_calls(const std::string& container_id) const {
  std::lock_guard lock(mutex_);
  auto found = exec_calls_.find(container_id);
  return found == exec_calls_.end() ? std::vector<std::string>{} : found->second;
}

// ---- helpers (mutex_ held) ----

void FakeRuntime::record(std::string_view verb, const std::string& argument) {
  calls_.push_back(std::string(verb) + (argument.empty() ? "" : " " + argument));
  auto failure = next_failures_.find(std::string(verb));
  if (failure != next_failures_.end()) {
    RuntimeError error = failure->second;
    next_failures_.erase(failure);
    throw error;
  }
}

void FakeRuntime::exit_locked(Container& container, int exit_code, bool oom_killed) {
  container.status.state = ContainerState::Exited;
  container.status.exit_code = exit_code;
  container.status.finished_at = now_();
  container.status.reason = exit_reason(exit_code, oom_killed);
  changed_.notify_all();
}

FakeRuntime::Container& FakeRuntime::container_locked(const std::string& id) {
  auto found = containers_.find(id);
  if (found == containers_.end()) throw not_found("container " + id);
  return found->second;
}

bool FakeRuntime::running_locked(const std::string& id) const {
  auto found = containers_.find(id);
  return found != containers_.end() && found->second.status.state == ContainerState::Running;
}

// ---- Runtime ----

RuntimeVersion FakeRuntime::version() {
  std::lock_guard lock(mutex_);
  record("version", "");
  return RuntimeVersion{"fake", "0.1", "1"};
}

std::string FakeRuntime::run_pod_sandbox(const PodSandboxConfig& config) {
  std::lock_guard lock(mutex_);
  record("run_pod_sandbox", config.metadata.namespace_name + "/" + config.metadata.name);
  const PodMetadata& pod = config.metadata;
  if (pod.name.empty() || pod.namespace_name.empty() || pod.uid.empty())
    throw RuntimeError(ErrorCode::Invalid, "a sandbox needs a pod name, namespace and uid");
  for (const auto& [id, sandbox] : sandboxes_) {
    const PodMetadata& other = sandbox.status.metadata;
    if (other.uid == pod.uid && other.attempt == pod.attempt)
      throw RuntimeError(ErrorCode::AlreadyExists, "sandbox for pod " + pod.namespace_name + "/" +
                                                       pod.name + " attempt " +
                                                       std::to_string(pod.attempt) + " exists");
  }
  int suffix = 2;
  while (ips_in_use_.count(suffix)) ++suffix;
  ips_in_use_.insert(suffix);

  Sandbox sandbox;
  sandbox.status.id = "sandbox-" + std::to_string(next_id_++);
  sandbox.status.metadata = pod;
  sandbox.status.state = SandboxState::Ready;
  sandbox.status.created_at = now_();
  sandbox.status.ip = "10.88.0." + std::to_string(suffix);
  sandbox.status.labels = kubernetes_labels(pod, config.labels);
  sandbox.ip_suffix = suffix;
  const std::string id = sandbox.status.id;
  sandboxes_.emplace(id, std::move(sandbox));
  return id;
}

void FakeRuntime::stop_pod_sandbox(const std::string& sandbox_id) {
  std::lock_guard lock(mutex_);
  record("stop_pod_sandbox", sandbox_id);
  auto found = sandboxes_.find(sandbox_id);
  if (found == sandboxes_.end()) return;
  for (auto& [id, container] : containers_)
    if (container.status.sandbox_id == sandbox_id &&
        container.status.state == ContainerState::Running)
      exit_locked(container, 137, false);  // killed: the grace period was the pod worker's
  Sandbox& sandbox = found->second;
  sandbox.status.state = SandboxState::NotReady;
  sandbox.status.ip.clear();
  ips_in_use_.erase(sandbox.ip_suffix);
  changed_.notify_all();
}

void FakeRuntime::remove_pod_sandbox(const std::string& sandbox_id) {
  std::lock_guard lock(mutex_);
  record("remove_pod_sandbox", sandbox_id);
  auto found = sandboxes_.find(sandbox_id);
  if (found == sandboxes_.end()) return;
  ips_in_use_.erase(found->second.ip_suffix);
  sandboxes_.erase(found);
  std::erase_if(containers_,
                [&](const auto& entry) { return entry.second.status.sandbox_id == sandbox_id; });
  changed_.notify_all();
}

PodSandboxStatus FakeRuntime::pod_sandbox_status(const std::string& sandbox_id) {
  std::lock_guard lock(mutex_);
  record("pod_sandbox_status", sandbox_id);
  auto found = sandboxes_.find(sandbox_id);
  if (found == sandboxes_.end()) throw not_found("sandbox " + sandbox_id);
  return found->second.status;
}

std::vector<PodSandboxStatus> FakeRuntime::list_pod_sandboxes(const SandboxFilter& filter) {
  std::lock_guard lock(mutex_);
  record("list_pod_sandboxes", "");
  std::vector<PodSandboxStatus> out;
  for (const auto& [id, sandbox] : sandboxes_) {
    if (filter.state && sandbox.status.state != *filter.state) continue;
    if (!labels_match(sandbox.status.labels, filter.labels)) continue;
    out.push_back(sandbox.status);
  }
  return out;
}

std::string FakeRuntime::create_container(const std::string& sandbox_id,
                                          const ContainerConfig& config,
                                          const PodSandboxConfig& sandbox_config) {
  std::lock_guard lock(mutex_);
  record("create_container", config.name);
  if (config.name.empty()) throw RuntimeError(ErrorCode::Invalid, "a container needs a name");
  if (config.image.empty())
    throw RuntimeError(ErrorCode::Invalid, "container \"" + config.name + "\" has no image");
  auto sandbox = sandboxes_.find(sandbox_id);
  if (sandbox == sandboxes_.end()) throw not_found("sandbox " + sandbox_id);
  if (sandbox->second.status.state != SandboxState::Ready)
    throw RuntimeError(ErrorCode::FailedPrecondition, "sandbox " + sandbox_id + " is stopped");
  auto image = images_.find(config.image);
  if (image == images_.end())
    throw RuntimeError(ErrorCode::NotFound, config.image + ": image not known");
  for (const auto& [id, other] : containers_)
    if (other.status.sandbox_id == sandbox_id && other.config.name == config.name &&
        other.config.attempt == config.attempt)
      throw RuntimeError(ErrorCode::AlreadyExists, "container " + config.name + " attempt " +
                                                       std::to_string(config.attempt) +
                                                       " exists in " + sandbox_id);
  Container container;
  container.config = config;
  container.status.id = "container-" + std::to_string(next_id_++);
  container.status.sandbox_id = sandbox_id;
  container.status.name = config.name;
  container.status.attempt = config.attempt;
  container.status.state = ContainerState::Created;
  container.status.created_at = now_();
  container.status.image = config.image;
  container.status.image_id = image->second.id;
  container.status.labels = kubernetes_labels(sandbox_config.metadata, config.labels, config.name);
  container.status.log_path = config.log_path;
  const std::string id = container.status.id;
  containers_.emplace(id, std::move(container));
  return id;
}

void FakeRuntime::start_container(const std::string& container_id) {
  std::lock_guard lock(mutex_);
  record("start_container", container_id);
  Container& container = container_locked(container_id);
  if (container.status.state == ContainerState::Running) return;
  container.status.state = ContainerState::Running;
  container.status.started_at = now_();
  container.status.finished_at.reset();
  container.status.reason.clear();
  container.status.exit_code = 0;
  changed_.notify_all();
  auto script = exit_on_start_.find(container.config.name);
  if (script != exit_on_start_.end())
    exit_locked(container, script->second.exit_code, script->second.oom_killed);
}

void FakeRuntime::stop_container(const std::string& container_id, std::chrono::seconds timeout) {
  std::lock_guard lock(mutex_);
  record("stop_container", container_id + " " + std::to_string(timeout.count()) + "s");
  auto found = containers_.find(container_id);
  if (found == containers_.end() || found->second.status.state != ContainerState::Running) return;
  auto script = exit_on_stop_.find(found->second.config.name);
  exit_locked(found->second, script == exit_on_stop_.end() ? kDefaultStopExitCode : script->second,
              false);
}

void FakeRuntime::remove_container(const std::string& container_id) {
  std::lock_guard lock(mutex_);
  record("remove_container", container_id);
  containers_.erase(container_id);
  changed_.notify_all();
}

ContainerStatus FakeRuntime::container_status(const std::string& container_id) {
  std::lock_guard lock(mutex_);
  record("container_status", container_id);
  return container_locked(container_id).status;
}

std::vector<ContainerStatus> FakeRuntime::list_containers(const ContainerFilter& filter) {
  std::lock_guard lock(mutex_);
  record("list_containers", filter.sandbox_id);
  std::vector<ContainerStatus> out;
  for (const auto& [id, container] : containers_) {
    if (!filter.sandbox_id.empty() && container.status.sandbox_id != filter.sandbox_id) continue;
    if (filter.state && container.status.state != *filter.state) continue;
    if (!labels_match(container.status.labels, filter.labels)) continue;
    out.push_back(container.status);
  }
  return out;
}

bool FakeRuntime::wait_container(const std::string& container_id,
                                 std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  record("wait_container", container_id);
  (void)container_locked(container_id);  // NotFound for an unknown id
  return changed_.wait_for(lock, timeout, [&] { return !running_locked(container_id); });
}

ExecResult FakeRuntime::exec_sync(const std::string& container_id,
                                  const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) {
  ExecHandler handler;
  ContainerStatus status;
  {
    std::lock_guard lock(mutex_);
    record("exec_sync", container_id + " " + join(argv));
    if (argv.empty()) throw RuntimeError(ErrorCode::Invalid, "exec needs a command");
    Container& container = container_locked(container_id);
    if (container.status.state != ContainerState::Running)
      throw RuntimeError(ErrorCode::FailedPrecondition,
                         "container " + container_id + " is not running");
    exec_calls_[container_id].push_back(join(argv));
    handler = exec_handler_;
    status = container.status;
  }
  // Outside the lock: a handler may call back into the runtime (e.g. exit_container).
  return handler ? handler(status, argv) : ExecResult{};
}

void FakeRuntime::read_container_log(const std::string& container_id, const LogOptions& options,
                                     const LogSink& sink) {
  std::unique_lock lock(mutex_);
  record("read_container_log", container_id);
  std::vector<LogLine> lines = select_log_lines(container_locked(container_id).log, options);
  size_t delivered = container_locked(container_id).log.size();
  lock.unlock();
  for (const auto& line : lines)
    if (!sink(line)) return;
  if (!options.follow) return;

  while (true) {
    lock.lock();
    changed_.wait_for(lock, options.poll_interval);
    auto found = containers_.find(container_id);
    if (found == containers_.end()) return;
    std::vector<LogLine> fresh(found->second.log.begin() + static_cast<long>(delivered),
                               found->second.log.end());
    delivered = found->second.log.size();
    const bool running = found->second.status.state == ContainerState::Running;
    lock.unlock();
    for (const auto& line : fresh)
      if ((!options.since || line.time >= *options.since) && !sink(line)) return;
    if (!running || (options.cancelled && options.cancelled())) return;
  }
}

std::optional<ImageInfo> FakeRuntime::image_status(const std::string& image_ref) {
  std::lock_guard lock(mutex_);
  record("image_status", image_ref);
  auto found = images_.find(image_ref);
  if (found == images_.end()) return std::nullopt;
  return found->second;
}

std::string FakeRuntime::pull_image(const std::string& image_ref) {
  std::lock_guard lock(mutex_);
  record("pull_image", image_ref);
  if (auto failure = pull_failures_.find(image_ref); failure != pull_failures_.end())
    throw failure->second;
  auto pullable = pullable_.find(image_ref);
  if (pullable == pullable_.end()) {
    if (auto present = images_.find(image_ref); present != images_.end())
      return present->second.id;  // a re-pull of what is there (imagePullPolicy Always)
    throw RuntimeError(ErrorCode::NotFound,
                       "pulling image \"" + image_ref + "\": manifest unknown");
  }
  images_[image_ref] = ImageInfo{pullable->second, {image_ref}, 1024};
  return pullable->second;
}

std::vector<ImageInfo> FakeRuntime::list_images() {
  std::lock_guard lock(mutex_);
  record("list_images", "");
  std::vector<ImageInfo> out;
  for (const auto& [ref, info] : images_) out.push_back(info);
  return out;
}

void FakeRuntime::remove_image(const std::string& image_ref) {
  std::lock_guard lock(mutex_);
  record("remove_image", image_ref);
  images_.erase(image_ref);
}

}  // namespace skiff::agent::runtime::fake
