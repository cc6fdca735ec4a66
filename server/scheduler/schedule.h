#pragma once
// One scheduling decision, pure: given a pod and the node snapshots, either the chosen node or
// the FailedScheduling message exactly as kube-scheduler words it:
//
//   0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint
//   {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available:
//   3 Preemption is not helpful for scheduling.
//
// (one line). skiff does not preempt: the preemption part reports, per failed node, "Preemption
// is not helpful for scheduling" when the failure is unresolvable (taints, affinity,
// unschedulable, a request larger than the whole node) and "No preemption victims found for
// incoming pod" otherwise, which is what kube-scheduler says when every pod has the same
// priority.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/scheduler/filters.h"
#include "server/scheduler/node_snapshot.h"

namespace skiff::scheduler {

// Weights of the scores in the total, as kube-scheduler's default profile weighs the plugins
// they stand for (TaintToleration 3, PodTopologySpread 2, NodeResourcesFit 1).
struct ScoreWeights {
  std::int64_t prefer_no_schedule = 3;
  std::int64_t owner_spread = 2;
  std::int64_t least_requested = 1;
};

struct NodeFailure {
  std::string node;
  FilterResult result;
};

struct ScheduleResult {
  std::optional<std::string> node_name;  // set on success
  std::string message;                   // the FailedScheduling message on failure
  // Why nodes were rejected: every node when none fits; otherwise those filtered on the way,
  // cordoned ones apart.
  std::vector<NodeFailure> failures;
  bool scheduled() const { return node_name.has_value(); }
};

// The FailedScheduling message for `total_nodes` nodes that all failed as `failures` says.
// `pod` decides the preemption part (spec.preemptionPolicy Never is "not eligible").
std::string fit_error_message(const Json& pod, std::size_t total_nodes,
                              const std::vector<NodeFailure>& failures);

// How many feasible nodes a decision looks for before it stops filtering (kube-scheduler's
// adaptive percentageOfNodesToScore): every node below 100 nodes, then 50% minus 1% per 125
// nodes (at least 5%), never fewer than 100. 1,000 nodes -> 420.
std::size_t feasible_nodes_to_find(std::size_t node_count);

// Filters nodes (starting at `seed` modulo the node count, until feasible_nodes_to_find of them
// pass, or all were tried), scores the feasible ones and picks the highest total. Ties are broken
// by `seed` mixed with the pod's namespace/name, so the same inputs always give the same node while
// consecutive pods still spread over equally good nodes. With no nodes at all the message is
// "no nodes available to schedule pods".
ScheduleResult schedule(const PodInfo& pod, const std::vector<NodeSnapshot>& nodes,
                        std::uint64_t seed = 0, const ScoreWeights& weights = {});

}  // namespace skiff::scheduler
