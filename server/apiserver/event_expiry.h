#pragma once
// Events expire, as kube-apiserver's --event-ttl makes them (default 1h): an Event is deleted
// once it has not been written for the TTL. Without this every Scheduled, Pulled, Killing...
// Event of the cluster's life would stay in the database (a busy homelab writes thousands a
// day) and `kubectl get events` would list them all.
//
// An Event's last write is the newest of its metadata.creationTimestamp, lastTimestamp,
// eventTime and series.lastObservedTime (a repeat bumps lastTimestamp, so a recurring Event
// lives on). A sweep lists the Events (from the store, in pages) and deletes the expired
// ones, each guarded by the revision it read: one rewritten meanwhile is left for the next
// sweep. A sweep that finds nothing expired writes nothing, so an idle cluster stays
// idle on disk. Sweeps run every `interval` on one thread; the first one right at start.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "server/store/store.h"

namespace skiff::apiserver {

struct EventExpiryOptions {
  std::chrono::seconds ttl{3600};
  std::chrono::seconds interval{60};
};

class EventExpiry {
 public:
  EventExpiry(store::Store& store, EventExpiryOptions options);
  ~EventExpiry();
  EventExpiry(const EventExpiry&) = delete;
  EventExpiry& operator=(const EventExpiry&) = delete;

  void start();
  void stop();  // idempotent

  // Deletes the Events not written since `now - ttl`; returns how many. Store errors other
  // than a lost race are thrown.
  size_t sweep(std::chrono::system_clock::time_point now);

 private:
  void run();

  store::Store& store_;
  const EventExpiryOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::apiserver
