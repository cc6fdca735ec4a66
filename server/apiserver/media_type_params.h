#pragma once
// Matching of Accept headers against Kubernetes media-type parameters
// (`application/json;g=meta.k8s.io;v=v1;as=Table`). Used by discovery and table negotiation.
#include <string>
#include <vector>

namespace skiff::apiserver {

// True when some JSON media range in `accept_header` (comma-separated, parameters in any order,
// whitespace tolerated) carries g=`group`, as=`as` and a v= listed in `versions`.
bool accepts_media_type_with(const std::string& accept_header, const std::string& group,
                             const std::string& as, const std::vector<std::string>& versions);

}  // namespace skiff::apiserver
