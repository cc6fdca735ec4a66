#pragma once
// How an agent's report becomes the stored status. Pure functions, no I/O.
#include <map>
#include <string>

#include "pkg/api/json.h"

namespace skiff::nodeservice {

// The NodeStatus to store: the agent's, with every condition's lastHeartbeatTime set to `now`
// and its lastTransitionTime kept from `previous` (the stored status) when the condition's
// status did not change, else `now`.
Json stamp_node_status(const Json& reported, const Json& previous, const std::string& now);

// The labels the server sets on a node (kubernetes.io/hostname, and kubernetes.io/os and
// kubernetes.io/arch from status.nodeInfo), then the agent's.
std::map<std::string, std::string> node_labels(const std::string& node_name, const Json& status,
                                               const std::map<std::string, std::string>& extra);

// The status of condition `type` ("True", "False", "Unknown"), "" when absent.
std::string condition_status(const Json& status, const std::string& type);

// The PodStatus to store: the agent's, plus the stored conditions of types the agent does not
// report (PodScheduled from the scheduler, DisruptionTarget from evictions).
Json merge_pod_status(const Json& reported, const Json& stored);

}  // namespace skiff::nodeservice
