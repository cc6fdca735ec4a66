#include "server/scheduler/schedule.h"

#include <algorithm>
#include <map>

#include "server/scheduler/scores.h"

namespace skiff::scheduler {
namespace {

constexpr const char* kNotHelpful = "Preemption is not helpful for scheduling";
constexpr const char* kNoVictims = "No preemption victims found for incoming pod";

// "<count> <reason>" entries sorted as strings, joined by ", " (kube-scheduler's histogram).
std::string histogram(const std::map<std::string, std::size_t>& counts) {
  std::vector<std::string> entries;
  for (const auto& [reason, count] : counts)
    entries.push_back(std::to_string(count) + " " + reason);
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const std::string& entry : entries) {
    if (!out.empty()) out += ", ";
    out += entry;
  }
  return out;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a64(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string pod_identity(const Json& pod) {
  if (!pod.contains("metadata")) return {};
  const Json& meta = pod["metadata"];
  return meta.value("namespace", std::string()) + "/" + meta.value("name", std::string());
}

}  // namespace

std::string fit_error_message(const Json& pod, std::size_t total_nodes,
                              const std::vector<NodeFailure>& failures) {
  const std::string prefix = "0/" + std::to_string(total_nodes) + " nodes are available:";
  std::map<std::string, std::size_t> reasons;
  std::map<std::string, std::size_t> preemption;
  for (const NodeFailure& failure : failures) {
    for (const std::string& reason : failure.result.reasons) ++reasons[reason];
    ++preemption[failure.result.unresolvable ? kNotHelpful : kNoVictims];
  }
  std::string message = prefix;
  if (!reasons.empty()) message += " " + histogram(reasons) + ".";
  const bool never = pod.contains("spec") && pod["spec"].value("preemptionPolicy", "") == "Never";
  if (never) {
    message += " preemption: not eligible due to preemptionPolicy=Never.";
  } else if (!preemption.empty()) {
    message += " preemption: " + prefix + " " + histogram(preemption) + ".";
  }
  return message;
}

std::size_t feasible_nodes_to_find(std::size_t node_count) {
  constexpr std::size_t kMinNodes = 100;
  if (node_count < kMinNodes) return node_count;
  // kube-scheduler's adaptive percentageOfNodesToScore: 50% minus 1% per 125 nodes, at least 5%.
  const std::size_t percent =
      std::max<std::size_t>(5, 50 - std::min<std::size_t>(45, node_count / 125));
  return std::max(kMinNodes, node_count * percent / 100);
}

ScheduleResult schedule(const PodInfo& info, const std::vector<NodeSnapshot>& nodes,
                        std::uint64_t seed, const ScoreWeights& weights) {
  ScheduleResult result;
  if (nodes.empty()) {
    result.message = "no nodes available to schedule pods";
    return result;
  }
  // Filter from a rotating start until enough feasible nodes are found (every node gets its
  // turn over consecutive pods). Cordoned nodes are passed over without a word: while nodes
  // come back from maintenance most of them are, and the reasons matter only to a pod that
  // fits nowhere, whose message is then worked out over every node.
  const std::size_t wanted = feasible_nodes_to_find(nodes.size());
  const std::size_t start = static_cast<std::size_t>(seed % nodes.size());
  std::vector<const NodeSnapshot*> feasible;
  feasible.reserve(wanted);
  for (std::size_t i = 0; i < nodes.size() && feasible.size() < wanted; ++i) {
    const NodeSnapshot& node = nodes[(start + i) % nodes.size()];
    if (blocked_by_unschedulable(info, node)) continue;
    FilterResult filtered = run_filters(info, node);
    if (filtered.passed()) {
      feasible.push_back(&node);
    } else {
      result.failures.push_back({node.name, std::move(filtered)});
    }
  }
  if (feasible.empty()) {
    // The loop looked at every node and kept the reasons of all but the cordoned ones.
    for (const NodeSnapshot& node : nodes) {
      if (blocked_by_unschedulable(info, node))
        result.failures.push_back({node.name, run_filters(info, node)});
    }
    result.message = fit_error_message(info.pod, nodes.size(), result.failures);
    return result;
  }
  if (feasible.size() == 1) {
    result.node_name = feasible.front()->name;
    return result;
  }

  const std::vector<std::int64_t> spread = score_owner_spread(info, feasible);
  const std::vector<std::int64_t> taints = score_prefer_no_schedule(info, feasible);
  std::int64_t best = -1;
  std::vector<const NodeSnapshot*> best_nodes;
  for (std::size_t i = 0; i < feasible.size(); ++i) {
    const std::int64_t total = weights.least_requested * score_least_requested(info, *feasible[i]) +
                               weights.owner_spread * spread[i] +
                               weights.prefer_no_schedule * taints[i];
    if (total > best) {
      best = total;
      best_nodes.clear();
    }
    if (total == best) best_nodes.push_back(feasible[i]);
  }
  // The pick-th of the tied nodes in name order (the same node whatever order they came in);
  // nth_element, not a sort: on an empty cluster hundreds of nodes tie.
  const std::uint64_t pick = mix(seed ^ fnv1a64(pod_identity(info.pod))) % best_nodes.size();
  const auto picked = best_nodes.begin() + static_cast<std::ptrdiff_t>(pick);
  std::nth_element(best_nodes.begin(), picked, best_nodes.end(),
                   [](const NodeSnapshot* a, const NodeSnapshot* b) { return a->name < b->name; });
  result.node_name = (*picked)->name;
  return result;
}

}  // namespace skiff::scheduler
