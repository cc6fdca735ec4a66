#include "server/store/watch_hub.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace skiff::store {
// Named, not anonymous: WatchHub::Core, a class with linkage, holds watchers.
namespace watch_hub_detail {

// One registered callback. `delivery_mutex` is held while the callback runs, which is what
// lets stop() from another thread wait for an in-flight delivery to finish.
struct Watcher {
  Watcher(std::string p, int64_t a, WatchCallback cb)
      : prefix(std::move(p)), after(a), callback(std::move(cb)) {}

  const std::string prefix;
  const int64_t after;  // deliver only revisions > after
  const WatchCallback callback;
  std::mutex delivery_mutex;
  std::atomic<bool> stopped{false};
  std::atomic<std::thread::id> delivering_thread{};

  bool wants(const Event& event) const {
    return event.revision > after && event.key.compare(0, prefix.size(), prefix) == 0;
  }

  // Returns false when the watcher is (now) stopped and should be dropped.
  bool deliver(const std::vector<EventPtr>& events) {
    std::lock_guard lock(delivery_mutex);
    if (stopped.load()) return false;
    delivering_thread.store(std::this_thread::get_id());
    bool keep = false;
    try {
      keep = callback(events);
    } catch (...) {
      keep = false;  // a throwing consumer cannot be trusted with further events
    }
    delivering_thread.store(std::thread::id{});
    if (!keep) stopped.store(true);
    return keep;
  }
};

}  // namespace watch_hub_detail
using watch_hub_detail::Watcher;

struct WatchHub::Core {
  mutable std::mutex mutex;
  // The thread currently running callbacks while holding `mutex`; stop() on that thread must
  // not try to take `mutex` again.
  std::atomic<std::thread::id> callback_thread{};
  size_t window_size = 0;
  std::deque<EventPtr> window;
  int64_t compacted = 0;
  int64_t latest = 0;
  std::vector<std::shared_ptr<Watcher>> watchers;

  // Each key's newest event in the window. The key views point into the mapped event, which
  // keeps them alive. A lock of its own: point reads must not wait for watch callbacks.
  mutable std::mutex newest_mutex;
  std::unordered_map<std::string_view, EventPtr> newest_by_key;

  void erase_stopped() {
    std::erase_if(watchers, [](const auto& w) { return w->stopped.load(); });
  }

  void record_newest(const EventPtr& event) {
    auto it = newest_by_key.find(event->key);
    if (it == newest_by_key.end()) {
      newest_by_key.emplace(event->key, event);
      return;
    }
    // Re-key the node to the new event's string before the old event can be freed.
    auto node = newest_by_key.extract(it);
    node.key() = event->key;
    node.mapped() = event;
    newest_by_key.insert(std::move(node));
  }

  // True when `leaving` was its key's newest event.
  bool forget_if_newest(const EventPtr& leaving) {
    auto it = newest_by_key.find(leaving->key);
    if (it == newest_by_key.end() || it->second != leaving) return false;
    newest_by_key.erase(it);
    return true;
  }
};

namespace {

class HubWatch : public Watch {
 public:
  HubWatch(std::weak_ptr<WatchHub::Core> core, std::shared_ptr<Watcher> watcher)
      : core_(std::move(core)), watcher_(std::move(watcher)) {}
  ~HubWatch() override { stop(); }

  void stop() override {
    if (!watcher_) return;
    watcher_->stopped.store(true);
    const auto self = std::this_thread::get_id();
    if (watcher_->delivering_thread.load() != self) {
      // Wait for a delivery in progress on another thread; later ones see `stopped`.
      std::lock_guard wait(watcher_->delivery_mutex);
    }
    if (auto core = core_.lock(); core && core->callback_thread.load() != self) {
      std::lock_guard lock(core->mutex);
      core->erase_stopped();
    }  // else: the delivering thread prunes it after its callbacks return
    watcher_.reset();
  }

 private:
  std::weak_ptr<WatchHub::Core> core_;
  std::shared_ptr<Watcher> watcher_;
};

// Marks the calling thread as the one running callbacks under Core::mutex.
class CallbackThreadScope {
 public:
  explicit CallbackThreadScope(WatchHub::Core& core) : core_(core) {
    core_.callback_thread.store(std::this_thread::get_id());
  }
  ~CallbackThreadScope() { core_.callback_thread.store(std::thread::id{}); }
  CallbackThreadScope(const CallbackThreadScope&) = delete;
  CallbackThreadScope& operator=(const CallbackThreadScope&) = delete;

