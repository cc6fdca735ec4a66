#pragma once
// Shared pieces of the pod workers' unit tests: the fake runtime on a clock the test moves, an
// in-memory ObjectSource, a sink that records every report, scripted probe results, and a
// temporary data directory. No threads, no sleeps: tests call PodWorker::sync() themselves.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

#include "agent/pods/clock.h"
#include "agent/pods/container_config.h"
#include "agent/pods/pod_interfaces.h"
#include "agent/pods/pod_worker.h"
#include "agent/pods/probe_runner.h"
#include "agent/runtime/fake/fake_runtime.h"
#include "pkg/api/base64.h"

namespace skiff::agent::pods::testing {

using namespace std::chrono_literals;

inline constexpr const char* kImage = "localhost/busybox:1";

// The fake runtime, plus a record of the config each container was created with (what the
// pod worker asked for: env, mounts, limits ...).
class CapturingRuntime final : public runtime::Runtime {
 public:
  explicit CapturingRuntime(runtime::fake::FakeRuntime& inner) : inner_(inner) {}
  runtime::ContainerConfig config(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto found = configs_.find(id);
    EXPECT_NE(found, configs_.end()) << "no container " << id;
    return found == configs_.end() ? runtime::ContainerConfig{} : found->second;
  }
  runtime::PodSandboxConfig sandbox_config(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return sandboxes_.at(id);
  }

  runtime::RuntimeVersion version() override { return inner_.version(); }
  std::string run_pod_sandbox(const runtime::PodSandboxConfig& config) override {
    std::string id = inner_.run_pod_sandbox(config);
    std::lock_guard lock(mutex_);
    sandboxes_[id] = config;
    return id;
  }
  void stop_pod_sandbox(const std::string& id) override { inner_.stop_pod_sandbox(id); }
  void remove_pod_sandbox(const std::string& id) override { inner_.remove_pod_sandbox(id); }
  runtime::PodSandboxStatus pod_sandbox_status(const std::string& id) override {
    return inner_.pod_sandbox_status(id);
  }
  std::vector<runtime::PodSandboxStatus> list_pod_sandboxes(
      const runtime::SandboxFilter& filter) override {
    return inner_.list_pod_sandboxes(filter);
  }
  std::string create_container(const std::string& sandbox_id,
                               const runtime::ContainerConfig& config,
                               const runtime::PodSandboxConfig& sandbox) override {
    std::string id = inner_.create_container(sandbox_id, config, sandbox);
    std::lock_guard lock(mutex_);
    configs_[id] = config;
    return id;
  }
  void start_container(const std::string& id) override { inner_.start_container(id); }
  void stop_container(const std::string& id, std::chrono::seconds timeout) override {
    inner_.stop_container(id, timeout);
  }
  void remove_container(const std::string& id) override { inner_.remove_container(id); }
  runtime::ContainerStatus container_status(const std::string& id) override {
    return inner_.container_status(id);
  }
  std::vector<runtime::ContainerStatus> list_containers(
      const runtime::ContainerFilter& filter) override {
    return inner_.list_containers(filter);
  }
  bool wait_container(const std::string& id, std::chrono::milliseconds timeout) override {
    return inner_.wait_container(id, timeout);
  }
  runtime::ExecResult exec_sync(const std::string& id, const std::vector<std::string>& argv,
                                std::chrono::milliseconds timeout) override {
    return inner_.exec_sync(id, argv, timeout);
  }
  void read_container_log(const std::string& id, const runtime::LogOptions& options,
                          const runtime::LogSink& sink) override {
    inner_.read_container_log(id, options, sink);
  }
  std::optional<runtime::ImageInfo> image_status(const std::string& ref) override {
    return inner_.image_status(ref);
  }
  std::string pull_image(const std::string& ref) override { return inner_.pull_image(ref); }
  std::vector<runtime::ImageInfo> list_images() override { return inner_.list_images(); }
  void remove_image(const std::string& ref) override { inner_.remove_image(ref); }

