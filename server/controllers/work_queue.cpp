#include "server/controllers/work_queue.h"

#include <algorithm>

namespace skiff::controllers {
namespace {

class SteadyClock : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  TimePoint deadline) const override {
    cv.wait_until(lock, deadline);
  }
};

}  // namespace

Clock& steady_clock() {
  static SteadyClock clock;
  return clock;
}

Clock::TimePoint FakeClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void FakeClock::advance(Duration d) {
  std::lock_guard lock(mutex_);
  now_ += d;
}

void FakeClock::wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                           TimePoint deadline) const {
  if (now() >= deadline) return;
  cv.wait_for(lock, std::chrono::milliseconds(1));
}

WorkQueue::WorkQueue(Clock& clock, BackoffPolicy backoff) : clock_(clock), backoff_(backoff) {}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  add_locked(key);
}

void WorkQueue::add_locked(const std::string& key) {
  if (shutting_down_ || dirty_.contains(key)) return;
  dirty_.insert(key);
  if (processing_.contains(key)) return;  // done() re-queues it
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::add_after(const std::string& key, Clock::Duration delay) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  if (delay <= Clock::Duration::zero()) {
    add_locked(key);
    return;
  }
  const Clock::TimePoint deadline = clock_.now() + delay;
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second <= deadline) return;
    waiting_by_time_.erase({it->second, key});
    it->second = deadline;
  } else {
    waiting_.emplace(key, deadline);
  }
  waiting_by_time_.emplace(deadline, key);
  cv_.notify_all();  // a worker may need to wait for an earlier deadline now
}

Clock::Duration WorkQueue::next_backoff(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  const int failures = it == failures_.end() ? 0 : it->second;
  // Doubling past 2^40 overflows nothing but is far beyond any cap; stop early.
  if (failures >= 40) return backoff_.cap;
  const auto delay = backoff_.base * (std::int64_t{1} << failures);
  return std::min<Clock::Duration>(delay, backoff_.cap);
}

void WorkQueue::add_rate_limited(const std::string& key) {
  const Clock::Duration delay = next_backoff(key);
  {
    std::lock_guard lock(mutex_);
    ++failures_[key];
  }
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::num_requeues(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promote_due_locked() {
  const Clock::TimePoint now = clock_.now();
  while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
    const std::string key = waiting_by_time_.begin()->second;
    waiting_by_time_.erase(waiting_by_time_.begin());
    waiting_.erase(key);
    add_locked(key);
  }
}

std::optional<std::string> WorkQueue::pop_locked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (!shutting_down_) {
    promote_due_locked();
    if (!queue_.empty()) return pop_locked();
    if (waiting_by_time_.empty()) {
      cv_.wait(lock);
    } else {
      clock_.wait_until(cv_, lock, waiting_by_time_.begin()->first);
    }
  }
  return std::nullopt;
}

std::optional<std::string> WorkQueue::try_get() {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return std::nullopt;
  promote_due_locked();
  return pop_locked();
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.contains(key) && !shutting_down_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::shutdown() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

std::size_t WorkQueue::len() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkQueue::delayed_len() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace skiff::controllers
