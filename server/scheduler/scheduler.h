#pragma once
// The scheduler: binds every pending pod (no spec.nodeName, schedulerName "default-scheduler")
// to a node through the pods/binding subresource, one pod at a time on one thread, like
// kube-scheduler's scheduling cycle. The decision itself is the pure schedule() (schedule.h).
//
//  - Node snapshots are cached. What a node's pods take is kept as running sums per node
//    (NodeUsage), changed by one add or remove when a pod is bound, assumed, finished or
//    deleted; a snapshot is refreshed from those sums, and rebuilt from the Node object only
//    when that changed. A decision costs O(nodes) for filtering and scoring, not O(pods).
//  - A pod that fits nowhere gets a FailedScheduling event (the kube-scheduler message) and a
//    PodScheduled=False/Unschedulable condition, and is parked; parked pods are retried when a
//    node is added or changes, or a bound pod goes away — never on a timer loop (plus a
//    safety flush every `unschedulable_flush`, as kube-scheduler does).
//  - Binding is asynchronous, as kube-scheduler's binding cycle: once a node is chosen the pod
//    is "assumed" on it (the next decision already counts it) and its binding is sent without
//    waiting for the answer (Client::request_async; the store's writer applies it and answers
//    once it is committed); the assumption ends when the informer shows the pod bound, or the
//    binding fails (then the pod is retried with backoff). Store commits of concurrent
//    bindings are grouped, so the decision loop never waits for the disk; it waits only when
//    `max_bindings_in_flight` answers are outstanding.
//  - A bound pod gets a `Scheduled` event: "Successfully assigned <ns>/<pod> to <node>".
// Not here: preemption, pod affinity/anti-affinity, topology spread constraints, volumes.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"
#include "server/scheduler/node_snapshot.h"

namespace skiff::scheduler {

using controllers::Informer;
using controllers::ObjectPtr;

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  int max_bindings_in_flight = 512;
  std::chrono::seconds unschedulable_flush{300};
};

class Scheduler {
 public:
  // `pods` needs the "node" index (controllers::pod_node_index). Everything passed must
  // outlive the scheduler. Construct before the informers start.
  Scheduler(Informer& nodes, Informer& pods, controllers::Client& client,
            controllers::EventRecorder& events, SchedulerOptions options = {});
  ~Scheduler();

  void start();
  void stop();
  controllers::ControllerLoop& loop() { return loop_; }

  controllers::SyncResult sync(const std::string& pod_key);
  std::uint64_t bound() const;

 private:
  bool wants(const Json& pod) const;
  void on_pod_change(const ObjectPtr& old, const ObjectPtr& current);
  void on_node_change(const ObjectPtr& old, const ObjectPtr& current);
  void retry_unschedulable();
  // Counts a pod against a node, or stops counting it (mutex_ held).
  // `assumed_pod`: the pod as the informer had it when it was placed, while its binding is
  // pending; null for a pod the informer shows bound.
  void count_locked(const std::string& pod_key, const std::string& node, PodUsage usage,
                    ObjectPtr assumed_pod);
  void uncount_locked(const std::string& pod_key);
  // Brings the cached snapshots up to date (scheduling thread only).
  void refresh_snapshots();
  // The Node object with the sums of the pods counted against it (bound or assumed).
  NodeSnapshot snapshot_of(const ObjectPtr& node);
  void record_unschedulable(const Json& pod, const std::string& message);
  // Sends the binding of an assumed pod; its answer ends the assumption one way or the other.
  void bind(const std::string& pod_key, const ObjectPtr& pod, const std::string& node);
  void binding_answered(const std::string& pod_key, const ObjectPtr& pod, const std::string& node,
                        std::exception_ptr error);

  Informer& nodes_;
  Informer& pods_;
  controllers::Client& client_;
  controllers::EventRecorder& events_;
  const SchedulerOptions options_;
  controllers::ControllerLoop loop_;

  // Guards the small shared state below; never held while deciding or writing.
  mutable std::mutex mutex_;
  std::set<std::string> dirty_nodes_;  // Node objects changed: rebuild their snapshots
  std::set<std::string> dirty_usage_;  // their pods changed: refresh the snapshots' sums
  bool nodes_changed_ = true;          // a node was added or removed: rebuild the list
  // Owned by the scheduling thread.
  std::vector<NodeSnapshot> snapshots_;
  std::unordered_map<std::string, std::size_t> snapshot_index_;
  std::set<std::string> unschedulable_;
  // Every pod that takes room on a node: bound and not finished (pod_occupies_node), or
  // assumed there until the informer shows it bound. Its usage is worked out once, when it
  // starts counting or its spec changes, and is what it added to usage_by_node_.
  struct Counted {
    std::string node;
    PodUsage usage;
    ObjectPtr assumed_pod;  // set while assumed: the pod to bind (and name in the event)
  };
  std::unordered_map<std::string, Counted> counted_;  // pod key -> what it counts for
  std::unordered_map<std::string, NodeUsage> usage_by_node_;
  std::uint64_t bound_ = 0;
  std::uint64_t decisions_ = 0;

  // Bindings sent and not answered yet; stop() waits for them (their answers use this object).
  std::mutex flight_mutex_;
  std::condition_variable flight_changed_;
  int bindings_in_flight_ = 0;
};

}  // namespace skiff::scheduler
