#include "agent/pods/pod_manager.h"

#include "agent/pods/container_config.h"
#include "pkg/log/log.h"
#include "pkg/util/allocator.h"
#include "pkg/util/thread_name.h"

namespace skiff::agent::pods {

// One worker and what is waiting for it. Inputs arrive under `mutex`; the worker itself is only
// touched by whoever runs the slot (its thread, or sync_all's caller).
struct PodManager::Slot {
  PodKey key;
  std::unique_ptr<PodWorker> worker;

  std::mutex mutex;
  std::condition_variable wake;
  std::optional<Json> pending;  // the newest pod
  bool forget = false;
  bool kick = false;  // something in the runtime changed
  std::vector<std::pair<std::string, std::string>> changed_objects;  // kind, name
  std::optional<TimePoint> next;  // when the worker asked to run again
  bool stopping = false;
  bool done = false;  // the worker stopped its pod
  Json status;
  std::thread thread;
};

PodManager::PodManager(runtime::Runtime& runtime, ObjectSource& objects, PodStatusSink& sink,
                       ProbeRunner& probes, const Clock& clock, PodManagerOptions options)
    : runtime_(runtime),
      objects_(objects),
      sink_(sink),
      probes_(probes),
      clock_(clock),
      options_(std::move(options)) {}

PodManager::~PodManager() {
  stop();
}

std::vector<PodKey> PodManager::adopt() {
  std::vector<runtime::PodSandboxStatus> sandboxes = runtime_.list_pod_sandboxes({});
  std::vector<runtime::ContainerStatus> containers = runtime_.list_containers({});
  std::lock_guard lock(mutex_);
  for (const auto& sandbox : sandboxes) {
    const runtime::PodMetadata& pod = sandbox.metadata;
    if (pod.uid.empty() || pod.name.empty() || pod.namespace_name.empty()) continue;
    adopted_[pod.uid] = {pod.namespace_name, pod.name, pod.uid};
  }
  // The grace period each pod's containers recorded, for pods that turn out to be deleted.
  for (const auto& container : containers) {
    auto uid = container.labels.find(std::string(runtime::kPodUidLabel));
    auto grace = container.labels.find(std::string(kGracePeriodLabel));
    if (uid == container.labels.end() || grace == container.labels.end()) continue;
    try {
      auto seconds = std::chrono::seconds(std::stoll(grace->second));
      adopted_grace_[uid->second] = std::max(adopted_grace_[uid->second], seconds);
    } catch (const std::exception&) {
      // A label someone else wrote: the default grace applies.
    }
  }
  std::vector<PodKey> keys;
  for (const auto& [uid, key] : adopted_) keys.push_back(key);
  log::info("pods found in the runtime", {{"count", keys.size()}});
  return keys;
}

void PodManager::set_pods(const std::vector<Json>& pods) {
  std::set<std::string> present;
  for (const auto& pod : pods) {
    try {
      present.insert(parse_pod_key(pod).uid);
    } catch (const SpecError&) {
      continue;  // update_pod logs it
    }
    update_pod(pod);
  }
  std::vector<PodKey> orphans;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(finished_, [&](const std::string& uid) { return !present.count(uid); });
    for (const auto& [uid, key] : adopted_)
      if (!present.count(uid) && !slots_.count(uid)) orphans.push_back(key);
    adopted_.clear();
  }
  for (const auto& key : orphans) {
    log::info("stopping a pod the server no longer has", {{"pod", key.text()}, {"uid", key.uid}});
    Json pod = {
        {"metadata", {{"name", key.name}, {"namespace", key.namespace_name}, {"uid", key.uid}}},
        {"spec", {{"containers", Json::array()}}}};
    {
      std::lock_guard lock(mutex_);
      auto grace = adopted_grace_.find(key.uid);
      if (grace != adopted_grace_.end())
        pod["spec"]["terminationGracePeriodSeconds"] = grace->second.count();
    }
    make_slot(key, pod, true);
  }
}

