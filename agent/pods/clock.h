#pragma once
// The time source of the pod workers. Injected so that backoff, probe periods and status
// timestamps are tested with a clock the test moves, never with sleeps.
#include <chrono>
#include <mutex>

#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

using TimePoint = runtime::TimePoint;  // system_clock: status timestamps are wall-clock times
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told; safe to read from several threads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::seconds(1'800'000'000)))
      : now_(start) {}
  TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void set(TimePoint t) {
    std::lock_guard lock(mutex_);
    now_ = t;
  }
  void advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mutex_);
    now_ += d;
  }

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

}  // namespace skiff::agent::pods
