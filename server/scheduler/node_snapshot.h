#pragma once
// What the scheduler knows about one node at one instant: the Node object, the pods bound to it
// and the sums the filters and scores need. Built from plain lists of Node and Pod JSON objects
// (as a cache or a list call returns them); no I/O.
//
// Resource amounts are int64: cpu in milli-cores, everything else (memory, pods,
// ephemeral-storage, extended resources) in units, as Quantity.MilliValue()/Value() give them.
// A node without status.allocatable falls back to status.capacity; a resource missing from both
// counts as 0, as in Kubernetes (so a pod requesting it does not fit).
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "pkg/api/json.h"
#include "server/scheduler/taints.h"

namespace skiff::scheduler {

// Resource name -> amount (cpu in milli-cores). Absent means 0.
using ResourceAmounts = std::map<std::string, std::int64_t>;

// The requests of a pod as kube-scheduler computes them: the sum over containers, raised to the
// largest init container where that is bigger, plus spec.overhead. A container without
// `requests` for a resource but with `limits` counts the limit (API defaulting does the same).
ResourceAmounts pod_requests(const Json& pod);
// The same, but a container with no cpu/memory request counts 100m cpu / 200Mi memory; only the
// scores use this, so that pods without requests still spread (kube-scheduler's NonZeroRequested).
ResourceAmounts pod_nonzero_requests(const Json& pod);

// "<namespace>/<owner uid>": pods of one owner (NodeSnapshot::pods_by_owner).
std::string owner_key(const Json& pod, const std::string& owner_uid);

struct HostPort {
  std::string protocol;  // "TCP" when not given
  std::string ip;        // "0.0.0.0" when not given
  std::int64_t port = 0;
  auto operator<=>(const HostPort&) const = default;
};
// The hostPorts a pod asks for (containers[].ports[] with hostPort > 0).
std::vector<HostPort> pod_host_ports(const Json& pod);

// What a pod takes from the node it runs on, worked out once per pod: a snapshot is the sum of
// its pods' usages, and the scheduler keeps each pod's usage, so a node's snapshot is rebuilt
// without parsing its pods' quantities again.
struct PodUsage {
  ResourceAmounts requests;          // pod_requests
  ResourceAmounts nonzero_requests;  // pod_nonzero_requests
  std::vector<HostPort> host_ports;  // pod_host_ports
  std::string owner;                 // owner_key of its controller; "" without one
};
PodUsage pod_usage(const Json& pod);

// The pod being scheduled, with its usage worked out once per decision instead of once for
// every node it is checked against. Implicit from a pod's JSON, so that one check on its own
// reads as filter(pod, node); schedule() builds it once and passes it to every filter and score.
struct PodInfo {
  PodInfo(const Json& pod);  // NOLINT(google-explicit-constructor): implicit on purpose
  const Json& pod;
  PodUsage usage;
  // usage.requests above zero, other than "pods", in the order NodeResourcesFit reports them:
  // cpu, memory, ephemeral-storage, then the rest by name.
  std::vector<std::pair<std::string, std::int64_t>> requests_to_fit;
  std::int64_t nonzero_cpu = 0;  // usage.nonzero_requests' cpu and memory (the scores)
  std::int64_t nonzero_memory = 0;
  const Json* node_selector = nullptr;  // spec.nodeSelector when it is an object
  // spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution when an object.
  const Json* required_node_affinity = nullptr;
  // Whether it tolerates node.kubernetes.io/unschedulable:NoSchedule (may go to cordoned nodes):
  // asked of every cordoned node a decision looks at, so worked out once.
  bool tolerates_unschedulable = false;
};

// Pods the scheduler counts against a node: bound (spec.nodeName) and not terminal
// (status.phase Succeeded/Failed release their resources).
bool pod_occupies_node(const Json& pod);

struct NodeSnapshot {
  // The Node object, shared with the informer cache it came from rather than copied: a node's
  // snapshot is rebuilt whenever one of its pods changes.
  std::shared_ptr<const Json> node;
  std::string name;
  std::size_t pod_count = 0;  // pods counted against the node (see pod_occupies_node)
  // "<namespace>/<controller uid>" -> pods of that owner here (the spreading score). Counts,
  // not copies of the pods: a snapshot is rebuilt on every change of its node.
  std::map<std::string, std::int64_t> pods_by_owner;
  ResourceAmounts allocatable;        // status.allocatable, else status.capacity
  ResourceAmounts requested;          // sum of pod_requests over `pods`
  ResourceAmounts nonzero_requested;  // sum of pod_nonzero_requests over `pods`
  std::set<HostPort> used_ports;
  // effective_taints(node), worked out once per snapshot rather than once per pod and node.
  std::vector<Taint> taints;
  bool unschedulable = false;  // spec.unschedulable

  // Accounts for a pod placed on this node (the scheduler "assumes" a pod it just bound so
  // the next decision sees it before the watch does).
  void add_pod(const Json& pod);
  void add(const PodUsage& usage);
  std::int64_t allocatable_of(const std::string& resource) const;
  std::int64_t requested_of(const std::string& resource) const;

  // cpu, memory and pods out of the maps above: every decision reads them for every node, and
  // with 1,000 nodes the map lookups were most of the filters' and scores' time. Kept in step
  // by make_snapshot, add() and NodeUsage::apply_to (refresh_hot).
  struct Hot {
    std::int64_t allocatable_cpu = 0;
    std::int64_t allocatable_memory = 0;
    std::int64_t allocatable_pods = 0;
    std::int64_t requested_cpu = 0;
    std::int64_t requested_memory = 0;
    std::int64_t nonzero_cpu = 0;
    std::int64_t nonzero_memory = 0;
  };
  Hot hot;
  void refresh_hot();
};

// The pod-derived part of a node's snapshot as running sums: a pod joining or leaving a node
// costs one add() or remove() instead of a recount of every pod on the node.
struct NodeUsage {
  std::size_t pod_count = 0;
  ResourceAmounts requested;
  ResourceAmounts nonzero_requested;
  std::map<HostPort, std::size_t> ports;  // with the number of pods asking for each
  std::map<std::string, std::int64_t> pods_by_owner;

  void add(const PodUsage& usage);
  // Takes back a usage add()ed before; sums that reach zero are dropped.
  void remove(const PodUsage& usage);
  // Sets the snapshot's pod-derived fields (pod_count, pods_by_owner, requested,
  // nonzero_requested, used_ports) to these sums.
  void apply_to(NodeSnapshot& snapshot) const;
};

NodeSnapshot make_snapshot(std::shared_ptr<const Json> node,
                           const std::vector<Json>& pods_on_node = {});
NodeSnapshot make_snapshot(const Json& node, const std::vector<Json>& pods_on_node = {});
// One snapshot per node, in the order of `nodes`; pods are attached by spec.nodeName (pods bound
// to unknown nodes are ignored).
std::vector<NodeSnapshot> build_snapshots(const std::vector<Json>& nodes,
                                          const std::vector<Json>& pods);

}  // namespace skiff::scheduler
