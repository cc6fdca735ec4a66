#pragma once
// Drops references on a thread of its own, for a thread whose time is worth more than the
// release: freeing a large object tree (an evicted watch event's JSON) takes the store's writer
// as long as writing a row. The releasing thread is woken once enough references wait or, when
// fewer do, a second later; with nothing waiting it sleeps without a timer.
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace skiff::util {

class BackgroundRelease {
 public:
  // `wake_batch`: references that wake the thread at once (fewer wait at most a second).
  explicit BackgroundRelease(std::string thread_name, std::size_t wake_batch = 256);
  // Releases what is still waiting, then joins the thread.
  ~BackgroundRelease();
  BackgroundRelease(const BackgroundRelease&) = delete;
  BackgroundRelease& operator=(const BackgroundRelease&) = delete;

  // Takes the references (leaving `items` empty); any thread.
  template <class T>
  void release(std::vector<std::shared_ptr<T>>& items) {
    if (items.empty()) return;
    std::lock_guard lock(mutex_);
    for (auto& item : items) waiting_.emplace_back(std::move(item));
    items.clear();
    if (waiting_.size() >= wake_batch_) wake_.notify_one();
  }

  // Released so far (tests).
  std::size_t released() const;

 private:
  void run(const std::string& thread_name);

  const std::size_t wake_batch_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<const void>> waiting_;
  std::size_t released_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::util