 private:
  runtime::fake::FakeRuntime& inner_;
  mutable std::mutex mutex_;
  std::map<std::string, runtime::ContainerConfig> configs_;
  std::map<std::string, runtime::PodSandboxConfig> sandboxes_;
};

class MapObjects final : public ObjectSource {
 public:
  void put(const std::string& kind, const std::string& ns, const std::string& name, Json object) {
    std::lock_guard lock(mutex_);
    objects_[{kind, ns, name}] = std::move(object);
  }
  void put_config_map(const std::string& name, Json data, const std::string& ns = "default") {
    put("ConfigMap", ns, name, {{"kind", "ConfigMap"}, {"data", std::move(data)}});
  }
  // Values in plain text; stored base64-encoded as the API does.
  void put_secret(const std::string& name, const std::map<std::string, std::string>& data,
                  const std::string& ns = "default") {
    Json encoded = Json::object();
    for (const auto& [key, value] : data) encoded[key] = api::base64_encode(value);
    put("Secret", ns, name, {{"kind", "Secret"}, {"data", encoded}});
  }
  void erase(const std::string& kind, const std::string& ns, const std::string& name) {
    std::lock_guard lock(mutex_);
    objects_.erase({kind, ns, name});
  }
  std::optional<Json> get(std::string_view kind, const std::string& ns,
                          const std::string& name) override {
    std::lock_guard lock(mutex_);
    auto found = objects_.find({std::string(kind), ns, name});
    if (found == objects_.end()) return std::nullopt;
    return found->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string>, Json> objects_;
};

class RecordingSink final : public PodStatusSink {
 public:
  void pod_status_changed(const PodKey& pod, const Json& status) override {
    std::lock_guard lock(mutex_);
    statuses_.push_back(status);
    latest_[pod.uid] = status;
    changed_.notify_all();
  }
  void pod_stopped(const PodKey& pod) override {
    std::lock_guard lock(mutex_);
    stopped_.push_back(pod);
    changed_.notify_all();
  }
  size_t reports() const {
    std::lock_guard lock(mutex_);
    return statuses_.size();
  }
  Json latest(const std::string& uid = "uid-1") const {
    std::lock_guard lock(mutex_);
    auto found = latest_.find(uid);
    return found == latest_.end() ? Json() : found->second;
  }
  std::vector<PodKey> stopped() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }
  // Waits (real time) until `predicate(latest(uid))` holds; for the manager's threaded tests.
  bool wait_for(const std::string& uid, const std::function<bool(const Json&)>& predicate,
                std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      auto found = latest_.find(uid);
      return found != latest_.end() && predicate(found->second);
    });
  }
  bool wait_stopped(const std::string& uid, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      for (const auto& key : stopped_)
        if (key.uid == uid) return true;
      return false;
    });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Json> statuses_;
  std::map<std::string, Json> latest_;
  std::vector<PodKey> stopped_;
};

// Results by container name and probe type: a queue, then a default that repeats.
class ScriptedProbes final : public ProbeRunner {
 public:
  void set(const std::string& container, ProbeType type, ProbeResult result) {
    std::lock_guard lock(mutex_);
    defaults_[{container, type}] = result;
  }
  void queue(const std::string& container, ProbeType type, std::vector<ProbeResult> results) {
    std::lock_guard lock(mutex_);
    for (auto result : results) queued_[{container, type}].push_back(result);
  }
  int calls(const std::string& container, ProbeType type) const {
    std::lock_guard lock(mutex_);
    auto found = calls_.find({container, type});
    return found == calls_.end() ? 0 : found->second;
  }
  ProbeOutcome run(ProbeType type, const ProbeSpec&, const ProbeTarget& target) override {
    std::lock_guard lock(mutex_);
    const Key key{target.container_name, type};
    ++calls_[key];
    auto& queued = queued_[key];
    if (!queued.empty()) {
      ProbeResult result = queued.front();
      queued.pop_front();
      return {result, result == ProbeResult::Success ? "" : "scripted failure"};
    }
    auto found = defaults_.find(key);
    const ProbeResult result = found == defaults_.end() ? ProbeResult::Success : found->second;
    return {result, result == ProbeResult::Success ? "" : "scripted failure"};
  }