 private:
  WatchHub::Core& core_;
};

}  // namespace

WatchHub::WatchHub(size_t window_size, int64_t start_revision) : core_(std::make_shared<Core>()) {
  core_->window_size = window_size;
  core_->compacted = start_revision;
  core_->latest = start_revision;
}

WatchHub::~WatchHub() {
  std::lock_guard lock(core_->mutex);
  for (auto& watcher : core_->watchers) watcher->stopped.store(true);
  core_->watchers.clear();
}

void WatchHub::publish(const std::vector<EventPtr>& events, std::vector<EventPtr>* left_window) {
  if (events.empty()) return;
  // Events leaving the window are freed on another thread once the locks are released: freeing
  // an object's tree takes a while, point reads wait on newest_mutex, and the writer's next
  // batch waits on this publish.
  std::vector<EventPtr> evicted;
  struct ReleaseEvicted {
    util::BackgroundRelease& release;
    std::vector<EventPtr>& evicted;
    ~ReleaseEvicted() { release.release(evicted); }
  } release_evicted{evicted_release_, evicted};
  std::lock_guard lock(core_->mutex);
  Core& core = *core_;
  {
    std::lock_guard newest_lock(core.newest_mutex);
    for (const auto& event : events) {
      core.window.push_back(event);
      core.latest = std::max(core.latest, event->revision);
      if (core.window_size > 0) core.record_newest(event);
    }
    while (core.window.size() > core.window_size) {
      core.compacted = core.window.front()->revision;
      if (core.forget_if_newest(core.window.front()) && left_window != nullptr) {
        left_window->push_back(core.window.front());
      }
      evicted.push_back(std::move(core.window.front()));
      core.window.pop_front();
    }
  }
  if (core.window.empty()) core.compacted = core.latest;

  CallbackThreadScope scope(core);
  bool any_dropped = false;
  std::vector<EventPtr> selected;
  for (size_t i = 0; i < core.watchers.size(); ++i) {
    // Copy: a callback may stop another watcher, but never appends (watch() needs the lock).
    const std::shared_ptr<Watcher> watcher = core.watchers[i];
    selected.clear();
    for (const auto& event : events) {
      if (watcher->wants(*event)) selected.push_back(event);
    }
    if (selected.empty()) continue;
    if (!watcher->deliver(selected)) any_dropped = true;
  }
  if (any_dropped || std::any_of(core.watchers.begin(), core.watchers.end(),
                                 [](const auto& w) { return w->stopped.load(); })) {
    core.erase_stopped();
  }
}

WatchPtr WatchHub::watch(const std::string& prefix, int64_t from_revision, WatchCallback callback) {
  std::lock_guard lock(core_->mutex);
  Core& core = *core_;
  if (from_revision != 0 && from_revision < core.compacted) {
    throw StoreError(StoreError::Code::Compacted,
                     "revision " + std::to_string(from_revision) +
                         " has been compacted; the oldest revision a watch can start from is " +
                         std::to_string(core.compacted));
  }
  const int64_t after = from_revision == 0 ? core.latest : from_revision;
  auto watcher = std::make_shared<Watcher>(prefix, after, std::move(callback));

  std::vector<EventPtr> replay;
  auto first = std::upper_bound(core.window.begin(), core.window.end(), after,
                                [](int64_t rev, const EventPtr& e) { return rev < e->revision; });
  for (auto it = first; it != core.window.end(); ++it) {
    if (watcher->wants(**it)) replay.push_back(*it);
  }
  bool keep = true;
  if (!replay.empty()) {
    CallbackThreadScope scope(core);
    keep = watcher->deliver(replay);
  }
  if (keep) core.watchers.push_back(watcher);
  return std::make_unique<HubWatch>(core_, std::move(watcher));
}

int64_t WatchHub::compacted_revision() const {
  std::lock_guard lock(core_->mutex);
  return core_->compacted;
}

int64_t WatchHub::latest_revision() const {
  std::lock_guard lock(core_->mutex);
  return core_->latest;
}

EventPtr WatchHub::newest_in_window(const std::string& key, int64_t committed_revision) const {
  std::lock_guard lock(core_->newest_mutex);
  if (core_->latest < committed_revision) return nullptr;
  auto it = core_->newest_by_key.find(key);
  return it == core_->newest_by_key.end() ? nullptr : it->second;
}

size_t WatchHub::watcher_count() const {
  std::lock_guard lock(core_->mutex);
  return core_->watchers.size();
}

}  // namespace skiff::store
