#pragma once
// URL parsing for resource paths: /api/v1/... and /apis/<group>/<version>/... into the resource
// they address (namespaced or cluster-scoped, collection or one name, optional subresource).
// Pure; throws ApiError 404 (`the server could not find the requested resource`) for paths that
// name no served resource.
#include <optional>
#include <string>
#include <string_view>

#include "pkg/api/resources.h"

namespace skiff::apiserver {

struct ResourcePath {
  const api::ResourceInfo* resource = nullptr;
  std::string namespace_name;  // "" when cluster-scoped or across all namespaces
  std::string name;            // "" for a collection
  std::string subresource;     // "" for the main resource
  bool collection() const { return name.empty(); }
};

// nullopt when `path` is not under /api/<v>/ or /apis/<g>/<v>/ with at least one segment after
// the group version (discovery paths are served elsewhere).
std::optional<ResourcePath> parse_resource_path(std::string_view path);

inline constexpr const char* kNotFoundMessage = "the server could not find the requested resource";

}  // namespace skiff::apiserver
