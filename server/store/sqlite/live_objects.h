#pragma once
// For keys whose newest change has left the watch window: the object, as long as something
// else in the process still holds it (a weak reference: a map entry, not an object). The
// controllers' informers keep every pod, node, ReplicaSet... they watch, and those are the very
// objects the store handed to its watchers, so reading them here saves a SQLite read and a JSON
// parse: the scheduler's bindings of pods created long ago, a controller's status update, the
// writer's revision check of any such key. Objects nobody holds (a ConfigMap no informer
// watches) get no entry at all.
//
// Consistency: the Writer records the events that leave the window while still their key's
// newest (WatchHub::publish), right after that publish and before its next batch, and reads
// look here only after the window: a key written since is answered by the window, and a read
// that comes between the eviction and the record finds nothing and reads the database, which
// has the same value. So an entry is never older than the key's value.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/store/store.h"

namespace skiff::store {
namespace sqlite {

class LiveObjects {
 public:
  struct Found {
    ObjectPtr object;
    int64_t revision = 0;
  };
  // The key's object when its newest change left the window and it is still held.
  std::optional<Found> find(const std::string& key) const;
  // Events that left the window as their key's newest, in revision order (the Writer only).
  void record(const std::vector<EventPtr>& left_window);

 private:
  struct Entry {
    std::weak_ptr<const Json> object;
    int64_t revision = 0;
  };
  void sweep_locked();

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  size_t sweep_at_ = 4096;  // the size at which expired entries are dropped next
};

}  // namespace sqlite
}  // namespace skiff::store
