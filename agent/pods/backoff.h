#pragma once
// Per-key exponential backoff as the kubelet keeps it (client-go's flowcontrol.Backoff), for
// crash loops (key: container name) and image pulls (key: image). Pure: every call takes the
// time, so tests need no sleeps.
//
// Kubernetes' crash-loop rule falls out of it: the first restart is immediate, the next waits
// 10 s, then 20 s, 40 s ... up to 5 min; a key quiet for twice the maximum (10 min: a container
// that ran that long) starts again at 10 s.
#include <chrono>
#include <map>
#include <string>

#include "agent/pods/clock.h"

namespace skiff::agent::pods {

class Backoff {
 public:
  using Duration = std::chrono::seconds;

  explicit Backoff(Duration initial = Duration(10), Duration maximum = Duration(300))
      : initial_(initial), maximum_(maximum) {}

  // Records a failure (or a restart) at `at`: the first, or the first after a quiet period of
  // twice the maximum, sets the initial delay; later ones double it up to the maximum.
  void next(const std::string& key, TimePoint at);
  // Whether something that happened at `event_time` (a container's exit) is still inside the
  // current delay.
  bool in_backoff_since(const std::string& key, TimePoint event_time, TimePoint now) const;
  // Whether the last next() is less than the current delay ago (image pulls).
  bool in_backoff_since_update(const std::string& key, TimePoint now) const;
  // The current delay (zero when the key is unknown or expired at `now`).
  Duration delay(const std::string& key, TimePoint now) const;
  // When the current delay, counted from `from`, ends.
  TimePoint retry_at(const std::string& key, TimePoint from, TimePoint now) const;
  // When the current delay, counted from the last next(), ends.
  TimePoint retry_after_update(const std::string& key, TimePoint now) const;
  void reset(const std::string& key) { entries_.erase(key); }
  // Forgets keys quiet for twice the maximum.
  void collect_garbage(TimePoint now);

 private:
  struct Entry {
    Duration delay;
    TimePoint last_update;
  };
  bool expired(const Entry& entry, TimePoint at) const {
    return at - entry.last_update > 2 * maximum_;
  }

  Duration initial_;
  Duration maximum_;
  std::map<std::string, Entry> entries_;
};

// A whole number of seconds as Go prints a time.Duration ("10s", "1m20s", "5m0s"), which is how
// kubelet's "back-off 40s restarting failed container" message reads.
std::string go_duration(std::chrono::seconds duration);

}  // namespace skiff::agent::pods
