#pragma once
// WatchHub: the in-memory event window and watcher fan-out shared by every Store backend.
//
// The hub keeps the most recent `window_size` events (a bounded ring). History older than the
// window is gone: a watch from before it throws StoreError{Compacted} and the client relists
// (exactly what the Kubernetes watch cache does with 410 Gone). Nothing is persisted here.
// The window also answers point reads of recently written keys (newest_in_window), which
// spares a store the database read for the objects clients read right after writing them.
//
// Contract:
//  - publish() is called by the store after a write is durable, with events in ascending
//    revision order; calls must be serialized by the caller (one writer). Callbacks run on the
//    publishing thread, while the hub's lock is held: they must be quick and must not call
//    back into the store or the hub (stopping a watch from inside a callback is allowed).
//  - watch() replays the in-window events newer than from_revision on the calling thread, then
//    registers the watcher atomically with respect to publish(), so the watcher sees every
//    event exactly once, in order, with no gap between replay and live delivery.
//  - A watcher only ever receives events with revision > its start revision, even when a
//    publish of older events is still in flight (a list may observe a commit before the hub
//    has published it).
//  - Watch::stop() (and the handle's destructor): once it returns, the callback is never
//    called again. Called from another thread during a delivery, it waits for that callback
//    to return; called from inside the callback, it returns at once without deadlocking.
//  - A callback that returns false or throws ends its watch.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pkg/util/background_release.h"
#include "server/store/store.h"

namespace skiff::store {

class WatchHub {
 public:
  static constexpr size_t kDefaultWindowSize = 10000;

  // `start_revision` is the store's revision when the hub starts: the window is empty and
  // compacted_revision() == start_revision (a watch can start from it, not from before).
  explicit WatchHub(size_t window_size = kDefaultWindowSize, int64_t start_revision = 0);
  // Drops all watchers; outstanding Watch handles stay safe to stop/destroy afterwards.
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // `left_window`, when given, receives the events that leave the window in this publish while
  // still their key's newest (the key's value is no longer answered by newest_in_window).
  void publish(const std::vector<EventPtr>& events, std::vector<EventPtr>* left_window = nullptr);

  // Throws StoreError{Compacted} when from_revision != 0 and older than compacted_revision().
  WatchPtr watch(const std::string& prefix, int64_t from_revision, WatchCallback callback);

  // The oldest revision a watch can start from: every event after it is still in the window.
  int64_t compacted_revision() const;
  // The revision of the newest published event (or start_revision).
  int64_t latest_revision() const;
  size_t watcher_count() const;

  // The newest change of `key` when it is still in the window (its object is the key's value,
  // or the key is gone when it is a Deleted event). Null when the window holds no change of
  // the key, or when the hub has not yet published up to `committed_revision` (the store's
  // revision read before this call): the store must then read its own copy, which is newer.
  // Never waits for a publish's callbacks.
  EventPtr newest_in_window(const std::string& key, int64_t committed_revision) const;

  struct Core;  // shared with Watch handles so they outlive the hub safely

 private:
  std::shared_ptr<Core> core_;
  // Events leaving the window are freed here, not on the publishing (writer) thread: for an
  // object no informer holds, that frees its whole tree.
  util::BackgroundRelease evicted_release_{"store-release"};
};

}  // namespace skiff::store
