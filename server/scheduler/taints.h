#pragma once
// Taints and tolerations as Kubernetes matches them (k8s.io/api/core/v1 Toleration.ToleratesTaint).
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::scheduler {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute
};

// True when `toleration` (a pod spec.tolerations[] entry) tolerates `taint`: the effects match
// (an empty toleration effect matches every effect), the keys match (an empty key with operator
// Exists matches every key), and for operator Equal (the default) the values are equal.
bool tolerates(const Json& toleration, const Taint& taint);
bool pod_tolerates(const Json& pod, const Taint& taint);

// The taints the scheduler sees on a node: spec.taints, plus the NoSchedule taint the node
// lifecycle controller would add for the Ready condition when it has not done so yet
// (node.kubernetes.io/not-ready when Ready is False or missing, node.kubernetes.io/unreachable
// when it is Unknown). A node whose Ready condition is True gets nothing extra.
std::vector<Taint> effective_taints(const Json& node);

// The first taint with one of `effects` that the pod does not tolerate.
std::optional<Taint> first_untolerated(const Json& pod, const std::vector<Taint>& taints,
                                       std::initializer_list<std::string_view> effects);

}  // namespace skiff::scheduler
