// Handing work to other threads: at once without a batch; with one open, once per target when
// it closes, each target's work in the order it was handed off.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "pkg/util/handoff_batch.h"

namespace skiff::util {
namespace {

// A target that runs each delivery at once and records how the work arrived.
class RecordingTarget final : public HandoffTarget {
 public:
  void post(std::function<void()> work) override {
    deliveries.push_back(1);
    work();
  }
  void post_all(std::vector<std::function<void()>> work) override {
    deliveries.push_back(work.size());
    for (const auto& item : work) item();
  }
  std::vector<size_t> deliveries;  // items per call (post: 1)
};

TEST(HandoffBatch, WithoutABatchWorkIsPostedAtOnce) {
  RecordingTarget target;
  std::vector<std::string> ran;
  HandoffBatch::hand_off(target, [&] { ran.push_back("a"); });
  EXPECT_EQ(ran, std::vector<std::string>{"a"});
  HandoffBatch::hand_off(target, [&] { ran.push_back("b"); });
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(target.deliveries, (std::vector<size_t>{1, 1}));
}

TEST(HandoffBatch, ABatchDeliversOncePerTargetInOrderWhenItCloses) {
  RecordingTarget first;
  RecordingTarget second;
  std::vector<std::string> ran;
  {
    HandoffBatch batch;
    HandoffBatch::hand_off(first, [&] { ran.push_back("1a"); });
    HandoffBatch::hand_off(second, [&] { ran.push_back("2a"); });
    HandoffBatch::hand_off(first, [&] { ran.push_back("1b"); });
    HandoffBatch::hand_off(first, [&] { ran.push_back("1c"); });
    EXPECT_TRUE(ran.empty());  // kept until the batch closes
  }
  EXPECT_EQ(first.deliveries, std::vector<size_t>{3});
  EXPECT_EQ(second.deliveries, std::vector<size_t>{1});
  EXPECT_EQ(ran, (std::vector<std::string>{"1a", "1b", "1c", "2a"}));
}

TEST(HandoffBatch, AnInnerBatchAddsToTheOuterOne) {
  RecordingTarget target;
  int ran = 0;
  {
    HandoffBatch outer;
    {
      HandoffBatch inner;
      HandoffBatch::hand_off(target, [&] { ++ran; });
    }
    EXPECT_EQ(ran, 0);  // the inner batch closing hands nothing over
    HandoffBatch::hand_off(target, [&] { ++ran; });
  }
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(target.deliveries, std::vector<size_t>{2});
}

TEST(HandoffBatch, ABatchOnlyGathersItsOwnThreadsWork) {
  RecordingTarget target;
  int ran = 0;
  {
    HandoffBatch batch;
    // Another thread has no batch open: its work goes at once.
    std::thread([&] { HandoffBatch::hand_off(target, [&] { ++ran; }); }).join();
    EXPECT_EQ(ran, 1);
  }
  EXPECT_EQ(target.deliveries, std::vector<size_t>{1});
}

TEST(HandoffBatch, ANewBatchStartsEmpty) {
  RecordingTarget target;
  { HandoffBatch batch; }
  EXPECT_TRUE(target.deliveries.empty());
  {
    HandoffBatch batch;
    HandoffBatch::hand_off(target, [] {});
  }
  { HandoffBatch batch; }
  EXPECT_EQ(target.deliveries, std::vector<size_t>{1});
}

}  // namespace
}  // namespace skiff::util
