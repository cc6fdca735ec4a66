#pragma once
// A work queue of keys with one worker thread, for the reactors inside the API server: a key
// already queued is not queued twice, a failed key can be requeued after a delay. Store watch
// callbacks only add keys (quick, never touch the store); the worker does the work.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace skiff::apiserver {

class KeyQueue {
 public:
  // `sync` returns false to have the key retried after `retry_delay`.
  using Sync = std::function<bool(const std::string& key)>;
  KeyQueue(Sync sync, std::chrono::milliseconds retry_delay);
  ~KeyQueue();
  KeyQueue(const KeyQueue&) = delete;
  KeyQueue& operator=(const KeyQueue&) = delete;

  void start();
  void stop();  // idempotent; joins the worker
  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);

 private:
  void run();
  using Clock = std::chrono::steady_clock;

  Sync sync_;
  std::chrono::milliseconds retry_delay_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> queued_;
  std::multimap<Clock::time_point, std::string> due_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
