#pragma once
// MemoryStore: the Store contract over a std::map, for unit tests and throwaway servers.
// Nothing is durable; the event window is a WatchHub like every other backend's.
// update_volatile is the inherited durable update: with nothing on disk there is nothing to spare.
// Writes are serialized by one mutex and publish their event before returning, so a write that
// returned is already visible to get/list and to watchers.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "server/store/store.h"
#include "server/store/watch_hub.h"

namespace skiff::store {

class MemoryStore : public Store {
 public:
  explicit MemoryStore(size_t window_size = WatchHub::kDefaultWindowSize);

  ObjectPtr create(const std::string& key, Json object) override;
  ObjectPtr update(const std::string& key, Json object, int64_t expected_revision) override;
  ObjectPtr remove(const std::string& key, int64_t expected_revision) override;
  ObjectPtr get(const std::string& key) override;
  ListResult list(const ListOptions& options) override;
  int64_t current_revision() override;
  WatchPtr watch(const std::string& prefix, int64_t from_revision, WatchCallback callback) override;
  int64_t compacted_revision() override;

 private:
  struct Entry {
    ObjectPtr object;
    int64_t revision;
  };
  // Stamps, stores and publishes one write; `mutex_` must be held.
  ObjectPtr commit_locked(EventType type, const std::string& key, Json object, ObjectPtr previous);

  std::mutex mutex_;
  std::map<std::string, Entry> objects_;
  int64_t revision_ = 0;
  WatchHub hub_;  // declared last: destroyed first, before the data its events point into
};

StorePtr make_memory_store(size_t window_size = WatchHub::kDefaultWindowSize);

}  // namespace skiff::store
