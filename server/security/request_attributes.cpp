#include "server/security/request_attributes.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "pkg/api/errors.h"
#include "server/apiserver/router.h"

namespace skiff::security {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// As the API server reads ?watch= (server/apiserver/api_server.cpp).
bool is_true(const std::string& value) {
  return value == "true" || value == "1";
}

// A name usable as one path segment, as Kubernetes requires before it takes a name from a
// field selector.
bool valid_path_segment_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of("/%") == std::string_view::npos;
}

// Kubernetes names a list or watch after the object a field selector pins it to
// (fieldSelector=metadata.name=x, alone or among other terms), so a list of one object is
// authorized, and reported, as that object. "" when the selector pins no name.
std::string name_from_field_selector(std::string_view selector) {
  std::string found;
  size_t start = 0;
  while (start <= selector.size()) {
    size_t comma = selector.find(',', start);
    if (comma == std::string_view::npos) comma = selector.size();
    std::string_view term = selector.substr(start, comma - start);
    start = comma + 1;
    while (!term.empty() && term.front() == ' ') term.remove_prefix(1);
    while (!term.empty() && term.back() == ' ') term.remove_suffix(1);
    if (!term.starts_with("metadata.name")) continue;
    std::string_view rest = term.substr(std::string_view("metadata.name").size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.starts_with("!=")) continue;
    if (rest.starts_with("==")) {
      rest.remove_prefix(2);
    } else if (rest.starts_with("=")) {
      rest.remove_prefix(1);
    } else {
      continue;
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    // Two different names select nothing: no single object to name.
    if (!found.empty() && found != rest) return "";
    found = std::string(rest);
  }
  return valid_path_segment_name(found) ? found : "";
}

std::string resource_verb(const http::Request& request, const apiserver::ResourcePath& path) {
  const std::string method = request.method;
  if (method == "GET" || method == "HEAD") {
    if (!path.collection()) return "get";
    return is_true(request.query_value("watch")) ? "watch" : "list";
  }
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return path.collection() ? "deletecollection" : "delete";
  return lower(method);
}

}  // namespace

RequestAttributes request_attributes(const http::Request& request) {
  RequestAttributes attributes;
  attributes.path = request.path;
  std::optional<apiserver::ResourcePath> path;
  try {
    path = apiserver::parse_resource_path(request.path);
  } catch (const api::ApiError&) {
    // A path under /api or /apis that names no served resource: the router answers 404 for
    // it; to authorization it is a path like any other.
    path.reset();
  }
  if (!path || !path->resource) {
    attributes.verb = lower(request.method);
    return attributes;
  }
  attributes.resource_request = true;
  attributes.verb = resource_verb(request, *path);
  attributes.api_group = path->resource->group;
  attributes.resource = path->resource->plural;
  attributes.subresource = path->subresource;
  attributes.namespace_name = path->namespace_name;
  attributes.name = path->name;
  if ((attributes.verb == "list" || attributes.verb == "watch") && attributes.name.empty())
    attributes.name = name_from_field_selector(request.query_value("fieldSelector"));
  // As in Kubernetes, a Namespace is addressed within itself: /api/v1/namespaces/x is in
  // namespace x (its 403 says `in the namespace "x"`).
  if (attributes.api_group.empty() && attributes.resource == "namespaces" && !path->name.empty())
    attributes.namespace_name = path->name;
  return attributes;
}

}  // namespace skiff::security
