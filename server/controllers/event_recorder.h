#pragma once
// core/v1 Events for what the controllers and the scheduler do, as `kubectl describe` and
// `kubectl get events` show them.
//
// Recording never blocks a sync: record() queues the event and one background thread writes it
// through the API, correlated as Kubernetes' event recorder does: a repeat of the same event
// (same object, type, reason, message and source) within the de-duplication memory does not
// create a new Event but bumps `count` and `lastTimestamp` of the first one; similar events
// (only the message differs) beyond 10 are combined into one; and each source writes at most
// 25 events about one object at once, then one per 5 minutes (event_correlator.h). All the
// writes together are held to a rate (500 per second after a burst of 1,000), as a Kubernetes
// component's API client holds its event writes to its QPS: a burst of events, the Scheduled
// events of a 10,000-replica scale-up, waits in the queue rather than taking the store's one
// writer (and an SD card's writes) from the pods themselves. Events are best-effort: a full
// queue or a failed write drops the event (counted, logged once per minute at most), never the
// sync that produced it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "pkg/api/json.h"
#include "pkg/util/lru_cache.h"
#include "server/controllers/client.h"
#include "server/controllers/event_correlator.h"

namespace skiff::controllers {

struct EventRecorderOptions {
  std::size_t queue_limit = 10000;  // events waiting to be written; more are dropped
  std::size_t dedup_memory = 4096;  // the Events remembered for de-duplication
  double writes_per_second = 500;   // creates and count patches, over all events; 0: no limit
  double write_burst = 1000;        // written at once before the rate applies
};

class EventRecorder {
 public:
  explicit EventRecorder(Client& client, EventRecorderOptions options = {});
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void start();
  // Writes what is queued, then stops. Idempotent.
  void stop();

  // `type` is "Normal" or "Warning"; `component` the source ("deployment-controller").
  void record(const Json& object, const std::string& type, const std::string& reason,
              const std::string& message, const std::string& component);

  // Blocks until everything queued so far is written (tests).
  void flush();
  std::uint64_t dropped() const;
  // Events the spam filter kept from being written (their counts still grow).
  std::uint64_t filtered() const { return filtered_.load(); }

 private:
  struct Pending {
    Json involved;  // the ObjectReference
    std::string type, reason, message, component, timestamp;
  };
  struct Seen {
    std::string namespace_name, name;
    std::int64_t count = 1;
  };
  void run();
  void write(const Pending& event);
  // Takes one write from the budget, waiting for it; at once when stopping (what is queued
  // then is written without delay).
  void wait_for_write_budget();

  Client& client_;
  const EventRecorderOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> queue_;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  std::uint64_t dropped_ = 0;
  TokenBucket write_budget_;  // writes_per_second, up to write_burst
  std::atomic<std::uint64_t> filtered_{0};
  std::thread thread_;
  // Only the writer thread touches these.
  util::LruCache<Seen> seen_;  // the Event written for a de-duplication key
  EventAggregator aggregator_;
  EventSpamFilter spam_filter_;
};

// The ObjectReference of an object for involvedObject / ownerReferences-like uses.
Json object_reference(const Json& object);

}  // namespace skiff::controllers
