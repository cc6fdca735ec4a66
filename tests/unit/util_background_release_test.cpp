// util::BackgroundRelease: references handed over are dropped on its own thread, a batch at
// once, a few within about a second, and whatever is left when it is destroyed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "pkg/util/background_release.h"

namespace skiff::util {
namespace {

using namespace std::chrono_literals;

// An object that notes which thread destroyed it.
struct Noted {
  std::atomic<int>* destroyed;
  std::atomic<bool>* on_caller_thread;
  std::thread::id caller;
  ~Noted() {
    ++*destroyed;
    if (std::this_thread::get_id() == caller) *on_caller_thread = true;
  }
};

std::vector<std::shared_ptr<const Noted>> make(int count, std::atomic<int>& destroyed,
                                               std::atomic<bool>& on_caller_thread) {
  std::vector<std::shared_ptr<const Noted>> items;
  for (int i = 0; i < count; ++i)
    items.push_back(
        std::make_shared<const Noted>(&destroyed, &on_caller_thread, std::this_thread::get_id()));
  return items;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(BackgroundRelease, AFullBatchIsDroppedAtOnceOnItsOwnThread) {
  std::atomic<int> destroyed{0};
  std::atomic<bool> on_caller_thread{false};
  BackgroundRelease release("test-release", 10);
  auto items = make(10, destroyed, on_caller_thread);
  release.release(items);
  EXPECT_TRUE(items.empty());
  EXPECT_TRUE(wait_until([&] { return destroyed == 10; }, 500ms)) << destroyed;
  EXPECT_FALSE(on_caller_thread);
  EXPECT_EQ(release.released(), 10u);
}

TEST(BackgroundRelease, AFewAreDroppedWithinASecond) {
  std::atomic<int> destroyed{0};
  std::atomic<bool> on_caller_thread{false};
  BackgroundRelease release("test-release", 1000);
  auto items = make(3, destroyed, on_caller_thread);
  release.release(items);
  EXPECT_TRUE(wait_until([&] { return destroyed == 3; }, 3s)) << destroyed;
  EXPECT_FALSE(on_caller_thread);
}

TEST(BackgroundRelease, AReferenceHeldElsewhereOutlivesTheRelease) {
  std::atomic<int> destroyed{0};
  std::atomic<bool> on_caller_thread{false};
  auto items = make(2, destroyed, on_caller_thread);
  auto kept = items.front();
  {
    BackgroundRelease release("test-release", 1);
    release.release(items);
  }
  EXPECT_EQ(destroyed, 1);
  kept.reset();
  EXPECT_EQ(destroyed, 2);
}

TEST(BackgroundRelease, TheDestructorDropsWhatIsStillWaiting) {
  std::atomic<int> destroyed{0};
  std::atomic<bool> on_caller_thread{false};
  {
    BackgroundRelease release("test-release", 1000);
    auto items = make(5, destroyed, on_caller_thread);
    release.release(items);
  }
  EXPECT_EQ(destroyed, 5);
  EXPECT_FALSE(on_caller_thread);
}

}  // namespace
}  // namespace skiff::util
