#include "server/apiserver/watch_timers.h"

namespace skiff::apiserver {

WatchTimers::WatchTimers() : thread_([this] { run(); }) {}

WatchTimers::~WatchTimers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    callbacks_.clear();
    due_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

uint64_t WatchTimers::schedule(std::chrono::milliseconds delay, std::function<void()> callback) {
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    callbacks_.emplace(id, std::move(callback));
    due_.emplace(Clock::now() + delay, id);
  }
  changed_.notify_all();
  return id;
}

void WatchTimers::cancel(uint64_t id) {
  std::lock_guard lock(mutex_);
  callbacks_.erase(id);  // its entry in due_ is skipped when it comes up
}

void WatchTimers::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto next = due_.begin();
    if (next->first > Clock::now()) {
      changed_.wait_until(lock, next->first);
      continue;
    }
    uint64_t id = next->second;
    due_.erase(next);
    auto callback = callbacks_.find(id);
    if (callback == callbacks_.end()) continue;
    auto run_now = std::move(callback->second);
    callbacks_.erase(callback);
    lock.unlock();
    run_now();
    lock.lock();
  }
}

}  // namespace skiff::apiserver