 private:
  using Key = std::pair<std::string, ProbeType>;
  mutable std::mutex mutex_;
  std::map<Key, ProbeResult> defaults_;
  std::map<Key, std::deque<ProbeResult>> queued_;
  std::map<Key, int> calls_;
};

// A pod as the API would send it: name "web", namespace default, uid "uid-1", node "node-1".
inline Json make_pod(Json containers, Json extra_spec = Json::object(),
                     const std::string& name = "web", const std::string& uid = "uid-1") {
  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"uid", uid}, {"labels", {{"app", name}}}}},
      {"spec",
       {{"nodeName", "node-1"},
        {"restartPolicy", "Always"},
        {"terminationGracePeriodSeconds", 30},
        {"containers", std::move(containers)}}},
      {"status", {{"phase", "Pending"}}}};
  for (auto& [key, value] : extra_spec.items()) pod["spec"][key] = value;
  return pod;
}

inline Json container(const std::string& name, Json extra = Json::object()) {
  Json out = {{"name", name}, {"image", kImage}, {"imagePullPolicy", "IfNotPresent"}};
  for (auto& [key, value] : extra.items()) out[key] = value;
  return out;
}

class PodsTest : public ::testing::Test {
 protected:
  PodsTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "skiff-pods-XXXXXX").string();
    root = mkdtemp(pattern.data());
    runtime.set_clock([this] { return clock.now(); });
    runtime.add_image(kImage, "sha256:busybox");
  }
  ~PodsTest() override { std::filesystem::remove_all(root); }

  PodWorkerDeps deps() { return {capturing, objects, sink, probes, clock}; }
  PodWorkerOptions options() {
    PodWorkerOptions out;
    out.root_dir = root;
    out.host_ip = "192.168.1.10";
    return out;
  }
  std::unique_ptr<PodWorker> make_worker(const Json& pod) {
    return std::make_unique<PodWorker>(deps(), options(), pod);
  }

  // The running (or newest) container of `name` in the fake runtime.
  runtime::ContainerStatus newest(const std::string& name, const std::string& uid = "uid-1") {
    auto list = runtime.list_containers(
        {"", {{"io.kubernetes.pod.uid", uid}, {"io.kubernetes.container.name", name}}, {}});
    EXPECT_FALSE(list.empty()) << "no container " << name;
    runtime::ContainerStatus best;
    for (const auto& c : list)
      if (best.id.empty() || c.attempt > best.attempt) best = c;
    return best;
  }
  size_t count_calls(const std::string& prefix) {
    size_t n = 0;
    for (const auto& call : runtime.calls()) n += call.starts_with(prefix);
    return n;
  }

  std::filesystem::path root;
  ManualClock clock;
  runtime::fake::FakeRuntime runtime;
  CapturingRuntime capturing{runtime};
  MapObjects objects;
  RecordingSink sink;
  ScriptedProbes probes;
};

// status.containerStatuses[] (or initContainerStatuses[]) entry named `name`.
inline Json container_status(const Json& status, const std::string& name,
                             const char* list = "containerStatuses") {
  if (!status.contains(list)) return Json();
  for (const auto& entry : status[list])
    if (entry["name"] == name) return entry;
  return Json();
}

inline Json condition(const Json& status, const std::string& type) {
  if (!status.contains("conditions")) return Json();
  for (const auto& entry : status["conditions"])
    if (entry["type"] == type) return entry;
  return Json();
}

}  // namespace skiff::agent::pods::testing
