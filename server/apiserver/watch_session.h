#pragma once
// One WATCH over HTTP: a store watch whose events are filtered by the request's selectors and
// written, serialized once, as NDJSON lines to the response stream. Holds no thread; events
// arrive on the store's thread, timeouts and bookmarks on WatchTimers.
//
// Selector transitions: an object that starts matching is sent as ADDED, one that stops
// matching as DELETED (Kubernetes' watch cache does the same). A start revision older than the
// store's window ends the stream with an ERROR event carrying a 410 Expired Status.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "pkg/http/server.h"
#include "server/apiserver/list_options.h"
#include "server/apiserver/tables.h"
#include "server/apiserver/watch_timers.h"
#include "server/store/store.h"

namespace skiff::apiserver {

struct WatchRequest {
  const api::ResourceInfo* resource = nullptr;
  std::string prefix;
  ListQuery query;
  // 0 = send the current state as ADDED events first, then watch from the list's revision.
  int64_t from_revision = 0;
  bool as_table = false;
  IncludeObject include = IncludeObject::Metadata;
  std::chrono::seconds timeout{0};  // 0 = until the client leaves
  bool bookmarks = false;
  std::chrono::milliseconds bookmark_interval{30000};
};

class WatchSession : public std::enable_shared_from_this<WatchSession> {
 public:
  WatchSession(WatchRequest request, store::Store& store, WatchTimers& timers);
  ~WatchSession();

  // Runs on the handler thread: initial events, then registers the store watch.
  void start(http::ResponseStreamPtr stream);
  // Idempotent; after it returns no more events are written.
  void stop();

 private:
  bool deliver(const std::vector<store::EventPtr>& events);
  // Appends one event's line ({"type":...,"object":...}\n) to `out`.
  void encode(std::string& out, const char* type, const Json& object, int64_t revision) const;
  void schedule_bookmark();
  void send_error_and_close(const std::string& message, int code, const std::string& reason);

  WatchRequest request_;
  store::Store& store_;
  WatchTimers& timers_;
  http::ResponseStreamPtr stream_;
  std::atomic<int64_t> last_revision_{0};
  // The size of the lines delivered so far, to size a batch's text at once: grown line by
  // line, a batch of pods (a few KiB each) was copied a dozen times, on the store's writer.
  size_t line_bytes_ = 0;
  size_t lines_ = 0;
  std::mutex mutex_;
  bool stopped_ = false;
  store::WatchPtr watch_;
  uint64_t timeout_timer_ = 0;
  uint64_t bookmark_timer_ = 0;
};

}  // namespace skiff::apiserver
