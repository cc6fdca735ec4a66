// The pod masquerade table: golden text, one transaction that replaces the table, nothing sent
// when unchanged, nft's refusal reported and retried, removal.
#include <gtest/gtest.h>

#include <memory>

#include "agent/network/pod_masquerade.h"
#include "tests/unit/support/fake_nft.h"

namespace skiff::agent::network {
namespace {

using testing::FakeNft;

const util::Ipv4Cidr kPods = *util::parse_ipv4_cidr("10.42.3.0/24");
const util::Ipv4Cidr kCluster = *util::parse_ipv4_cidr("10.42.0.0/16");

TEST(NetworkPodMasqueradeTest, GoldenTable) {
  EXPECT_EQ(render_pod_masquerade(kPods, kCluster),
            "table ip skiff-podnet {\n"
            "\tchain postrouting {\n"
            "\t\ttype nat hook postrouting priority srcnat - 10; policy accept;\n"
            "\t\tmeta mark & 0x00006000 != 0x00000000 return\n"
            "\t\tip saddr 10.42.3.0/24 ip daddr 10.42.0.0/16 snat to ip saddr\n"
            "\t\tip saddr 10.42.3.0/24 ip daddr != 224.0.0.0/4 masquerade\n"
            "\t}\n"
            "}\n");
}

TEST(NetworkPodMasqueradeTest, ReplacesTheTableOnceAndAgainOnlyWhenItChanges) {
  auto nft = std::make_shared<FakeNft::State>();
  PodMasquerade masquerade(std::make_unique<FakeNft>(nft));
  EXPECT_TRUE(masquerade.sync(kPods, kCluster));
  ASSERT_EQ(nft->scripts.size(), 1u);
  EXPECT_EQ(nft->scripts[0], "table ip skiff-podnet\ndelete table ip skiff-podnet\n" +
                                 render_pod_masquerade(kPods, kCluster));
  EXPECT_TRUE(masquerade.sync(kPods, kCluster));
  EXPECT_EQ(nft->scripts.size(), 1u);
  EXPECT_TRUE(masquerade.sync(*util::parse_ipv4_cidr("10.42.4.0/24"), kCluster));
  EXPECT_EQ(nft->scripts.size(), 2u);
}

TEST(NetworkPodMasqueradeTest, ARefusalIsReportedAndTheNextSyncTriesAgain) {
  auto nft = std::make_shared<FakeNft::State>();
  nft->next = {1, "Error: Could not process rule"};
  PodMasquerade masquerade(std::make_unique<FakeNft>(nft));
  EXPECT_FALSE(masquerade.sync(kPods, kCluster));
  nft->next = {0, ""};
  EXPECT_TRUE(masquerade.sync(kPods, kCluster));
  EXPECT_EQ(nft->scripts.size(), 2u);
}

TEST(NetworkPodMasqueradeTest, RemoveDeletesTheTableEvenWhenAbsent) {
  auto nft = std::make_shared<FakeNft::State>();
  PodMasquerade masquerade(std::make_unique<FakeNft>(nft));
  EXPECT_TRUE(masquerade.remove());
  ASSERT_EQ(nft->scripts.size(), 1u);
  EXPECT_EQ(nft->scripts[0], "table ip skiff-podnet\ndelete table ip skiff-podnet\n");
  // After a removal a sync puts the table back.
  EXPECT_TRUE(masquerade.sync(kPods, kCluster));
  EXPECT_EQ(nft->scripts.size(), 2u);
}

}  // namespace
}  // namespace skiff::agent::network
