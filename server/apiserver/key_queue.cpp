#include "server/apiserver/key_queue.h"

#include "pkg/log/log.h"
#include "pkg/util/allocator.h"
#include "pkg/util/thread_name.h"

namespace skiff::apiserver {

KeyQueue::KeyQueue(Sync sync, std::chrono::milliseconds retry_delay)
    : sync_(std::move(sync)), retry_delay_(retry_delay) {}

KeyQueue::~KeyQueue() {
  stop();
}

void KeyQueue::start() {
  thread_ = std::thread([this] {
    util::name_this_thread("api-reactor");
    run();
  });
}

void KeyQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KeyQueue::add(const std::string& key) {
  add_after(key, std::chrono::milliseconds(0));
}

void KeyQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !queued_.insert(key).second) return;
    due_.emplace(Clock::now() + delay, key);
  }
  changed_.notify_all();
}

void KeyQueue::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      lock.unlock();
      util::flush_thread_cache();  // idle: the cached objects go back to the shared heaps
      lock.lock();
      if (due_.empty() && !stopping_) changed_.wait(lock);
      continue;
    }
    auto next = due_.begin();
    if (next->first > Clock::now()) {
      changed_.wait_until(lock, next->first);
      continue;
    }
    std::string key = next->second;
    due_.erase(next);
    queued_.erase(key);
    lock.unlock();
    bool done = false;
    try {
      done = sync_(key);
    } catch (const std::exception& e) {
      log::warn("reactor sync failed; retrying", {{"key", key}, {"error", e.what()}});
    }
    if (!done) add_after(key, retry_delay_);
    lock.lock();
  }
}

}  // namespace skiff::apiserver
