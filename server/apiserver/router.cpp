#include "server/apiserver/router.h"

#include <vector>

#include "pkg/api/errors.h"

namespace skiff::apiserver {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

[[noreturn]] void not_found() {
  throw api::not_found_path(kNotFoundMessage);
}

}  // namespace

std::optional<ResourcePath> parse_resource_path(std::string_view path) {
  auto segments = split_path(path);
  std::string group;
  std::string version;
  size_t rest = 0;
  if (segments.size() >= 3 && segments[0] == "api") {
    version = segments[1];
    rest = 2;
  } else if (segments.size() >= 4 && segments[0] == "apis") {
    group = segments[1];
    version = segments[2];
    rest = 3;
  } else {
    return std::nullopt;
  }
  std::vector<std::string_view> parts(segments.begin() + static_cast<long>(rest), segments.end());
  ResourcePath result;
  // "namespaces/<ns>/<plural>..." addresses a namespaced resource, unless <plural> is not a
  // namespaced resource of this group version ("namespaces/<name>/status" is a subresource).
  if (parts.size() >= 3 && parts[0] == "namespaces") {
    const auto* inner = api::find_resource(group, version, parts[2]);
    if (inner && inner->namespaced) {
      if (parts.size() > 5) not_found();
      result.resource = inner;
      result.namespace_name = parts[1];
      if (parts.size() >= 4) result.name = parts[3];
      if (parts.size() == 5) result.subresource = parts[4];
      if (!result.subresource.empty() && !inner->has_subresource(result.subresource)) not_found();
      return result;
    }
    if (!group.empty() || parts.size() > 3) not_found();
  }
  if (parts.size() > 3) not_found();
  const auto* resource = api::find_resource(group, version, parts[0]);
  if (!resource) not_found();
  result.resource = resource;
  if (parts.size() >= 2) {
    // A namespaced resource by name needs its namespace in the path.
    if (resource->namespaced) not_found();
    result.name = parts[1];
  }
  if (parts.size() == 3) {
    result.subresource = parts[2];
    if (!resource->has_subresource(result.subresource)) not_found();
  }
  return result;
}

}  // namespace skiff::apiserver
