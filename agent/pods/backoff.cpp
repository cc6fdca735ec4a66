#include "agent/pods/backoff.h"

#include <algorithm>

namespace skiff::agent::pods {

void Backoff::next(const std::string& key, TimePoint at) {
  auto found = entries_.find(key);
  if (found == entries_.end() || expired(found->second, at)) {
    entries_[key] = Entry{initial_, at};
    return;
  }
  found->second.delay = std::min(found->second.delay * 2, maximum_);
  found->second.last_update = at;
}

bool Backoff::in_backoff_since(const std::string& key, TimePoint event_time, TimePoint now) const {
  auto found = entries_.find(key);
  if (found == entries_.end() || expired(found->second, now)) return false;
  return now - event_time < found->second.delay;
}

bool Backoff::in_backoff_since_update(const std::string& key, TimePoint now) const {
  auto found = entries_.find(key);
  if (found == entries_.end() || expired(found->second, now)) return false;
  return now - found->second.last_update < found->second.delay;
}

Backoff::Duration Backoff::delay(const std::string& key, TimePoint now) const {
  auto found = entries_.find(key);
  if (found == entries_.end() || expired(found->second, now)) return Duration(0);
  return found->second.delay;
}

TimePoint Backoff::retry_at(const std::string& key, TimePoint from, TimePoint now) const {
  return from + delay(key, now);
}

TimePoint Backoff::retry_after_update(const std::string& key, TimePoint now) const {
  auto found = entries_.find(key);
  if (found == entries_.end() || expired(found->second, now)) return now;
  return found->second.last_update + found->second.delay;
}

void Backoff::collect_garbage(TimePoint now) {
  std::erase_if(entries_, [&](const auto& entry) { return expired(entry.second, now); });
}

std::string go_duration(std::chrono::seconds duration) {
  long long total = duration.count();
  if (total < 60) return std::to_string(total) + "s";
  const long long hours = total / 3600, minutes = total % 3600 / 60, seconds = total % 60;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  out += std::to_string(minutes) + "m" + std::to_string(seconds) + "s";
  return out;
}

}  // namespace skiff::agent::pods
