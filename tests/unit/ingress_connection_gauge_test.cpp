#include "agent/ingress/connection_gauge.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace skiff::agent::ingress {
namespace {

std::vector<std::unique_ptr<OpenConnection>> open_many(ConnectionGauge& gauge, int count) {
  std::vector<std::unique_ptr<OpenConnection>> connections;
  for (int i = 0; i < count; ++i) connections.push_back(std::make_unique<OpenConnection>(gauge));
  return connections;
}

TEST(ConnectionGauge, ABurstHasPassedOnceWhenDownToAnEighthOfItsPeak) {
  ConnectionGauge gauge;
  auto connections = open_many(gauge, 400);
  EXPECT_EQ(gauge.open(), 400);
  EXPECT_FALSE(gauge.burst_has_passed()) << "still at its peak";
  connections.resize(60);
  EXPECT_FALSE(gauge.burst_has_passed()) << "60 is more than an eighth of 400";
  connections.resize(50);
  EXPECT_TRUE(gauge.burst_has_passed());
  EXPECT_FALSE(gauge.burst_has_passed()) << "once per burst";
  connections.clear();
  EXPECT_FALSE(gauge.burst_has_passed()) << "the peak started over at 50, below a burst";
  EXPECT_EQ(gauge.open(), 0);
  // The next burst counts again.
  connections = open_many(gauge, 300);
  connections.clear();
  EXPECT_TRUE(gauge.burst_has_passed());
}

TEST(ConnectionGauge, FewConnectionsAreNeverABurst) {
  ConnectionGauge gauge;
  auto connections = open_many(gauge, static_cast<int>(ConnectionGauge::kBurst) - 1);
  connections.clear();
  EXPECT_FALSE(gauge.burst_has_passed());
}

}  // namespace
}  // namespace skiff::agent::ingress
