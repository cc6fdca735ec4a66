#pragma once
// The controllers' work queue of keys ("<namespace>/<name>"), with client-go's semantics:
//   * a key added while it is already waiting is queued once;
//   * a key added while a worker processes it is handed out again after done(key), never to two
//     workers at once;
//   * add_rate_limited(key) requeues with per-key exponential backoff (5 ms doubling up to
//     1000 s, client-go's default), forget(key) resets it after a successful sync;
//   * add_after(key, delay) is how time-based work is scheduled (never a sleep);
//   * shutdown() refuses new keys and wakes every blocked worker: get() returns nullopt at once
//     (keys still queued are dropped; in-flight work finishes normally).
// Time comes from an injectable Clock so tests drive it with FakeClock instead of sleeping.
//
// The plan for the controllers that will use it (issue 3), each in its own file beside this one:
//   informer.{h,cpp}     read-only cache per kind from list+watch (resumes by resourceVersion,
//                        relists on 410 Gone); event handlers enqueue keys, not objects.
//   controller.{h,cpp}   run(workers): loop { key = queue.get(); err = sync(key);
//                        err ? queue.add_rate_limited(key) : queue.forget(key); queue.done(key); }
//                        A 409 Conflict is just an error: the key is retried with backoff.
//   replicaset_controller  sync(key): pods via replicaset_util (ranking, status, availability).
//   deployment_controller  sync(key): deployment_util (hash, names, revisions, fenceposts),
//                        deployment_rollout (rolling/recreate steps), deployment_status
//                        (status + conditions); progress deadlines and minReadySeconds become
//                        add_after() requeues.
//   gc_controller, nodelifecycle_controller, and the scheduler loop (server/scheduler/schedule.h)
//   follow the same shape.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace skiff::controllers {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Blocks on `cv` (whose mutex `lock` holds) until notified or until `deadline` by this clock.
  // Spurious returns are allowed: callers re-check their condition.
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          TimePoint deadline) const = 0;
};

// The real monotonic clock; the process-wide instance outlives every queue.
Clock& steady_clock();

// A clock that only moves when told to. Thread-safe. Waiters re-check at least every
// millisecond of real time, so a worker blocked on a delayed key notices advance() promptly.
class FakeClock : public Clock {
 public:
  TimePoint now() const override;
  void advance(Duration d);
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  TimePoint deadline) const override;

 private:
  mutable std::mutex mutex_;
  TimePoint now_{};
};

struct BackoffPolicy {
  std::chrono::milliseconds base{5};
  std::chrono::milliseconds cap{1000 * 1000};
};

class WorkQueue {
 public:
  // `clock` must outlive the queue.
  explicit WorkQueue(Clock& clock = steady_clock(), BackoffPolicy backoff = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  // Adds `key` once `delay` has passed by the clock; a key already waiting keeps the earlier of
  // its two deadlines. A zero or negative delay adds at once.
  void add_after(const std::string& key, Clock::Duration delay);
  // add_after(key, backoff) where backoff = base * 2^(failures so far), capped; counts a failure.
  void add_rate_limited(const std::string& key);
  // Resets the key's failure count (call after a successful sync).
  void forget(const std::string& key);
  int num_requeues(const std::string& key) const;
  // The delay the next add_rate_limited(key) would use.
  Clock::Duration next_backoff(const std::string& key) const;

  // Blocks until a key is ready (or a delayed one falls due) and marks it processing; nullopt
  // once shut down.
  std::optional<std::string> get();
  // Non-blocking get(): nullopt when nothing is ready now.
  std::optional<std::string> try_get();
  // Ends processing of a key from get(); re-queues it if it was added meanwhile.
  void done(const std::string& key);

  void shutdown();
  bool shutting_down() const;
  // Keys ready to hand out (not counting delayed or processing ones).
  std::size_t len() const;
  // Keys waiting for their delay.
  std::size_t delayed_len() const;

 private:
  void add_locked(const std::string& key);
  void promote_due_locked();
  std::optional<std::string> pop_locked();

  Clock& clock_;
  const BackoffPolicy backoff_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;
  std::unordered_set<std::string> processing_;
  // Delayed keys: deadline per key, and (deadline, key) ordered for the earliest.
  std::unordered_map<std::string, Clock::TimePoint> waiting_;
  std::set<std::pair<Clock::TimePoint, std::string>> waiting_by_time_;
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
};

}  // namespace skiff::controllers
