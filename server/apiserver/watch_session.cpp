#include "server/apiserver/watch_session.h"

#include "pkg/api/errors.h"
#include "pkg/api/json_text.h"
#include "server/apiserver/responses.h"

namespace skiff::apiserver {

WatchSession::WatchSession(WatchRequest request, store::Store& store, WatchTimers& timers)
    : request_(std::move(request)), store_(store), timers_(timers) {}

WatchSession::~WatchSession() {
  stop();
}

void WatchSession::encode(std::string& out, const char* type, const Json& object,
                          int64_t revision) const {
  out += "{\"type\":\"";
  out += type;
  out += "\",\"object\":";
  const auto& resource = *request_.resource;
  if (request_.as_table) {
    Json copy = object;
    set_type_meta(resource, copy);
    out += make_table(resource, {copy}, std::to_string(revision), request_.include,
                      std::chrono::system_clock::now(), false)
               .dump();
  } else if (object.contains("kind") && object.contains("apiVersion")) {
    api::append_json_text(out, object);
  } else {
    Json copy = object;
    set_type_meta(resource, copy);
    api::append_json_text(out, copy);
  }
  out += "}\n";
}

void WatchSession::send_error_and_close(const std::string& message, int code,
                                        const std::string& reason) {
  api::ApiError error(code, reason, message);
  stream_->write("{\"type\":\"ERROR\",\"object\":" + error.to_status().dump() + "}\n");
  stream_->close();
}

void WatchSession::start(http::ResponseStreamPtr stream) {
  stream_ = std::move(stream);
  std::weak_ptr<WatchSession> weak = weak_from_this();
  stream_->on_close([self = shared_from_this()] { self->stop(); });

  int64_t from = request_.from_revision;
  if (from == 0) {
    // The current state first, as synthetic ADDED events, then everything after the list.
    store::ListOptions options;
    options.prefix = request_.prefix;
    if (request_.query.filters())
      options.filter = [this](const Json& object) { return request_.query.matches(object); };
    store::ListResult list;
    try {
      list = store_.list(options);
    } catch (const std::exception& e) {
      return send_error_and_close(e.what(), 500, "InternalError");
    }
    std::string initial;
    for (const auto& item : list.items) encode(initial, "ADDED", *item, list.revision);
    if (!initial.empty() && !stream_->write(std::move(initial))) return;
    from = list.revision;
  }
  last_revision_ = from;
  store::WatchPtr watch;
  try {
    watch = store_.watch(request_.prefix, from,
                         [self = shared_from_this()](const std::vector<store::EventPtr>& events) {
                           return self->deliver(events);
                         });
  } catch (const store::StoreError& error) {
    if (error.code() == store::StoreError::Code::Compacted) {
      return send_error_and_close("too old resource version: " + std::to_string(from) + " (" +
                                      std::to_string(store_.compacted_revision()) + ")",
                                  410, "Expired");
    }
    return send_error_and_close(error.what(), 503, "ServiceUnavailable");
  }
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      watch_ = std::move(watch);
      if (request_.timeout.count() > 0) {
        timeout_timer_ = timers_.schedule(request_.timeout, [weak] {
          if (auto self = weak.lock()) self->stream_->close();
        });
      }
    }
  }
  if (watch) watch->stop();  // the client left while we were starting
  if (request_.bookmarks) schedule_bookmark();
}

void WatchSession::schedule_bookmark() {
  std::weak_ptr<WatchSession> weak = weak_from_this();
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  bookmark_timer_ = timers_.schedule(request_.bookmark_interval, [weak] {
    auto self = weak.lock();
    if (!self) return;
    Json object = {{"kind", self->request_.resource->kind},
                   {"apiVersion", self->request_.resource->api_version()},
                   {"metadata", {{"resourceVersion", std::to_string(self->last_revision_)}}}};
    std::string line = "{\"type\":\"BOOKMARK\",\"object\":" + object.dump() + "}\n";
    if (self->stream_->write(std::move(line))) self->schedule_bookmark();
  });
}

bool WatchSession::deliver(const std::vector<store::EventPtr>& events) {
  std::string batch;
  // deliver() runs on one thread at a time (the store's publisher), so these need no lock.
  if (lines_ > 0) batch.reserve(events.size() * (line_bytes_ / lines_ + 64));
  int64_t newest = 0;
  const auto& query = request_.query;
  bool filtered = query.filters();
  for (const auto& event : events) {
    newest = event->revision;
    const char* type = nullptr;
    const Json& object = *event->object;
    switch (event->type) {
      case store::EventType::Added:
        if (!filtered || query.matches(object)) type = "ADDED";
        break;
      case store::EventType::Modified: {
        bool now = !filtered || query.matches(object);
        bool before = !filtered || (event->previous && query.matches(*event->previous));
        if (now && before)
          type = "MODIFIED";
        else if (now)
          type = "ADDED";
        else if (before)
          type = "DELETED";
        break;
      }
      case store::EventType::Deleted:
        if (!filtered || query.matches(object) ||
            (event->previous && query.matches(*event->previous)))
          type = "DELETED";
        break;
    }
    if (type) {
      encode(batch, type, object, event->revision);
      ++lines_;
    }
  }
  line_bytes_ += batch.size();
  if (!batch.empty() && !stream_->write(std::move(batch))) return false;
  if (newest > 0) last_revision_ = newest;
  return true;
}

void WatchSession::stop() {
  store::WatchPtr watch;
  uint64_t timeout_timer = 0;
  uint64_t bookmark_timer = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    watch = std::move(watch_);
    timeout_timer = timeout_timer_;
    bookmark_timer = bookmark_timer_;
  }
  if (timeout_timer) timers_.cancel(timeout_timer);
  if (bookmark_timer) timers_.cancel(bookmark_timer);
  if (watch) watch->stop();
}

}  // namespace skiff::apiserver
