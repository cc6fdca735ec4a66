#include "server/apiserver/storage.h"

#include <algorithm>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"
#include "server/apiserver/heartbeat.h"
#include "server/apiserver/object_meta.h"

namespace skiff::apiserver {

namespace {
constexpr int kMaxUpdateAttempts = 32;
}

void throw_store_error(const store::StoreError& error, const api::ResourceInfo& resource,
                       const std::string& name) {
  using Code = store::StoreError::Code;
  switch (error.code()) {
    case Code::NotFound:
      throw api::not_found(resource.qualified(), name);
    case Code::AlreadyExists:
      throw api::already_exists(resource.qualified(), name);
    case Code::Conflict:
      throw api::conflict_modified(resource.qualified(), name);
    case Code::Compacted:
      throw api::gone(error.what());
    case Code::Unavailable:
      throw api::service_unavailable(error.what());
  }
  throw api::internal_error(error.what());
}

void rethrow_write_error(const std::exception_ptr& error, const api::ResourceInfo& resource,
                         const std::string& name) {
  try {
    std::rethrow_exception(error);
  } catch (const store::StoreError& failure) {
    throw_store_error(failure, resource, name);
  }
}

namespace {

// What keeps an object marked for deletion in the store: its finalizers; for a Namespace also
// its spec.finalizers (`kubernetes`), which the namespace controller removes once the namespace
// is empty; for a pod in graceful deletion (deletionGracePeriodSeconds > 0) its node, which
// confirms with a delete of grace 0 (status updates meanwhile must not remove it).
bool held_by_finalizers(const Json& object) {
  if (has_finalizers(object)) return true;
  if (object.value("kind", "") != "Namespace") return false;
  auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) return false;
  auto finalizers = spec->find("finalizers");
  return finalizers != spec->end() && finalizers->is_array() && !finalizers->empty();
}

// An update leaves a marked object in the store while something holds it: finalizers, or a
// graceful deletion in progress (deletionGracePeriodSeconds > 0: a pod whose node has not
// confirmed yet; its status updates meanwhile must not remove it).
bool held(const Json& object) {
  return held_by_finalizers(object) ||
         object["metadata"].value("deletionGracePeriodSeconds", int64_t{0}) > 0;
}

}  // namespace

store::ObjectPtr update_or_finish(store::Store& store, const std::string& key, Json desired,
                                  int64_t expected) {
  if (has_deletion_timestamp(desired) && !held(desired)) {
    return store.remove(key, expected);
  }
  return store.update(key, std::move(desired), expected);
}

namespace {

// update_or_finish for an update whose stored object is known: a no-op is not written and a
// heartbeat is written volatile (see heartbeat.h).
store::ObjectPtr store_update(store::Store& store, const std::string& key,
                              const store::ObjectPtr& current, Json desired, int64_t expected) {
  if (has_deletion_timestamp(desired) && !held(desired)) {
    return store.remove(key, expected);
  }
  switch (classify_update(*current, desired)) {
    case UpdateKind::NoOp:
      return current;
    case UpdateKind::Heartbeat:
      return store.update_volatile(key, std::move(desired), expected);
    case UpdateKind::StateChange:
      break;
  }
  return store.update(key, std::move(desired), expected);
}

}  // namespace

store::ObjectPtr guaranteed_update(store::Store& store, const api::ResourceInfo& resource,
                                   const std::string& key, const std::string& name,
                                   const Mutation& mutate, bool dry_run) {
  for (int attempt = 0;; ++attempt) {
    auto current = store.get(key);
    if (!current) throw api::not_found(resource.qualified(), name);
    int64_t stored_revision = resource_version_of(*current);
    Json desired = mutate(*current);
    int64_t wanted = resource_version_of(desired);
    if (wanted != 0 && wanted != stored_revision)
      throw api::conflict_modified(resource.qualified(), name);
    if (dry_run) {
      desired["metadata"]["resourceVersion"] = std::to_string(stored_revision);
      return std::make_shared<const Json>(std::move(desired));
    }
    try {
      return store_update(store, key, current, std::move(desired), stored_revision);
    } catch (const store::StoreError& error) {
      bool retry = error.code() == store::StoreError::Code::Conflict ||
                   error.code() == store::StoreError::Code::NotFound;
      if (!retry || wanted != 0 || attempt + 1 >= kMaxUpdateAttempts)
        throw_store_error(error, resource, name);
    }
  }
}

store::ObjectPtr delete_or_mark(store::Store& store, const std::string& key, const Json& current,
                                const std::vector<std::string>& add_finalizers,
                                int64_t grace_period_seconds, bool dry_run) {
  int64_t revision = resource_version_of(current);
  Json marked = current;
  Json& metadata = marked["metadata"];
  bool changed = false;
  for (const auto& finalizer : add_finalizers) {
    if (!metadata.contains("finalizers") || !metadata["finalizers"].is_array())
      metadata["finalizers"] = Json::array();
    auto& list = metadata["finalizers"];
    if (std::find(list.begin(), list.end(), finalizer) == list.end()) {
      list.push_back(finalizer);
      changed = true;
    }
  }
  if (!held_by_finalizers(marked)) {
    if (dry_run) return std::make_shared<const Json>(current);
    return store.remove(key, revision);
  }
  if (!has_deletion_timestamp(marked)) {
    metadata["deletionTimestamp"] = api::now_rfc3339();
    metadata["deletionGracePeriodSeconds"] = grace_period_seconds;
    // Kubernetes counts the start of a graceful deletion as a new generation.
    if (metadata.contains("generation"))
      metadata["generation"] = metadata.value("generation", int64_t{0}) + 1;
    changed = true;
  }
  if (!changed || dry_run) return std::make_shared<const Json>(std::move(marked));
  return store.update(key, std::move(marked), revision);
}

bool remove_finalizer(store::Store& store, const std::string& key, const std::string& finalizer) {
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    auto current = store.get(key);
    if (!current) return false;
    Json desired = *current;
    auto& metadata = desired["metadata"];
    if (!metadata.contains("finalizers") || !metadata["finalizers"].is_array()) return true;
    auto& list = metadata["finalizers"];
    auto before = list.size();
    list.erase(std::remove(list.begin(), list.end(), finalizer), list.end());
    if (list.size() == before) return true;
    if (list.empty()) metadata.erase("finalizers");
    try {
      update_or_finish(store, key, std::move(desired), resource_version_of(*current));
      return true;
    } catch (const store::StoreError& error) {
      if (error.code() == store::StoreError::Code::NotFound) return false;
      if (error.code() != store::StoreError::Code::Conflict) throw;
    }
  }
  return true;
}

}  // namespace skiff::apiserver
