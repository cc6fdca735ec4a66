#pragma once
// A small garbage collector for ownerReferences, enough for the API's deletion semantics
// until the workloads issue brings the real one (which may replace this file):
//  - Background: when an owner is gone, dependents whose only owner it was are deleted;
//    dependents with other owners just lose the reference.
//  - Foreground: an owner marked with the `foregroundDeletion` finalizer has its dependents
//    deleted; the finalizer is removed (and so the owner) once none are left.
//  - Orphan: an owner marked with the `orphan` finalizer has the reference removed from its
//    dependents, then the finalizer.
// It keeps an in-memory index owner uid -> dependent keys, built from one list and kept
// current by a watch on every key; the watch callback only updates the index and queues work.
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "server/apiserver/key_queue.h"
#include "server/store/store.h"

namespace skiff::apiserver {

class GarbageCollector {
 public:
  explicit GarbageCollector(store::Store& store);
  ~GarbageCollector();
  void start();  // throws StoreError when the initial list/watch fails
  void stop();

 private:
  void observe(const std::string& key, const Json* object, bool deleted);
  bool sync(const std::string& item);
  bool collect_orphaned_dependents(const std::string& owner_uid);
  bool finalize_owner(const std::string& key);
  std::vector<std::string> dependents_of(const std::string& uid);
  // Drops the reference to `owner_uid` from the dependent at `key`; deletes the dependent
  // when `delete_if_unowned` and no owner is left.
  void release_dependent(const std::string& key, const std::string& owner_uid,
                         bool delete_if_unowned);

  store::Store& store_;
  KeyQueue queue_;
  store::WatchPtr watch_;
  std::mutex mutex_;
  std::map<std::string, std::set<std::string>> dependents_;  // owner uid -> dependent keys
  std::map<std::string, std::vector<std::string>> owners_;   // dependent key -> owner uids
};

}  // namespace skiff::apiserver
