#pragma once
// Small facts about a pod spec that both the API server (logs/exec) and the CLI need.
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::api {

// The names of the containers in `spec[field]` ("containers", "initContainers",
// "ephemeralContainers"), in order; entries without a string name are skipped.
std::vector<std::string> container_names(const Json& spec, const char* field);

}  // namespace skiff::api
