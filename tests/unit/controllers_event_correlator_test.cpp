// Kubernetes' event correlation rules, with explicit times: similar events combined after 10
// within 10 minutes, and a budget of 25 writes per source and object refilled one per 5 minutes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "server/controllers/event_correlator.h"

namespace skiff::controllers {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const CorrelatorTime kStart{};

TEST(EventAggregator, CombinesTheTenthSimilarEventAndAfter) {
  EventAggregator aggregator;
  for (int i = 1; i <= 9; ++i) {
    const auto decision =
        aggregator.aggregate("rs/SuccessfulCreate", "Created pod: p" + std::to_string(i), kStart);
    EXPECT_FALSE(decision.aggregated) << i;
    EXPECT_EQ(decision.message, "Created pod: p" + std::to_string(i));
  }
  for (int i = 10; i <= 12; ++i) {
    const auto decision =
        aggregator.aggregate("rs/SuccessfulCreate", "Created pod: p" + std::to_string(i), kStart);
    EXPECT_TRUE(decision.aggregated) << i;
    EXPECT_EQ(decision.message,
              "(combined from similar events): Created pod: p" + std::to_string(i));
  }
  // Another reason (another key) starts its own count.
  EXPECT_FALSE(aggregator.aggregate("rs/SuccessfulDelete", "Deleted pod: p1", kStart).aggregated);
}

TEST(EventAggregator, SimilarEventsMoreThanTenMinutesApartStartOver) {
  EventAggregator aggregator;
  for (int i = 1; i <= 9; ++i) aggregator.aggregate("k", "m" + std::to_string(i), kStart);
  EXPECT_FALSE(aggregator.aggregate("k", "m10", kStart + minutes(10) + seconds(1)).aggregated);
}

TEST(EventSpamFilter, AllowsABurstOf25ThenOnePerFiveMinutes) {
  EventSpamFilter filter;
  for (int i = 1; i <= 25; ++i) EXPECT_TRUE(filter.allow("scheduler/pod-a", kStart)) << i;
  EXPECT_FALSE(filter.allow("scheduler/pod-a", kStart));
  EXPECT_TRUE(filter.allow("scheduler/pod-b", kStart)) << "each object has its own budget";
  EXPECT_FALSE(filter.allow("scheduler/pod-a", kStart + minutes(4)));
  EXPECT_TRUE(filter.allow("scheduler/pod-a", kStart + minutes(5)));
  EXPECT_FALSE(filter.allow("scheduler/pod-a", kStart + minutes(5)));
  // A long quiet time refills the whole burst, and no more.
  for (int i = 1; i <= 25; ++i)
    EXPECT_TRUE(filter.allow("scheduler/pod-a", kStart + minutes(600))) << i;
  EXPECT_FALSE(filter.allow("scheduler/pod-a", kStart + minutes(600)));
}

}  // namespace
}  // namespace skiff::controllers
