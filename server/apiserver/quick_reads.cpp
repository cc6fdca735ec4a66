#include "server/apiserver/quick_reads.h"

#include <array>
#include <string_view>

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

}  // namespace skiff::apiserver
