#pragma once
// The API server's side of the store: StoreError -> ApiError mapping, the guaranteed-update
// loop every update path uses (PUT, PATCH, apply, status, scale, finalizer removal), and the
// deletion rules (finalizers keep a marked object; the last one removed deletes it).
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/api/resources.h"
#include "server/store/store.h"

namespace skiff::apiserver {

// Rethrows a StoreError as the matching ApiError (404, 409, 410, 503).
[[noreturn]] void throw_store_error(const store::StoreError& error,
                                    const api::ResourceInfo& resource, const std::string& name);

// Rethrows the error of a failed asynchronous write (store::WriteResult::error) as what the
// synchronous call would have thrown: a StoreError as its ApiError, anything else as it is.
[[noreturn]] void rethrow_write_error(const std::exception_ptr& error,
                                      const api::ResourceInfo& resource, const std::string& name);

// Computes the desired object from the current one; throws ApiError to refuse the update.
using Mutation = std::function<Json(const Json& current)>;

// Reads the object (404 when absent), applies `mutate`, and writes the result guarded by the
// stored revision. CAS: when the desired object carries a metadata.resourceVersion it must
// equal the stored one (409 otherwise); without one, a concurrent write just means "read and
// apply again". An object left with deletionTimestamp and no finalizers is removed.
// An update that changes nothing is not written (the current object is returned), one that
// moves only a heartbeat timestamp is written with Store::update_volatile (heartbeat.h).
// `dry_run` returns the would-be object without writing.
store::ObjectPtr guaranteed_update(store::Store& store, const api::ResourceInfo& resource,
                                   const std::string& key, const std::string& name,
                                   const Mutation& mutate, bool dry_run);

// Writes `desired` over revision `expected` (0 = unconditional) or, when it is marked for
// deletion and has no finalizers left, removes it. Throws StoreError.
store::ObjectPtr update_or_finish(store::Store& store, const std::string& key, Json desired,
                                  int64_t expected);

// Deletes `current` (stored at `key`): when it has finalizers (after adding `add_finalizers`)
// it is marked with deletionTimestamp and stays; otherwise it is removed. Returns the marked
// object or the last state. An object already marked only gets the new finalizers. Throws
// StoreError (Conflict when `current` is stale).
store::ObjectPtr delete_or_mark(store::Store& store, const std::string& key, const Json& current,
                                const std::vector<std::string>& add_finalizers,
                                int64_t grace_period_seconds, bool dry_run);

// Removes one finalizer (no-op when absent); removes the object when it was the last one and
// the object is marked for deletion. Retries on conflicts. Returns false when the object is
// gone.
bool remove_finalizer(store::Store& store, const std::string& key, const std::string& finalizer);

}  // namespace skiff::apiserver
