#include "server/controllers/event_recorder.h"

#include <chrono>
#include <cstdio>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"
#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::controllers {

Json object_reference(const Json& object) {
  const Json& metadata = object.at("metadata");
  Json reference = {{"apiVersion", object.value("apiVersion", "")},
                    {"kind", object.value("kind", "")},
                    {"name", metadata.value("name", "")},
                    {"uid", metadata.value("uid", "")},
                    {"resourceVersion", metadata.value("resourceVersion", "")}};
  if (metadata.contains("namespace")) reference["namespace"] = metadata["namespace"];
  return reference;
}

EventRecorder::EventRecorder(Client& client, EventRecorderOptions options)
    : client_(client),
      options_(options),
      write_budget_{options.write_burst, std::chrono::steady_clock::now()},
      seen_(options.dedup_memory) {}

EventRecorder::~EventRecorder() {
  stop();
}

void EventRecorder::start() {
  thread_ = std::thread([this] {
    util::name_this_thread("event-recorder");
    run();
  });
}

void EventRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventRecorder::record(const Json& object, const std::string& type, const std::string& reason,
                           const std::string& message, const std::string& component) {
  Pending event{object_reference(object), type, reason, message, component, api::now_rfc3339()};
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue_limit) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(event));
  }
  changed_.notify_all();
}

void EventRecorder::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock,
                [this] { return (queue_.empty() && in_flight_ == 0) || !thread_.joinable(); });
}

std::uint64_t EventRecorder::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void EventRecorder::wait_for_write_budget() {
  if (options_.writes_per_second <= 0) return;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_ || write_budget_.take(options_.write_burst, options_.writes_per_second,
                                        std::chrono::steady_clock::now())) {
      return;
    }
    changed_.wait_for(lock, write_budget_.until_token(options_.writes_per_second),
                      [this] { return stopping_; });
  }
}

void EventRecorder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    Pending event = std::move(queue_.front());
    queue_.pop_front();
    ++in_flight_;
    lock.unlock();
    write(event);
    lock.lock();
    --in_flight_;
    changed_.notify_all();
  }
}

namespace {

// Event names are "<object>.<hex nanoseconds>", as Kubernetes makes them.
std::string event_name(const std::string& object_name) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(nanos));
  return object_name + suffix;
}

}  // namespace

void EventRecorder::write(const Pending& event) {
  const Json& involved = event.involved;
  const auto now = std::chrono::steady_clock::now();
  // Kubernetes' keys: the source and object (the spam budget), plus type and reason (similar
  // events), plus the message (the same event again).
  const std::string object_key = event.component + "\x1f" + involved.value("kind", "") + "\x1f" +
                                 involved.value("namespace", "") + "\x1f" +
                                 involved.value("name", "") + "\x1f" + involved.value("uid", "");
  const std::string similar_key = object_key + "\x1f" + event.type + "\x1f" + event.reason;
  const auto [message, aggregated] = aggregator_.aggregate(similar_key, event.message, now);
  const std::string dedup_key = aggregated ? similar_key : similar_key + "\x1f" + message;
  Seen* seen = seen_.find(dedup_key);
  if (!spam_filter_.allow(object_key, now)) {
    if (seen != nullptr) ++seen->count;  // the next write that is allowed carries it
    ++filtered_;
    return;
  }
  wait_for_write_budget();
  try {
    if (seen != nullptr) {
      Json patch = {
          {"count", seen->count + 1}, {"lastTimestamp", event.timestamp}, {"message", message}};
      try {
        client_.send("PATCH", object_path(events_resource(), seen->namespace_name, seen->name),
                     &patch, "application/merge-patch+json");
        ++seen->count;
        return;
      } catch (const api::ApiError& error) {
        if (error.code() != 404) throw;
        seen_.erase(dedup_key);  // the Event was deleted (or expired): start a new one
      }
    }
    std::string namespace_name = involved.value("namespace", "");
    if (namespace_name.empty()) namespace_name = "default";  // cluster-scoped objects
    std::string name = event_name(involved.value("name", "event"));
    Json object = {{"apiVersion", "v1"},
                   {"kind", "Event"},
                   {"metadata", {{"name", name}, {"namespace", namespace_name}}},
                   {"involvedObject", involved},
                   {"reason", event.reason},
                   {"message", message},
                   {"source", {{"component", event.component}}},
                   {"firstTimestamp", event.timestamp},
                   {"lastTimestamp", event.timestamp},
                   {"count", 1},
                   {"type", event.type},
                   {"reportingComponent", event.component},
                   {"reportingInstance", ""}};
    client_.send("POST", collection_path(events_resource(), namespace_name), &object);
    seen_.put(dedup_key, Seen{namespace_name, std::move(name), 1});
  } catch (const std::exception& error) {
    std::lock_guard lock(mutex_);
    ++dropped_;
    log::debug("event dropped", {{"reason", event.reason}, {"error", error.what()}});
  }
}

}  // namespace skiff::controllers
