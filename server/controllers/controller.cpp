#include "server/controllers/controller.h"

#include "pkg/api/errors.h"
#include "pkg/log/log.h"
#include "pkg/util/allocator.h"
#include "pkg/util/thread_name.h"

namespace skiff::controllers {

ControllerLoop::ControllerLoop(std::string name, SyncFunction sync, Clock& clock)
    : name_(std::move(name)), sync_(std::move(sync)), queue_(clock) {}

ControllerLoop::~ControllerLoop() {
  stop();
}

void ControllerLoop::start(int workers) {
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this] {
      util::name_this_thread("ctl-" + name_);
      run_worker();
    });
  }
}

void ControllerLoop::stop() {
  queue_.shutdown();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

bool ControllerLoop::process_one() {
  auto key = queue_.try_get();
  if (!key) return false;
  process(*key);
  return true;
}

void ControllerLoop::run_worker() {
  for (;;) {
    auto key = queue_.try_get();
    if (!key) {
      util::flush_thread_cache();  // idle: the cached objects go back to the shared heaps
      key = queue_.get();
    }
    if (!key) return;  // shut down
    process(*key);
  }
}

void ControllerLoop::process(const std::string& key) {
  try {
    SyncResult result = sync_(key);
    queue_.forget(key);
    if (result.requeue_after) queue_.add_after(key, *result.requeue_after);
  } catch (const api::ApiError& error) {
    if (error.code() == 409) {
      log::debug("sync conflict, retrying", {{"controller", name_}, {"key", key}});
    } else {
      log::warn(
          "sync failed",
          {{"controller", name_}, {"key", key}, {"code", error.code()}, {"error", error.what()}});
    }
    queue_.add_rate_limited(key);
  } catch (const std::exception& error) {
    log::warn("sync failed", {{"controller", name_}, {"key", key}, {"error", error.what()}});
    queue_.add_rate_limited(key);
  }
  queue_.done(key);
}

}  // namespace skiff::controllers
