#include "server/store/memory_store.h"

#include "server/store/revision.h"

namespace skiff::store {

MemoryStore::MemoryStore(size_t window_size) : hub_(window_size, 0) {}

ObjectPtr MemoryStore::commit_locked(EventType type, const std::string& key, Json object,
                                     ObjectPtr previous) {
  const int64_t revision = revision_ + 1;
  stamp_revision(object, revision);
  auto stored = std::make_shared<const Json>(std::move(object));
  revision_ = revision;
  if (type == EventType::Deleted) {
    objects_.erase(key);
  } else {
    objects_[key] = Entry{stored, revision};
  }
  hub_.publish(
      {std::make_shared<const Event>(Event{type, key, revision, stored, std::move(previous)})});
  return stored;
}

ObjectPtr MemoryStore::create(const std::string& key, Json object) {
  std::lock_guard lock(mutex_);
  if (objects_.contains(key)) throw already_exists_error(key);
  return commit_locked(EventType::Added, key, std::move(object), nullptr);
}

ObjectPtr MemoryStore::update(const std::string& key, Json object, int64_t expected_revision) {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) throw not_found_error(key);
  if (expected_revision != 0 && expected_revision != it->second.revision) {
    throw conflict_error(key, expected_revision, it->second.revision);
  }
  return commit_locked(EventType::Modified, key, std::move(object), it->second.object);
}

ObjectPtr MemoryStore::remove(const std::string& key, int64_t expected_revision) {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) throw not_found_error(key);
  if (expected_revision != 0 && expected_revision != it->second.revision) {
    throw conflict_error(key, expected_revision, it->second.revision);
  }
  ObjectPtr previous = it->second.object;
  return commit_locked(EventType::Deleted, key, Json(*previous), previous);
}

ObjectPtr MemoryStore::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second.object;
}

ListResult MemoryStore::list(const ListOptions& options) {
  std::lock_guard lock(mutex_);
  ListResult result;
  result.revision = revision_;
  const auto upper = prefix_upper_bound(options.prefix);
  auto it = options.start_after_key >= options.prefix
                ? objects_.upper_bound(options.start_after_key)
                : objects_.lower_bound(options.prefix);
  for (; it != objects_.end() && (!upper || it->first < *upper); ++it) {
    if (options.filter && !options.filter(*it->second.object)) continue;
    if (options.limit != 0 && result.items.size() == options.limit) {
      result.more = true;  // another matching item exists beyond this page
      break;
    }
    result.items.push_back(it->second.object);
    result.last_key = it->first;
  }
  return result;
}

int64_t MemoryStore::current_revision() {
  std::lock_guard lock(mutex_);
  return revision_;
}

WatchPtr MemoryStore::watch(const std::string& prefix, int64_t from_revision,
                            WatchCallback callback) {
  return hub_.watch(prefix, from_revision, std::move(callback));
}

int64_t MemoryStore::compacted_revision() {
  return hub_.compacted_revision();
}

StorePtr make_memory_store(size_t window_size) {
  return std::make_unique<MemoryStore>(window_size);
}

}  // namespace skiff::store
