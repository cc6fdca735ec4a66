#include "pkg/util/background_release.h"

#include <chrono>

#include "pkg/util/thread_name.h"

namespace skiff::util {

BackgroundRelease::BackgroundRelease(std::string thread_name, std::size_t wake_batch)
    : wake_batch_(wake_batch == 0 ? 1 : wake_batch) {
  thread_ = std::thread([this, name = std::move(thread_name)] { run(name); });
}

BackgroundRelease::~BackgroundRelease() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::size_t BackgroundRelease::released() const {
  std::lock_guard lock(mutex_);
  return released_;
}

void BackgroundRelease::run(const std::string& thread_name) {
  name_this_thread(thread_name);
  std::vector<std::shared_ptr<const void>> batch;
  std::unique_lock lock(mutex_);
  while (true) {
    if (waiting_.empty()) {
      if (stopping_) return;
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      continue;
    }
    if (waiting_.size() < wake_batch_ && !stopping_) {
      wake_.wait_for(lock, std::chrono::seconds(1),
                     [this] { return stopping_ || waiting_.size() >= wake_batch_; });
    }
    batch.swap(waiting_);
    lock.unlock();
    const std::size_t count = batch.size();
    batch.clear();  // the release itself, outside the lock
    lock.lock();
    released_ += count;
  }
}

}  // namespace skiff::util