void PodManager::update_pod(const Json& pod) {
  PodKey key;
  try {
    key = parse_pod_key(pod);
  } catch (const SpecError& error) {
    log::warn("ignoring a pod without identity", {{"error", error.what()}});
    return;
  }
  bool confirm_again = false;
  {
    std::lock_guard lock(mutex_);
    if (finished_.count(key.uid)) {
      confirm_again = pod.contains("metadata") && pod["metadata"].contains("deletionTimestamp");
    } else if (auto found = slots_.find(key.uid); found != slots_.end()) {
      Slot& slot = *found->second;
      std::lock_guard slot_lock(slot.mutex);
      slot.pending = pod;
      slot.wake.notify_one();
      return;
    }
  }
  if (confirm_again) {
    sink_.pod_stopped(key);
    return;
  }
  make_slot(key, pod, false);
}

void PodManager::make_slot(const PodKey& key, const Json& pod, bool forget) {
  auto slot = std::make_shared<Slot>();
  slot->key = key;
  slot->worker = std::make_unique<PodWorker>(
      PodWorkerDeps{runtime_, objects_, sink_, probes_, clock_}, options_.worker, pod);
  slot->forget = forget;
  slot->kick = true;
  std::lock_guard lock(mutex_);
  if (slots_.count(key.uid)) return;  // made by another caller meanwhile
  slots_[key.uid] = slot;
  if (running_) {
    slot->thread = std::thread([this, slot] {
      util::name_this_thread("pod-worker");
      util::skip_thread_cache();  // it allocates a few times a second at most
      run_slot(slot);
    });
  }
}

void PodManager::remove_pod(const std::string& uid) {
  std::lock_guard lock(mutex_);
  finished_.erase(uid);
  auto found = slots_.find(uid);
  if (found == slots_.end()) return;
  std::lock_guard slot_lock(found->second->mutex);
  found->second->forget = true;
  found->second->wake.notify_one();
}

void PodManager::object_changed(std::string_view kind, const std::string& namespace_name,
                                const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& [uid, slot] : slots_) {
    if (slot->key.namespace_name != namespace_name) continue;
    std::lock_guard slot_lock(slot->mutex);
    slot->changed_objects.emplace_back(std::string(kind), name);
    slot->wake.notify_one();
  }
}

PodManager::SlotPtr PodManager::slot(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  auto found = slots_.find(uid);
  return found == slots_.end() ? nullptr : found->second;
}

std::optional<Json> PodManager::status(const std::string& uid) const {
  SlotPtr found = slot(uid);
  if (!found) return std::nullopt;
  std::lock_guard lock(found->mutex);
  return found->status;
}

size_t PodManager::worker_count() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

bool PodManager::step(Slot& slot, bool only_if_due) {
  std::optional<Json> pending;
  bool forget, kick;
  std::vector<std::pair<std::string, std::string>> changed;
  {
    std::lock_guard lock(slot.mutex);
    const bool due = slot.next && clock_.now() >= *slot.next;
    forget = slot.forget;
    kick = slot.kick;
    if (only_if_due && !due && !kick && !forget && !slot.pending && slot.changed_objects.empty())
      return false;
    pending.swap(slot.pending);
    changed.swap(slot.changed_objects);
    slot.forget = false;
    slot.kick = false;
  }
  PodWorker& worker = *slot.worker;
  if (pending) worker.update(*pending);
  if (forget) worker.forget();
  for (const auto& [kind, name] : changed)
    if (worker.references(kind, name)) worker.objects_changed();
  std::optional<TimePoint> next = worker.sync();
  std::lock_guard lock(slot.mutex);
  slot.next = next;
  slot.status = worker.status();
  slot.done = worker.stopped();
  return true;
}

