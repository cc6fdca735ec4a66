#pragma once
// The Store contract's test fixture (server/store/store.h), shared by the conformance tests that
// run against every backend (memory and SQLite): the backends, a fixture that opens one per test
// in a temp dir, an event collector for watches, and small object and key builders.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/memory_store.h"
#include "server/store/sqlite/sqlite_store.h"
#include "tests/unit/support/store_helpers.h"
#include "tests/unit/support/temp_dir.h"

namespace skiff::store::test_support {

struct Backend {
  std::string name;
  // Opens a store in `dir` (unused by memory) with the given event window.
  std::function<StorePtr(const std::string& dir, size_t window)> open;
};

inline std::string backend_name(const testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

inline Json pod(const std::string& name, const std::string& ns = "default",
                const std::string& app = "web") {
  return Json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", app}}}}}};
}

inline std::string pod_key(const std::string& name, const std::string& ns = "default") {
  return "/registry/core/pods/" + ns + "/" + name;
}

inline ListOptions in(std::string prefix, size_t limit = 0, std::string start_after_key = "",
                      std::function<bool(const Json&)> filter = {}) {
  ListOptions options;
  options.prefix = std::move(prefix);
  options.limit = limit;
  options.start_after_key = std::move(start_after_key);
  options.filter = std::move(filter);
  return options;
}

inline StoreError::Code error_code(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error.code();
  }
  ADD_FAILURE() << "expected a StoreError";
  return StoreError::Code::Unavailable;
}

// Lists the 20 pods of namespace "default" `rounds` times (while writers run): each list is a
// snapshot at its revision, nothing newer and including the newest write (every write touches
// a listed object).
inline void expect_lists_are_snapshots(Store& store, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    auto result = store.list(in("/registry/core/pods/default/"));
    ASSERT_EQ(result.items.size(), 20u);
    int64_t newest = 0;
    for (const auto& item : result.items) newest = std::max(newest, revision_of(item));
    EXPECT_EQ(newest, result.revision);
  }
}

// Collects watch events; wait_for() blocks (bounded) until a condition on them holds.
class EventSink {
 public:
  WatchCallback callback() {
    return [this](const std::vector<EventPtr>& events) {
      std::lock_guard lock(mutex_);
      events_.insert(events_.end(), events.begin(), events.end());
      changed_.notify_all();
      return true;
    };
  }
  bool wait_for_count(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return events_.size() >= count; });
  }
  std::vector<EventPtr> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<int64_t> revisions() {
    std::vector<int64_t> out;
    for (const auto& e : events()) out.push_back(e->revision);
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<EventPtr> events_;
};

class StoreConformance : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = open(); }
  StorePtr open(size_t window = WatchHub::kDefaultWindowSize) {
    return GetParam().open(dir_, window);
  }

  skiff::test_support::TempDir temp_{"skiff-store-test"};
  const std::string dir_ = temp_.path().string();
  StorePtr store_;  // after temp_: closed before the directory is removed
};

inline Backend memory_backend() {
  return {"Memory", [](const std::string&, size_t window) { return make_memory_store(window); }};
}
inline Backend sqlite_backend() {
  return {"Sqlite", [](const std::string& dir, size_t window) {
            SqliteStoreOptions options;
            options.path = dir + "/server/db/state.db";
            options.event_window = window;
            options.synchronous = SqliteStoreOptions::Synchronous::Normal;
            return open_sqlite_store(options);
          }};
}

// Both backends, for INSTANTIATE_TEST_SUITE_P.
inline auto all_backends() {
  return testing::Values(memory_backend(), sqlite_backend());
}

}  // namespace skiff::store::test_support
