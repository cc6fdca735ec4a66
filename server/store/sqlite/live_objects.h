#pragma once
// The newest stored object of each key written since the store opened, for as long as something
// else in the process still holds it: a weak reference, so it costs a map entry, not an object.
// The controllers' informers keep every pod, node, ReplicaSet... they watch, and those are the
// very objects the store handed to its watchers, so reading them here saves a SQLite read and
// a JSON parse: the scheduler's bindings of pods created long ago, a controller's status
// update, the writer's compare-and-swap check of any key that left the watch window.
//
// Consistency: the Writer records each batch here after its COMMIT and before it publishes the
// batch anywhere else (overlay, committed revision, watchers, the callers' answers), so anyone
// who has seen a write, by any path, finds it here or something newer. A reader racing with
// the batch gets the state just before it or just after it, as with any read.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/store/store.h"

namespace skiff::store::sqlite {

class LiveObjects {
 public:
  struct Found {
    ObjectPtr object;
    int64_t revision = 0;
  };
  // The key's newest object, if it was written since the store opened and is still alive.
  std::optional<Found> find(const std::string& key) const;
  // A committed batch's events, in revision order (the Writer only).
  void record(const std::vector<EventPtr>& events);
  size_t size() const;

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

}  // namespace skiff::store::sqlite
