#include "server/store/prefix_cached_store.h"

namespace skiff::store {

PrefixCachedStore::PrefixCachedStore(Store& inner, std::string prefix)
    : inner_(inner), prefix_(std::move(prefix)) {
  // The cache fills lazily (see get) and every later write reaches it through this watch.
  watch_ = inner_.watch(prefix_, 0, [this](const std::vector<EventPtr>& events) {
    apply(events);
    return true;
  });
}

PrefixCachedStore::~PrefixCachedStore() {
  if (watch_) watch_->stop();
}

void PrefixCachedStore::apply(const std::vector<EventPtr>& events) {
  std::lock_guard lock(mutex_);
  for (const auto& event : events) {
    if (event->type == EventType::Deleted)
      objects_.erase(event->key);
    else
      objects_[event->key] = event->object;
  }
  ++events_seen_;
}

ObjectPtr PrefixCachedStore::get(const std::string& key) {
  if (!cached(key)) return inner_.get(key);
  int64_t seen_before;
  {
    std::lock_guard lock(mutex_);
    if (auto it = objects_.find(key); it != objects_.end()) return it->second;
    seen_before = events_seen_;
  }
  // A miss reads the store once. The result is cached only if no event arrived meanwhile, so
  // a write that raced this read can never be hidden behind an older value.
  ObjectPtr object = inner_.get(key);
  if (object) {
    std::lock_guard lock(mutex_);
    if (events_seen_ == seen_before) objects_.emplace(key, object);
  }
  return object;
}

ObjectPtr PrefixCachedStore::create(const std::string& key, Json object) {
  return inner_.create(key, std::move(object));
}

void PrefixCachedStore::create_async(const std::string& key, Json object, WriteDone done) {
  inner_.create_async(key, std::move(object), std::move(done));
}
ObjectPtr PrefixCachedStore::update(const std::string& key, Json object, int64_t expected) {
  return inner_.update(key, std::move(object), expected);
}
void PrefixCachedStore::mutate_async(const std::string& key, Mutation mutate, WriteDone done) {
  inner_.mutate_async(key, std::move(mutate), std::move(done));
}
ObjectPtr PrefixCachedStore::update_volatile(const std::string& key, Json object,
                                             int64_t expected) {
  return inner_.update_volatile(key, std::move(object), expected);
}
ObjectPtr PrefixCachedStore::remove(const std::string& key, int64_t expected) {
  return inner_.remove(key, expected);
}
ListResult PrefixCachedStore::list(const ListOptions& options) {
  return inner_.list(options);
}
int64_t PrefixCachedStore::current_revision() {
  return inner_.current_revision();
}
WatchPtr PrefixCachedStore::watch(const std::string& prefix, int64_t from_revision,
                                  WatchCallback callback) {
  return inner_.watch(prefix, from_revision, std::move(callback));
}
int64_t PrefixCachedStore::compacted_revision() {
  return inner_.compacted_revision();
}

}  // namespace skiff::store
