#pragma once
// The scheduler: binds every pending pod (no spec.nodeName, schedulerName "default-scheduler")
// to a node through the pods/binding subresource, one pod at a time on one thread, like
// kube-scheduler's scheduling cycle. The decision itself is the pure schedule() (schedule.h).
//
//  - Node snapshots are cached and rebuilt only for nodes whose pods or Node object changed
//    since the last decision (informer events mark them dirty), so a decision costs
//    O(nodes) for filtering and scoring, not O(pods).
//  - A pod that fits nowhere gets a FailedScheduling event (the kube-scheduler message) and a
//    PodScheduled=False/Unschedulable condition, and is parked; parked pods are retried when a
//    node is added or changes, or a bound pod goes away — never on a timer loop (plus a
//    safety flush every `unschedulable_flush`, as kube-scheduler does).
//  - A bound pod gets a `Scheduled` event: "Successfully assigned <ns>/<pod> to <node>".
// Not here: preemption, pod affinity/anti-affinity, topology spread constraints, volumes.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
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
  void mark_dirty(const std::string& node_name);
  void retry_unschedulable();
  // Brings the cached snapshots up to date; `mutex_` held.
  void refresh_snapshots_locked();
  void record_unschedulable(const Json& pod, const std::string& message);

  Informer& nodes_;
  Informer& pods_;
  controllers::Client& client_;
  controllers::EventRecorder& events_;
  const SchedulerOptions options_;
  controllers::ControllerLoop loop_;

  std::mutex mutex_;
  std::set<std::string> dirty_nodes_;
  bool nodes_changed_ = true;  // a node was added or removed: rebuild the list
  std::vector<NodeSnapshot> snapshots_;
  std::unordered_map<std::string, std::size_t> snapshot_index_;
  std::set<std::string> unschedulable_;
  std::uint64_t bound_ = 0;
  std::uint64_t decisions_ = 0;
};

}  // namespace skiff::scheduler
