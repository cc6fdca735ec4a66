#pragma once
// The scheduler's scores: 0 (worst) .. 100 (best) per feasible node, pure functions.
#include <cstdint>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/scheduler/node_snapshot.h"

namespace skiff::scheduler {

inline constexpr std::int64_t kMaxNodeScore = 100;

// NodeResourcesFit/LeastAllocated: the fraction of allocatable cpu and memory still free after
// placing the pod, averaged (equal weights). Uses the non-zero requests (100m / 200Mi for
// containers that request nothing) so that request-less pods still spread. A resource with no
// allocatable, or over-committed, scores 0.
std::int64_t score_least_requested(const PodInfo& pod, const NodeSnapshot& node);

// Spreading of one controller's pods across nodes: on each node count the pods of the same
// namespace with the same controller owner; the node with most scores 0, nodes with none 100,
// linear in between (kube-scheduler's SelectorSpread normalisation). A pod without a controller
// owner scores 100 everywhere. Returns one score per entry of `nodes`.
std::vector<std::int64_t> score_owner_spread(const PodInfo& pod,
                                             const std::vector<const NodeSnapshot*>& nodes);

// TaintToleration score: fewer untolerated PreferNoSchedule taints is better; the node with most
// scores 0, nodes with none 100. One score per entry of `nodes`.
std::vector<std::int64_t> score_prefer_no_schedule(const PodInfo& pod,
                                                   const std::vector<const NodeSnapshot*>& nodes);

}  // namespace skiff::scheduler
