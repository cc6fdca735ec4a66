#pragma once
// Discovery documents, pure functions of the resource registry (KUBECTL.md section 3).
#include <string>

#include "pkg/api/json.h"

namespace skiff::apiserver {

// Content types kubectl negotiates for aggregated discovery.
inline constexpr const char* kAggregatedDiscoveryContentType =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

// True when the Accept header asks for aggregated discovery (apidiscovery.k8s.io v2/v2beta1).
bool wants_aggregated_discovery(const std::string& accept_header);

Json aggregated_core_discovery();    // GET /api  (aggregated form, one item without name)
Json aggregated_groups_discovery();  // GET /apis (aggregated form, one item per group)
Json legacy_api_versions(const std::string& server_address);  // GET /api  (APIVersions)
Json legacy_api_group_list();                                 // GET /apis (APIGroupList)
// GET /apis/<group> (APIGroup); null when the group is not served.
Json legacy_api_group(const std::string& group);
// GET /api/v1 or /apis/<group>/<version> (APIResourceList, including subresources such as
// "pods/status", "deployments/scale"); null when not served.
Json api_resource_list(const std::string& group, const std::string& version);

}  // namespace skiff::apiserver
