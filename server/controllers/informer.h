#pragma once
// A read-only, always-current cache of one resource kind, fed by list+watch on the store
// (client-go's shared informer, in-process). Controllers read from it and never write to it.
//
// Contract:
//  - start() lists, then watches from the list's revision, so no change is missed; when the
//    store answers Compacted (more writes between list and watch than its event window holds)
//    it lists again. start() returns once the cache holds the listed state (synced).
//  - Change handlers see every change after the one before it, in revision order: (nullptr, new)
//    for an add, (old, new) for an update, (old, nullptr) for a delete. They run on the store's
//    watch thread: they must be quick and must not call the store or the API (enqueue a key).
//  - Cached objects are shared and immutable (store::ObjectPtr): copy before changing.
//  - Cache keys are "<namespace>/<name>", or "<name>" for cluster-scoped kinds (object_key()).
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "pkg/api/resources.h"
#include "server/store/store.h"

namespace skiff::controllers {

using store::ObjectPtr;

// "<namespace>/<name>" or "<name>".
std::string object_key(const Json& object);
// Splits a key back: {namespace, name} ("" namespace for cluster-scoped).
std::pair<std::string, std::string> split_key(const std::string& key);

class Informer {
 public:
  using ChangeHandler = std::function<void(const ObjectPtr& old, const ObjectPtr& current)>;
  // Index values of one object (e.g. its controller owner's uid); empty = not indexed.
  using IndexFunction = std::function<std::vector<std::string>(const Json&)>;

  Informer(store::Store& store, const api::ResourceInfo& resource);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Both only before start().
  void add_handler(ChangeHandler handler);
  void add_index(const std::string& name, IndexFunction function);

  // Throws StoreError when the store is unavailable.
  void start();
  void stop();  // idempotent; no handler runs after it returns

  const api::ResourceInfo& resource() const { return resource_; }
  ObjectPtr get(const std::string& key) const;
  ObjectPtr get(const std::string& namespace_name, const std::string& name) const;
  // Every object, or those of one namespace; sorted by key.
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> list(const std::string& namespace_name) const;
  // Objects whose index function returned `value`; sorted by key.
  std::vector<ObjectPtr> by_index(const std::string& index, const std::string& value) const;
  std::size_t size() const;
  // The store revision the cache reflects.
  int64_t revision() const { return revision_.load(); }

 private:
  struct Index {
    IndexFunction function;
    // value -> the objects with that value, by key. Holding the objects (not just their keys)
    // makes by_index() a copy of one small map instead of a lookup per object: the scheduler
    // reads the pods of a node this way after every binding to it.
    std::map<std::string, std::map<std::string, ObjectPtr>> objects_by_value;
  };
  void list_and_watch();
  bool on_events(const std::vector<store::EventPtr>& events);
  // Replaces the cache with a fresh list, telling handlers what changed. `lock` held.
  void replace_all(const std::vector<ObjectPtr>& items,
                   std::vector<std::pair<ObjectPtr, ObjectPtr>>& changes);
  void put_locked(const std::string& key, const ObjectPtr& object);
  void erase_locked(const std::string& key);
  void index_locked(const std::string& key, const ObjectPtr& object, bool add);
  static void unindex_locked(Index& index, const std::string& value, const std::string& key);

  store::Store& store_;
  const api::ResourceInfo& resource_;
  std::vector<ChangeHandler> handlers_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, ObjectPtr> objects_;  // cache key -> object
  std::map<std::string, Index> indexes_;      // "namespace" is always there
  std::atomic<int64_t> revision_{0};
  std::mutex watch_mutex_;
  store::WatchPtr watch_;
  bool stopped_ = false;
};

// Index functions the controllers share.
// The uid of the object's controller ownerReference ("" -> not indexed).
std::vector<std::string> controller_uid_index(const Json& object);
// The namespace of an object without a controller ownerReference (others are not indexed): the
// orphans a controller may adopt, without looking at every object of the namespace.
std::vector<std::string> orphan_namespace_index(const Json& object);
// spec.nodeName of a pod ("" -> indexed under "", i.e. unscheduled).
std::vector<std::string> pod_node_index(const Json& pod);

}  // namespace skiff::controllers
