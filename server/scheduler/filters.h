#pragma once
// The scheduler's filters: pure functions of (pod, node snapshot), each mirroring one
// kube-scheduler plugin and wording its failure reasons exactly as that plugin does, because
// users read them in FailedScheduling events.
//
// Not supported (decided here, once): inter-pod affinity, topology spread constraints,
// volumes, preferred (soft) node affinity in filters, pod-level resources, sidecar init
// containers' extra accounting.
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/scheduler/node_snapshot.h"

namespace skiff::scheduler {

struct FilterResult {
  // Empty when the node passes. One filter may give several reasons ("Insufficient cpu" and
  // "Insufficient memory"); each is counted separately in the FailedScheduling message.
  std::vector<std::string> reasons;
  // True when evicting other pods could never make the pod fit (kube-scheduler's
  // UnschedulableAndUnresolvable): the preemption part of the message then says
  // "Preemption is not helpful for scheduling".
  bool unresolvable = false;

  bool passed() const { return reasons.empty(); }
  static FilterResult pass() { return {}; }
  static FilterResult fail(std::string reason, bool unresolvable) {
    return {{std::move(reason)}, unresolvable};
  }
};

// Reason strings, as kube-scheduler words them.
inline constexpr const char* kReasonUnschedulable = "node(s) were unschedulable";
inline constexpr const char* kReasonNodeAffinity =
    "node(s) didn't match Pod's node affinity/selector";
inline constexpr const char* kReasonHostPorts =
    "node(s) didn't have free ports for the requested pod ports";
inline constexpr const char* kReasonTooManyPods = "Too many pods";
// "node(s) had untolerated taint {<key>: <value>}"
std::string untolerated_taint_reason(const std::string& key, const std::string& value);

// NodeUnschedulable: spec.unschedulable nodes, unless the pod tolerates
// node.kubernetes.io/unschedulable:NoSchedule.
FilterResult filter_node_unschedulable(const PodInfo& pod, const NodeSnapshot& node);
// The same test without building a result: cheap enough for every cordoned node of a decision.
inline bool blocked_by_unschedulable(const PodInfo& pod, const NodeSnapshot& node) {
  return node.unschedulable && !pod.tolerates_unschedulable;
}
// TaintToleration: every NoSchedule and NoExecute taint (see effective_taints, which covers a
// node that is not Ready) must be tolerated. PreferNoSchedule only affects scoring.
FilterResult filter_taint_toleration(const PodInfo& pod, const NodeSnapshot& node);
// NodeAffinity: spec.nodeSelector (all labels equal) AND the required node affinity
// (nodeSelectorTerms ORed; within a term matchExpressions and matchFields ANDed; operators In,
// NotIn, Exists, DoesNotExist, Gt, Lt; matchFields supports metadata.name).
FilterResult filter_node_affinity(const PodInfo& pod, const NodeSnapshot& node);
// NodePorts: a requested hostPort already used on the node with the same protocol and an
// overlapping hostIP (0.0.0.0 overlaps everything).
FilterResult filter_node_ports(const PodInfo& pod, const NodeSnapshot& node);
// NodeResourcesFit: pod count, then cpu, memory, ephemeral-storage and extended resources
// against allocatable minus what the node's pods request ("Too many pods", "Insufficient cpu",
// "Insufficient memory", "Insufficient <resource>").
FilterResult filter_node_resources_fit(const PodInfo& pod, const NodeSnapshot& node);

// True when `node` satisfies one nodeSelectorTerm (exposed for the tests and for DaemonSet-like
// callers).
bool node_matches_selector_term(const Json& term, const Json& node);

// All filters in kube-scheduler's order, stopping at the first that fails (as kube-scheduler
// does by default).
FilterResult run_filters(const PodInfo& pod, const NodeSnapshot& node);

}  // namespace skiff::scheduler
