#include "server/apiserver/io_thread_requests.h"

#include <array>
#include <string_view>

#include "server/apiserver/router.h"

namespace skiff::apiserver {

namespace {

bool is_watch(const http::Request& request) {
  if (!request.has_query("watch")) return false;
  const std::string value = request.query_value("watch");
  return value != "false" && value != "0";
}

// Judged on the path alone, before routing: an object that happens to be named "log" merely
// takes the slower way.
bool may_reach_a_node(std::string_view path) {
  static constexpr std::array<std::string_view, 4> kStreamSuffixes = {"/log", "/exec", "/attach",
                                                                      "/portforward"};
  for (const auto suffix : kStreamSuffixes) {
    if (path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix) {
      return true;
    }
  }
  return path.find("/proxy") != std::string_view::npos;
}

}  // namespace

bool is_quick_read(const http::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  return !is_watch(request) && !may_reach_a_node(request.path);
}

bool is_deferred_create(const http::Request& request) {
  if (request.method != "POST") return false;
  try {
    const auto path = parse_resource_path(request.path);
    return path && path->collection() && path->subresource.empty() &&
           !(path->resource->group == "networking.k8s.io" && path->resource->plural == "ingresses");
  } catch (...) {
    return false;  // not a served resource: the worker answers the 404
  }
}

bool runs_on_io_thread(const http::Request& request) {
  return is_quick_read(request) || is_deferred_create(request);
}

}  // namespace skiff::apiserver
