#include "server/store/sqlite/live_objects.h"

#include <algorithm>

namespace skiff::store::sqlite {

std::optional<LiveObjects::Found> LiveObjects::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto entry = entries_.find(key);
  if (entry == entries_.end()) return std::nullopt;
  ObjectPtr object = entry->second.object.lock();
  if (!object) return std::nullopt;
  return Found{std::move(object), entry->second.revision};
}

void LiveObjects::record(const std::vector<EventPtr>& left_window) {
  if (left_window.empty()) return;
  std::lock_guard lock(mutex_);
  for (const auto& event : left_window) {
    // Held elsewhere when the event is not its only owner: an informer's cache, a request.
    if (event->type != EventType::Deleted && event->object.use_count() > 1) {
      entries_.insert_or_assign(event->key, Entry{event->object, event->revision});
    } else {
      entries_.erase(event->key);  // gone, or nobody would find it here: the database answers
    }
  }
  if (entries_.size() >= sweep_at_) sweep_locked();
}

void LiveObjects::sweep_locked() {
  std::erase_if(entries_, [](const auto& entry) { return entry.second.object.expired(); });
  // Amortized: the next sweep comes after as many new entries as survived this one.
  sweep_at_ = std::max<size_t>(4096, 2 * entries_.size());
}

}  // namespace skiff::store::sqlite
