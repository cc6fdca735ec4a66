#include "server/scheduler/filters.h"

#include <algorithm>
#include <charconv>

#include "server/scheduler/json_fields.h"
#include "server/scheduler/taints.h"

namespace skiff::scheduler {
namespace {

std::vector<std::string> string_values(const Json& requirement) {
  std::vector<std::string> out;
  const Json& values = field(requirement, "values");
  if (!values.is_array()) return out;
  for (const Json& v : values) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> parse_int(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// One NodeSelectorRequirement against a value that may be absent (`has` false).
bool requirement_matches(const Json& requirement, bool has, const std::string& value) {
  const std::string op = string_field(requirement, "operator");
  const std::vector<std::string> values = string_values(requirement);
  const bool listed = std::find(values.begin(), values.end(), value) != values.end();
  if (op == "In") return has && listed;
  if (op == "NotIn") return !has || !listed;
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "Gt" || op == "Lt") {
    if (!has || values.size() != 1) return false;
    auto actual = parse_int(value);
    auto bound = parse_int(values[0]);
    if (!actual || !bound) return false;
    return op == "Gt" ? *actual > *bound : *actual < *bound;
  }
  return false;  // unknown operators never match (validation rejects them)
}

bool node_selector_matches(const Json* selector, const Json& node) {
  if (!selector) return true;
  const Json& labels = field(field(node, "metadata"), "labels");
  for (const auto& [key, value] : selector->items()) {
    const Json& actual = field(labels, key.c_str());
    if (!actual.is_string() || actual != value) return false;
  }
  return true;
}

bool required_affinity_matches(const Json* required, const Json& node) {
  if (!required) return true;
  const Json& terms = field(*required, "nodeSelectorTerms");
  if (!terms.is_array()) return false;
  return std::any_of(terms.begin(), terms.end(),
                     [&](const Json& term) { return node_matches_selector_term(term, node); });
}

}  // namespace

std::string untolerated_taint_reason(const std::string& key, const std::string& value) {
  return "node(s) had untolerated taint {" + key + ": " + value + "}";
}

bool node_matches_selector_term(const Json& term, const Json& node) {
  const Json& expressions = field(term, "matchExpressions");
  const Json& fields = field(term, "matchFields");
  const bool has_expressions = expressions.is_array() && !expressions.empty();
  const bool has_fields = fields.is_array() && !fields.empty();
  if (!has_expressions && !has_fields) return false;  // an empty term matches no node
  const Json& labels = field(field(node, "metadata"), "labels");
  if (has_expressions) {
    for (const Json& requirement : expressions) {
      const Json& value = field(labels, string_field(requirement, "key").c_str());
      const bool has = value.is_string();
      if (!requirement_matches(requirement, has, has ? value.get<std::string>() : "")) {
        return false;
      }
    }
  }
  if (has_fields) {
    for (const Json& requirement : fields) {
      if (string_field(requirement, "key") != "metadata.name") return false;
      if (!requirement_matches(requirement, true, string_field(field(node, "metadata"), "name"))) {
        return false;
      }
    }
  }
  return true;
}

FilterResult filter_node_unschedulable(const PodInfo& pod, const NodeSnapshot& node) {
  if (!blocked_by_unschedulable(pod, node)) return FilterResult::pass();
  return FilterResult::fail(kReasonUnschedulable, true);
}

FilterResult filter_taint_toleration(const PodInfo& pod, const NodeSnapshot& node) {
  auto taint = first_untolerated(pod.pod, node.taints, {"NoSchedule", "NoExecute"});
  if (!taint) return FilterResult::pass();
  return FilterResult::fail(untolerated_taint_reason(taint->key, taint->value), true);
}

FilterResult filter_node_affinity(const PodInfo& pod, const NodeSnapshot& node) {
  if (node_selector_matches(pod.node_selector, *node.node) &&
      required_affinity_matches(pod.required_node_affinity, *node.node)) {
    return FilterResult::pass();
  }
  return FilterResult::fail(kReasonNodeAffinity, true);
}

FilterResult filter_node_ports(const PodInfo& pod, const NodeSnapshot& node) {
  for (const HostPort& wanted : pod.usage.host_ports) {
    for (const HostPort& used : node.used_ports) {
      if (used.port != wanted.port || used.protocol != wanted.protocol) continue;
      if (used.ip == wanted.ip || used.ip == "0.0.0.0" || wanted.ip == "0.0.0.0") {
        return FilterResult::fail(kReasonHostPorts, false);
      }
    }
  }
  return FilterResult::pass();
}

FilterResult filter_node_resources_fit(const PodInfo& pod, const NodeSnapshot& node) {
  FilterResult result;
  const std::int64_t allowed_pods = node.hot.allocatable_pods;
  if (static_cast<std::int64_t>(node.pod_count) + 1 > allowed_pods) {
    result.reasons.push_back(kReasonTooManyPods);
    if (allowed_pods == 0) result.unresolvable = true;
  }
  for (const auto& [resource, request] : pod.requests_to_fit) {
    std::int64_t allocatable = 0;
    std::int64_t requested = 0;
    if (resource == "cpu") {
      allocatable = node.hot.allocatable_cpu;
      requested = node.hot.requested_cpu;
    } else if (resource == "memory") {
      allocatable = node.hot.allocatable_memory;
      requested = node.hot.requested_memory;
    } else {
      allocatable = node.allocatable_of(resource);
      requested = node.requested_of(resource);
    }
    if (request > allocatable - requested) {
      result.reasons.push_back("Insufficient " + resource);
      // Even an empty node could not hold it: evicting pods would not help.
      if (request > allocatable) result.unresolvable = true;
    }
  }
  return result;
}

FilterResult run_filters(const PodInfo& pod, const NodeSnapshot& node) {
  using Filter = FilterResult (*)(const PodInfo&, const NodeSnapshot&);
  static constexpr Filter kFilters[] = {filter_node_unschedulable, filter_taint_toleration,
                                        filter_node_affinity, filter_node_ports,
                                        filter_node_resources_fit};
  for (Filter filter : kFilters) {
    FilterResult result = filter(pod, node);
    if (!result.passed()) return result;
  }
  return FilterResult::pass();
}

}  // namespace skiff::scheduler
