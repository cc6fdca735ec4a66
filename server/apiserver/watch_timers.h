#pragma once
// One thread that runs delayed callbacks: watch timeouts (`timeoutSeconds`) and periodic
// BOOKMARK events. Watches hold no thread of their own. Callbacks must be quick.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace skiff::apiserver {

class WatchTimers {
 public:
  using Clock = std::chrono::steady_clock;
  WatchTimers();
  ~WatchTimers();  // cancels everything pending and joins
  WatchTimers(const WatchTimers&) = delete;
  WatchTimers& operator=(const WatchTimers&) = delete;

  // Runs `callback` once after `delay`. Returns an id for cancel().
  uint64_t schedule(std::chrono::milliseconds delay, std::function<void()> callback);
  // After cancel returns the callback will not start (it may be running right now).
  void cancel(uint64_t id);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<Clock::time_point, uint64_t> due_;
  std::map<uint64_t, std::function<void()>> callbacks_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
