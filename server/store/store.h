#pragma once
// The Store: durable desired state, addressed by key ("/registry/<group>/<plural>/[<ns>/]<name>").
//
// Contract (every implementation: memory, sqlite, later etcd):
//  - Every successful write (create, update, delete) gets the next cluster-wide revision. The
//    stored object's metadata.resourceVersion is that revision as a decimal string; the store
//    stamps it, callers never do.
//  - update/remove are compare-and-swap on the revision the caller read (0 = unconditional).
//  - Values are full API objects (JSON). Returned objects are immutable and shared: copy before
//    changing.
//  - Errors are thrown as StoreError; the API server maps them to Kubernetes Status codes.
//  - watch() replays every event after `from_revision` that is still in the event window, then
//    delivers live events in revision order. A revision older than the window throws
//    StoreError{Code::Compacted} (the API answers 410 Gone). Watchers are woken by the write
//    itself; nothing polls.
//  - All methods are safe to call from any thread.
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::store {

using ObjectPtr = std::shared_ptr<const Json>;

class StoreError : public std::runtime_error {
 public:
  enum class Code { NotFound, AlreadyExists, Conflict, Compacted, Unavailable };
  StoreError(Code code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

enum class EventType { Added, Modified, Deleted };

struct Event {
  EventType type;
  std::string key;
  int64_t revision;  // the revision of this write (== object's resourceVersion)
  // Added/Modified: the new object. Deleted: the last state, stamped with the delete's revision.
  ObjectPtr object;
  // Modified/Deleted: the object before this write (lets watchers with selectors notice an
  // object leaving their selection). Null for Added.
  ObjectPtr previous;
};
using EventPtr = std::shared_ptr<const Event>;

struct ListOptions {
  std::string prefix;           // keys starting with this (should end with '/')
  std::string start_after_key;  // pagination: only keys > this
  size_t limit = 0;             // 0 = no limit
  // Optional predicate applied before `limit` counts (label/field selectors).
  std::function<bool(const Json&)> filter;
};

struct ListResult {
  std::vector<ObjectPtr> items;  // sorted by key
  int64_t revision = 0;          // the store revision the list is consistent with
  std::string last_key;          // key of the last item returned
  bool more = false;             // true when `limit` cut the list short
};

// A live watch. Destroying it (or calling stop) unregisters the callback; after stop returns,
// the callback is never called again.
class Watch {
 public:
  virtual ~Watch() = default;
  virtual void stop() = 0;
};
using WatchPtr = std::unique_ptr<Watch>;

// Called with events in revision order, possibly several at once. Called from whichever thread
// publishes the write (a store thread, or the caller that committed the write's batch), one
// publish at a time: it must be quick and must not call back into the store. Return false to
// end the watch (for example when the consumer is too slow); the store then drops it.
using WatchCallback = std::function<bool(const std::vector<EventPtr>& events)>;

// How an asynchronous write ended: the stored object, or (object null) the error the
// synchronous call would have thrown (a StoreError, or std::invalid_argument for an object the
// store cannot hold). Rethrow it with std::rethrow_exception.
struct WriteResult {
  ObjectPtr object;
  std::exception_ptr error;
  // `object` serialized, when the store made that text anyway (the SQLite store stores it);
  // empty otherwise. Spares a caller that answers with the object a second dump. A decorator
  // that hands back a different object must clear it.
  std::string object_json{};
};
using WriteDone = std::function<void(WriteResult result)>;

// An object's new state computed from its current one (Store::mutate_async). Throws to refuse
// the change: the write then ends with that exception and nothing is written.
using Mutation = std::function<Json(const Json& current)>;

class Store {
 public:
  virtual ~Store() = default;

  // Throws AlreadyExists if the key exists.
  virtual ObjectPtr create(const std::string& key, Json object) = 0;
  // create() without holding the calling thread while the write commits: `done` is called
  // exactly once with the outcome, on whichever thread completes the write (a store thread,
  // or this one when the write completes at once), after its event has been published. It
  // must be quick and must not wait on other writes. A backend whose writes do not queue
  // keeps this default: the synchronous create, then `done`.
  virtual void create_async(const std::string& key, Json object, WriteDone done);
  // Throws NotFound; Conflict if expected_revision != 0 and differs from the stored revision.
  virtual ObjectPtr update(const std::string& key, Json object, int64_t expected_revision) = 0;
  // A volatile update: a change that is worth no disk write, such as a lease renewal or a node
  // heartbeat that moves only a timestamp (the API server decides; see
  // server/apiserver/heartbeat.h). It behaves like update() in every way a reader can see: it
  // takes the next revision, is compare-and-swap on `expected_revision`, throws what update()
  // throws, is visible to get/list at once and reaches watchers as a Modified event. What
  // differs is durability: a backend may keep the object in memory only, until the next
  // durable write or delete of the same key replaces it or the store is closed cleanly (which
  // persists it). After a crash the key is back at its last durable state; only what the
  // volatile updates changed is lost (a timestamp, by the API server's choice). Revisions stay
  // monotonic across that crash: a revision handed out is never handed out again.
  // The default is a durable update (right for backends with nothing to save, e.g. memory).
  virtual ObjectPtr update_volatile(const std::string& key, Json object,
                                    int64_t expected_revision) {
    return update(key, std::move(object), expected_revision);
  }
  // Reads the key's object, applies `mutate` to it and writes the result as one step: no other
  // write of the key comes between the read and the write, so there is no revision to compare
  // and no Conflict to retry (the pods/binding subresource: bound once, whoever else writes
  // the pod). `done` as for create_async, with NotFound when the key is absent or whatever
  // `mutate` threw. `mutate` may run on a store thread inside the batch being committed: it
  // must be quick and must not call the store. The default reads, mutates and updates
  // guarded by the revision it read, again after a Conflict, then calls `done`.
  virtual void mutate_async(const std::string& key, Mutation mutate, WriteDone done);
  // Returns the last state stamped with the delete's revision. Throws NotFound / Conflict.
  virtual ObjectPtr remove(const std::string& key, int64_t expected_revision) = 0;
  // nullptr when absent.
  virtual ObjectPtr get(const std::string& key) = 0;
  virtual ListResult list(const ListOptions& options) = 0;
  virtual int64_t current_revision() = 0;
  // Events for keys starting with `prefix` and revision > from_revision. from_revision == 0
  // means "from now". Throws StoreError{Compacted} when from_revision is older than the window.
  virtual WatchPtr watch(const std::string& prefix, int64_t from_revision,
                         WatchCallback callback) = 0;
  // The oldest revision a watch can still start from.
  virtual int64_t compacted_revision() = 0;
};
using StorePtr = std::unique_ptr<Store>;

}  // namespace skiff::store
