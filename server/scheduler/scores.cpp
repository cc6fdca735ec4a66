#include "server/scheduler/scores.h"

#include <algorithm>

#include "server/scheduler/taints.h"

namespace skiff::scheduler {
namespace {

std::int64_t free_fraction_score(std::int64_t requested, std::int64_t allocatable) {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return (allocatable - requested) * kMaxNodeScore / allocatable;
}

// Highest count -> 0, zero -> 100, linear between.
std::vector<std::int64_t> reverse_normalise(const std::vector<std::int64_t>& counts) {
  const std::int64_t max = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  std::vector<std::int64_t> out;
  out.reserve(counts.size());
  for (std::int64_t count : counts) {
    out.push_back(max == 0 ? kMaxNodeScore : kMaxNodeScore * (max - count) / max);
  }
  return out;
}

}  // namespace

std::int64_t score_least_requested(const PodInfo& pod, const NodeSnapshot& node) {
  const NodeSnapshot::Hot& hot = node.hot;
  return (free_fraction_score(hot.nonzero_cpu + pod.nonzero_cpu, hot.allocatable_cpu) +
          free_fraction_score(hot.nonzero_memory + pod.nonzero_memory, hot.allocatable_memory)) /
         2;
}

std::vector<std::int64_t> score_owner_spread(const PodInfo& pod,
                                             const std::vector<const NodeSnapshot*>& nodes) {
  const std::string& owner = pod.usage.owner;
  if (owner.empty()) return std::vector<std::int64_t>(nodes.size(), kMaxNodeScore);
  std::vector<std::int64_t> counts;
  counts.reserve(nodes.size());
  for (const NodeSnapshot* node : nodes) {
    auto it = node->pods_by_owner.find(owner);
    counts.push_back(it == node->pods_by_owner.end() ? 0 : it->second);
  }
  return reverse_normalise(counts);
}

std::vector<std::int64_t> score_prefer_no_schedule(const PodInfo& pod,
                                                   const std::vector<const NodeSnapshot*>& nodes) {
  std::vector<std::int64_t> counts;
  counts.reserve(nodes.size());
  for (const NodeSnapshot* node : nodes) {
    const std::vector<Taint>& taints = node->taints;
    counts.push_back(std::count_if(taints.begin(), taints.end(), [&](const Taint& t) {
      return t.effect == "PreferNoSchedule" && !pod_tolerates(pod.pod, t);
    }));
  }
  return reverse_normalise(counts);
}

}  // namespace skiff::scheduler
