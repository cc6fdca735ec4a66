// WATCH (`?watch=1|true`): parses the watch parameters and hands the stream to a WatchSession.
#include "pkg/api/errors.h"
#include "server/apiserver/handlers.h"
#include "server/apiserver/object_meta.h"
#include "server/apiserver/watch_session.h"

namespace skiff::apiserver {

namespace {

std::chrono::seconds parse_timeout_seconds(const std::string& text) {
  if (text.empty()) return std::chrono::seconds(0);
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return std::chrono::seconds(value);
  } catch (const std::exception&) {
  }
  throw api::bad_request("timeoutSeconds must be a non-negative integer, not \"" + text + "\"");
}

}  // namespace

http::StreamingResponse handle_watch(RequestContext& context, WatchTimers& timers) {
  const auto& request = context.request;
  WatchRequest watch;
  watch.resource = &context.resource;
  watch.prefix = list_prefix(context);
  watch.query = parse_list_query(context);
  watch.from_revision = parse_resource_version(request.query_value("resourceVersion"));
  watch.as_table = wants_table(request.header("Accept"));
  watch.include = parse_include_object(request.query_value("includeObject"));
  watch.timeout = parse_timeout_seconds(request.query_value("timeoutSeconds"));
  std::string bookmarks = request.query_value("allowWatchBookmarks");
  watch.bookmarks = bookmarks == "true" || bookmarks == "1";

  auto session = std::make_shared<WatchSession>(std::move(watch), context.store, timers);
  http::StreamingResponse response;
  response.status = 200;
  response.headers = {{"Content-Type", "application/json"}};
  response.start = [session](http::ResponseStreamPtr stream) { session->start(std::move(stream)); };
  return response;
}

}  // namespace skiff::apiserver
