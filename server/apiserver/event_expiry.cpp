#include "server/apiserver/event_expiry.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/resources.h"
#include "pkg/api/time.h"
#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"
#include "server/store/revision.h"

namespace skiff::apiserver {

namespace {

// Events are listed this many at a time: a sweep never holds the whole collection.
constexpr size_t kPageSize = 500;

const api::ResourceInfo& events() {
  static const api::ResourceInfo& resource = *api::find_resource("", "v1", "events");
  return resource;
}

// The newest time the Event carries (see event_expiry.h); nullopt when it carries none.
std::optional<api::Clock::time_point> last_written(const Json& event) {
  std::optional<api::Clock::time_point> newest;
  auto consider = [&](const Json* value) {
    if (value == nullptr || !value->is_string()) return;
    auto time = api::parse_rfc3339(value->get_ref<const std::string&>());
    if (time && (!newest || *time > *newest)) newest = time;
  };
  auto member = [](const Json& object, const char* name) -> const Json* {
    if (!object.is_object()) return nullptr;
    auto found = object.find(name);
    return found == object.end() ? nullptr : &*found;
  };
  if (const Json* metadata = member(event, "metadata")) {
    consider(member(*metadata, "creationTimestamp"));
  }
  consider(member(event, "lastTimestamp"));
  consider(member(event, "eventTime"));
  if (const Json* series = member(event, "series")) consider(member(*series, "lastObservedTime"));
  return newest;
}

}  // namespace

EventExpiry::EventExpiry(store::Store& store, EventExpiryOptions options)
    : store_(store), options_(options) {}

EventExpiry::~EventExpiry() {
  stop();
}

void EventExpiry::start() {
  thread_ = std::thread([this] {
    util::name_this_thread("event-expiry");
    run();
  });
}

void EventExpiry::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventExpiry::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      if (size_t expired = sweep(std::chrono::system_clock::now()); expired > 0) {
        log::debug("expired events deleted", {{"count", expired}});
      }
    } catch (const std::exception& error) {
      log::warn("event expiry: sweep failed; trying again later", {{"error", error.what()}});
    }
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

size_t EventExpiry::sweep(std::chrono::system_clock::time_point now) {
  const auto deadline = now - options_.ttl;
  store::ListOptions options;
  options.prefix = events().key_prefix();
  options.limit = kPageSize;
  options.filter = [deadline](const Json& event) {
    auto written = last_written(event);
    return written && *written < deadline;
  };
  size_t deleted = 0;
  for (;;) {
    store::ListResult page = store_.list(options);
    for (const auto& event : page.items) {
      const Json& metadata = event->at("metadata");
      const std::string key =
          events().key(metadata.value("namespace", ""), metadata.value("name", ""));
      try {
        store_.remove(key, store::revision_of(*event));
        ++deleted;
      } catch (const store::StoreError& error) {
        // Rewritten (a repeat bumped it) or deleted meanwhile: the next sweep decides.
        if (error.code() != store::StoreError::Code::Conflict &&
            error.code() != store::StoreError::Code::NotFound) {
          throw;
        }
      }
    }
    if (!page.more) return deleted;
    options.start_after_key = page.last_key;
  }
}

}  // namespace skiff::apiserver
