#include "server/store/sqlite/volatile_overlay.h"

namespace skiff::store::sqlite {

VolatileOverlay::VolatileOverlay(int64_t durable_revision, int64_t store_revision)
    : durable_revision_(durable_revision), store_revision_(store_revision) {}

std::optional<VolatileEntry> VolatileOverlay::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::optional<VolatileOverlay::View> VolatileOverlay::view(
    int64_t snapshot_revision, const std::string& lower, bool after,
    const std::optional<std::string>& upper) const {
  std::lock_guard lock(mutex_);
  if (snapshot_revision != durable_revision_) return std::nullopt;
  View view;
  view.revision = store_revision_;
  auto it = after ? entries_.upper_bound(lower) : entries_.lower_bound(lower);
  for (; it != entries_.end() && (!upper || it->first < *upper); ++it) {
    view.entries.emplace(it->first, it->second);
  }
  return view;
}

void VolatileOverlay::publish(OverlayChanges changes, int64_t durable_revision,
                              int64_t store_revision) {
  std::lock_guard lock(mutex_);
  for (auto& [key, change] : changes) {
    if (change)
      entries_[key] = std::move(*change);
    else
      entries_.erase(key);
  }
  durable_revision_ = durable_revision;
  store_revision_ = store_revision;
}

std::vector<std::pair<std::string, VolatileEntry>> VolatileOverlay::entries() const {
  std::lock_guard lock(mutex_);
  return {entries_.begin(), entries_.end()};
}

int64_t VolatileOverlay::durable_revision() const {
  std::lock_guard lock(mutex_);
  return durable_revision_;
}

bool VolatileOverlay::empty() const {
  std::lock_guard lock(mutex_);
  return entries_.empty();
}

}  // namespace skiff::store::sqlite
