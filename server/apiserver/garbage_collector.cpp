#include "server/apiserver/garbage_collector.h"

#include <algorithm>

#include "server/apiserver/object_meta.h"
#include "server/apiserver/pod_deletion.h"
#include "server/apiserver/storage.h"

namespace skiff::apiserver {

namespace {

constexpr const char* kRegistryPrefix = "/registry/";

std::vector<std::string> owner_uids(const Json& object) {
  std::vector<std::string> uids;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return uids;
  auto refs = metadata->find("ownerReferences");
  if (refs == metadata->end() || !refs->is_array()) return uids;
  for (const auto& ref : *refs) {
    if (ref.is_object() && ref.contains("uid") && ref["uid"].is_string())
      uids.push_back(ref["uid"].get<std::string>());
  }
  return uids;
}

bool has_finalizer(const Json& object, const char* finalizer) {
  const auto& metadata = object["metadata"];
  if (!metadata.contains("finalizers") || !metadata["finalizers"].is_array()) return false;
  const auto& list = metadata["finalizers"];
  return std::find(list.begin(), list.end(), finalizer) != list.end();
}

// Deletes a dependent the way a DELETE with default options does: a pod a node runs is only
// marked (graceful deletion; its node stops the containers and confirms), anything else goes
// (or is marked, when it has finalizers). Throws StoreError (Conflict when `current` is stale).
void delete_dependent(store::Store& store, const std::string& key, const Json& current) {
  if (key.rfind("/registry/core/pods/", 0) == 0) {
    if (const int64_t grace = pod_grace_period(current, std::nullopt); grace > 0) {
      store.update(key, mark_terminating(current, grace), resource_version_of(current));
      return;
    }
  }
  delete_or_mark(store, key, current, {}, 0, false);
}

}  // namespace

GarbageCollector::GarbageCollector(store::Store& store)
    : store_(store),
      queue_([this](const std::string& item) { return sync(item); },
             std::chrono::milliseconds(200)) {}

GarbageCollector::~GarbageCollector() {
  stop();
}

void GarbageCollector::start() {
  store::ListOptions options;
  options.prefix = kRegistryPrefix;
  auto list = store_.list(options);
  queue_.start();
  for (const auto& item : list.items) {
    // The list has no keys; rebuild them from the registry.
    const auto& metadata = (*item)["metadata"];
    const auto* resource =
        api::find_by_kind(item->value("apiVersion", ""), item->value("kind", ""));
    if (!resource) continue;
    std::string key = resource->key(metadata.value("namespace", std::string()),
                                    metadata.value("name", std::string()));
    observe(key, item.get(), false);
  }
  watch_ = store_.watch(
      kRegistryPrefix, list.revision, [this](const std::vector<store::EventPtr>& events) {
        for (const auto& event : events)
          observe(event->key, event->object.get(), event->type == store::EventType::Deleted);
        return true;
      });
}

void GarbageCollector::stop() {
  if (watch_) watch_->stop();
  watch_.reset();
  queue_.stop();
}

void GarbageCollector::observe(const std::string& key, const Json* object, bool deleted) {
  std::vector<std::string> owners =
      deleted || !object ? std::vector<std::string>{} : owner_uids(*object);
  {
    std::lock_guard lock(mutex_);
    auto previous = owners_.find(key);
    // Most events keep the owners (a status write, a binding): nothing to move then, and the
    // dependents of a big ReplicaSet are a set of thousands of keys.
    const bool unchanged = previous != owners_.end() ? previous->second == owners : owners.empty();
    if (!unchanged) {
      if (previous != owners_.end()) {
        for (const auto& uid : previous->second) {
          auto it = dependents_.find(uid);
          if (it == dependents_.end()) continue;
          it->second.erase(key);
          if (it->second.empty()) dependents_.erase(it);
        }
        owners_.erase(previous);
      }
      if (!owners.empty()) {
        for (const auto& uid : owners) dependents_[uid].insert(key);
        owners_[key] = std::move(owners);
      }
    }
  }
  if (!object) return;
  if (deleted) {
    std::string uid = (*object)["metadata"].value("uid", std::string());
    if (!uid.empty()) queue_.add("owner-gone:" + uid);
    return;
  }
  if (has_deletion_timestamp(*object) &&
      (has_finalizer(*object, "orphan") || has_finalizer(*object, "foregroundDeletion")))
    queue_.add("finalize:" + key);
}

std::vector<std::string> GarbageCollector::dependents_of(const std::string& uid) {
  std::lock_guard lock(mutex_);
  auto it = dependents_.find(uid);
  if (it == dependents_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool GarbageCollector::sync(const std::string& item) {
  if (item.rfind("owner-gone:", 0) == 0) return collect_orphaned_dependents(item.substr(11));
  if (item.rfind("finalize:", 0) == 0) return finalize_owner(item.substr(9));
  return true;
}

void GarbageCollector::release_dependent(const std::string& key, const std::string& owner_uid,
                                         bool delete_if_unowned) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto current = store_.get(key);
    if (!current) return;
    Json desired = *current;
    auto& refs = desired["metadata"]["ownerReferences"];
    if (!refs.is_array()) return;
    auto before = refs.size();
    refs.erase(std::remove_if(refs.begin(), refs.end(),
                              [&](const Json& ref) {
                                return ref.is_object() && ref.value("uid", "") == owner_uid;
                              }),
               refs.end());
    if (refs.size() == before) return;
    try {
      if (refs.empty() && delete_if_unowned) {
        if (!has_deletion_timestamp(*current)) delete_dependent(store_, key, *current);
        return;
      }
      if (refs.empty()) desired["metadata"].erase("ownerReferences");
      update_or_finish(store_, key, std::move(desired), resource_version_of(*current));
      return;
    } catch (const store::StoreError& error) {
      if (error.code() == store::StoreError::Code::NotFound) return;
      if (error.code() != store::StoreError::Code::Conflict) throw;
    }
  }
}

bool GarbageCollector::collect_orphaned_dependents(const std::string& owner_uid) {
  for (const auto& key : dependents_of(owner_uid)) release_dependent(key, owner_uid, true);
  return true;
}

bool GarbageCollector::finalize_owner(const std::string& key) {
  auto owner = store_.get(key);
  if (!owner || !has_deletion_timestamp(*owner)) return true;
  std::string uid = (*owner)["metadata"].value("uid", std::string());
  if (has_finalizer(*owner, "orphan")) {
    for (const auto& dependent : dependents_of(uid)) release_dependent(dependent, uid, false);
    remove_finalizer(store_, key, "orphan");
    return true;
  }
  if (has_finalizer(*owner, "foregroundDeletion")) {
    auto dependents = dependents_of(uid);
    if (!dependents.empty()) {
      for (const auto& dependent : dependents) {
        auto object = store_.get(dependent);
        if (object && !has_deletion_timestamp(*object)) {
          try {
            delete_dependent(store_, dependent, *object);
          } catch (const store::StoreError&) {
            // changed meanwhile; the retry looks again
          }
        }
      }
      return false;  // come back until the dependents are gone
    }
    remove_finalizer(store_, key, "foregroundDeletion");
  }
  return true;
}

}  // namespace skiff::apiserver
