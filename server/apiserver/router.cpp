#include "server/apiserver/router.h"

#include <array>
#include <span>

#include "pkg/api/errors.h"

namespace skiff::apiserver {

namespace {

// The non-empty segments of a path, without allocating (this runs up to three times per request:
// routing, authorization, and the I/O thread's choice of where to run it). Resource paths have
// at most 8 segments (/apis/<g>/<v>/namespaces/<ns>/<plural>/<name>/<sub>); `overflow` says there
// were more than fit.
struct Segments {
  std::array<std::string_view, 9> items;
  size_t count = 0;
  bool overflow = false;
};

Segments split_path(std::string_view path) {
  Segments segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) {
      if (segments.count == segments.items.size()) {
        segments.overflow = true;
        break;
      }
      segments.items[segments.count++] = path.substr(start, slash - start);
    }
    start = slash + 1;
  }
  return segments;
}

[[noreturn]] void not_found() {
  throw api::not_found_path(kNotFoundMessage);
}

}  // namespace

std::optional<ResourcePath> parse_resource_path(std::string_view path) {
  const Segments split = split_path(path);
  const std::span<const std::string_view> segments(split.items.data(), split.count);
  std::string_view group;
  std::string_view version;
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
  if (split.overflow) not_found();  // more than any served resource's path has
  const auto parts = segments.subspan(rest);
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
