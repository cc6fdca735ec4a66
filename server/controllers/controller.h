#pragma once
// The loop every controller shares: a work queue of keys and worker threads that call the
// controller's sync(key), the sample-controller way.
//
//  - sync succeeds: the key's backoff is reset; a `requeue_after` in the result schedules the
//    key again (time-based work: minReadySeconds, progress deadlines, lease expiry).
//  - sync throws: the key is retried with per-key exponential backoff. A 409 Conflict is an
//    ordinary error (the write used a stale resourceVersion: read again on the retry); it is
//    logged at debug level, everything else as a warning.
//  - A key is never processed by two workers at once (WorkQueue guarantees it).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/controllers/work_queue.h"

namespace skiff::controllers {

struct SyncResult {
  std::optional<Clock::Duration> requeue_after;
  static SyncResult done() { return {}; }
  static SyncResult after(Clock::Duration delay) { return {delay}; }
};
using SyncFunction = std::function<SyncResult(const std::string& key)>;

class ControllerLoop {
 public:
  // `clock` must outlive the loop.
  ControllerLoop(std::string name, SyncFunction sync, Clock& clock = steady_clock());
  ~ControllerLoop();
  ControllerLoop(const ControllerLoop&) = delete;
  ControllerLoop& operator=(const ControllerLoop&) = delete;

  void enqueue(const std::string& key) { queue_.add(key); }
  void enqueue_after(const std::string& key, Clock::Duration delay) {
    queue_.add_after(key, delay);
  }
  WorkQueue& queue() { return queue_; }
  const std::string& name() const { return name_; }

  void start(int workers);
  // Refuses new keys, lets in-flight syncs finish, joins the workers. Idempotent.
  void stop();

  // Tests without threads: processes one ready key; false when none is ready.
  bool process_one();

 private:
  void run_worker();
  void process(const std::string& key);

  std::string name_;
  SyncFunction sync_;
  WorkQueue queue_;
  std::vector<std::thread> workers_;
};

}  // namespace skiff::controllers
