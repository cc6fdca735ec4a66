// Where an agent dials the node service: the host of the URL users give.
#include <gtest/gtest.h>

#include "agent/node_service_address.h"

namespace skiff::agent {
namespace {

TEST(NodeServiceAddress, HostOfTheServerUrl) {
  EXPECT_EQ(url_host("http://192.168.1.10:6443"), "192.168.1.10");
  EXPECT_EQ(url_host("https://pi.lan:6443/"), "pi.lan");
  EXPECT_EQ(url_host("http://pi.lan"), "pi.lan");
  EXPECT_EQ(url_host("https://[fd00::1]:6443"), "[fd00::1]");
  EXPECT_EQ(url_host("pi.lan:6443"), std::nullopt);
  EXPECT_EQ(url_host("http://"), std::nullopt);
  EXPECT_EQ(url_host("http://[fd00::1"), std::nullopt);
}

}  // namespace
}  // namespace skiff::agent
