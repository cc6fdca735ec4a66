#include "server/apiserver/stream_threads.h"

namespace skiff::apiserver {

StreamThreads::~StreamThreads() {
  shutdown();
}

bool StreamThreads::run(std::function<void()> work, std::function<void()> stop) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return false;
  reap_locked();
  auto slot = std::make_shared<Slot>();
  slot->stop = std::move(stop);
  Entry entry{std::thread(), slot};
  entry.thread = std::thread([this, work = std::move(work), slot]() mutable {
    try {
      work();
    } catch (...) {
      // A pump only ends its own stream; nothing to report to.
    }
    work = nullptr;
    std::function<void()> stop;
    std::lock_guard lock(mutex_);
    slot->done = true;
    stop.swap(slot->stop);  // destroyed after the unlock
  });
  entries_.push_back(std::move(entry));
  return true;
}

void StreamThreads::reap_locked() {
  std::erase_if(entries_, [](Entry& entry) {
    if (!entry.slot->done) return false;
    entry.thread.join();  // it has returned or is about to (it only unlocks after `done`)
    return true;
  });
}

void StreamThreads::shutdown() {
  std::vector<Entry> entries;
  std::vector<std::function<void()>> stops;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    entries.swap(entries_);
    for (auto& entry : entries)
      if (!entry.slot->done && entry.slot->stop) stops.push_back(entry.slot->stop);
  }
  for (auto& stop : stops) stop();
  stops.clear();
  for (auto& entry : entries)
    if (entry.thread.joinable()) entry.thread.join();
}

size_t StreamThreads::running() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& entry : entries_) count += entry.slot->done ? 0 : 1;
  return count;
}

}  // namespace skiff::apiserver