void PodManager::run_slot(const SlotPtr& slot) {
  while (true) {
    {
      std::unique_lock lock(slot->mutex);
      auto ready = [&] {
        return slot->stopping || slot->kick || slot->forget || slot->pending ||
               !slot->changed_objects.empty() || (slot->next && clock_.now() >= *slot->next);
      };
      while (!ready()) {
        if (slot->next)
          slot->wake.wait_for(lock, *slot->next - clock_.now());
        else
          slot->wake.wait(lock);
      }
      if (slot->stopping) return;
    }
    step(*slot, true);
    std::lock_guard lock(slot->mutex);
    if (slot->done) break;
  }
  std::lock_guard lock(mutex_);
  relist_wake_.notify_all();  // the relister reaps finished workers
}

void PodManager::sync_all() {
  std::vector<SlotPtr> slots;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [uid, slot] : slots_) slots.push_back(slot);
  }
  for (const auto& slot : slots) step(*slot, true);
  reap();
}

void PodManager::reap() {
  std::vector<SlotPtr> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = slots_.begin(); it != slots_.end();) {
      bool done;
      {
        std::lock_guard slot_lock(it->second->mutex);
        done = it->second->done;
      }
      if (!done) {
        ++it;
        continue;
      }
      // A forgotten pod has no API object left to confirm.
      if (!it->second->worker->forgotten()) finished_.insert(it->first);
      finished.push_back(it->second);
      it = slots_.erase(it);
    }
  }
  for (const auto& slot : finished)
    if (slot->thread.joinable()) slot->thread.join();
}

std::vector<std::string> PodManager::relist() {
  std::map<std::string, std::pair<std::string, runtime::ContainerState>> now;
  for (const auto& container : runtime_.list_containers({})) {
    auto uid = container.labels.find(std::string(runtime::kPodUidLabel));
    if (uid != container.labels.end()) now[container.id] = {uid->second, container.state};
  }
  std::set<std::string> changed;
  std::vector<SlotPtr> to_wake;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, entry] : now) {
      auto old = last_relist_.find(id);
      if (old == last_relist_.end() || old->second.second != entry.second)
        changed.insert(entry.first);
    }
    for (const auto& [id, entry] : last_relist_)
      if (!now.count(id)) changed.insert(entry.first);
    last_relist_ = std::move(now);
    for (const auto& uid : changed)
      if (auto found = slots_.find(uid); found != slots_.end()) to_wake.push_back(found->second);
  }
  for (const auto& slot : to_wake) {
    std::lock_guard lock(slot->mutex);
    slot->kick = true;
    slot->wake.notify_one();
  }
  return {changed.begin(), changed.end()};
}

void PodManager::relist_loop() {
  std::string last_error;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      relist_wake_.wait_for(lock, options_.relist_period, [&] { return stopping_; });
      if (stopping_) return;
    }
    reap();
    try {
      relist();
      last_error.clear();
    } catch (const runtime::RuntimeError& error) {
      if (last_error != error.what())
        log::warn("listing containers failed", {{"error", error.what()}});
      last_error = error.what();
    }
  }
}

void PodManager::start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  for (auto& [uid, slot] : slots_) {
    SlotPtr owned = slot;
    {
      std::lock_guard slot_lock(slot->mutex);
      slot->stopping = false;
    }
    slot->thread = std::thread([this, owned] {
      util::name_this_thread("pod-worker");
      util::skip_thread_cache();  // it allocates a few times a second at most
      run_slot(owned);
    });
  }
  relister_ = std::thread([this] {
    util::name_this_thread("pod-relister");
    relist_loop();
  });
}

void PodManager::stop() {
  std::vector<SlotPtr> slots;
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
    stopping_ = true;
    relist_wake_.notify_all();
    for (const auto& [uid, slot] : slots_) slots.push_back(slot);
  }
  if (relister_.joinable()) relister_.join();
  for (const auto& slot : slots) {
    {
      std::lock_guard lock(slot->mutex);
      slot->stopping = true;
      slot->wake.notify_one();
    }
    if (slot->thread.joinable()) slot->thread.join();
  }
  reap();
}

}  // namespace skiff::agent::pods
