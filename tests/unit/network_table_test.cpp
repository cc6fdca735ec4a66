// The applier of the service rules on a fake nft: a full replace first, then only updates, none
// when nothing changed; a refused update falls back to a full replace; nft's message is
// reported; removal is its own script. And the real command runner on stand-ins for nft.
#include <gtest/gtest.h>

#include <memory>

#include "agent/network/nft_command.h"
#include "agent/network/nft_ruleset.h"
#include "agent/network/nft_table.h"
#include "tests/unit/support/fake_nft.h"

namespace skiff::agent::network {
namespace {

using testing::FakeNft;

NftRuleset one_chain(const std::string& rule) {
  NftRuleset rules;
  rules.chains.push_back(NftChain{"endpoint-x", {rule}});
  return rules;
}

TEST(NetworkTableTest, ReplacesFirstThenUpdatesOnlyWhatChanged) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  EXPECT_TRUE(table.apply(one_chain("accept")));
  EXPECT_FALSE(table.apply(one_chain("accept")));
  EXPECT_TRUE(table.apply(one_chain("drop")));
  ASSERT_EQ(nft->scripts.size(), 2u);
  EXPECT_EQ(nft->scripts[0], render_ruleset(one_chain("accept")));
  EXPECT_EQ(nft->scripts[1],
            "flush chain ip skiff endpoint-x\nadd rule ip skiff endpoint-x drop\n");

  EXPECT_TRUE(table.sync(ProxyModel{}));
  EXPECT_FALSE(table.sync(ProxyModel{}));
  EXPECT_EQ(nft->scripts.back(),
            "flush chain ip skiff endpoint-x\ndelete chain ip skiff endpoint-x\n");

  table.replace(NftRuleset{});  // a repair replaces even what looks applied
  EXPECT_EQ(nft->scripts.back(), render_ruleset(NftRuleset{}));
}

TEST(NetworkTableTest, ARefusedUpdateIsRetriedAsAFullReplace) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  table.apply(one_chain("accept"));
  nft->next = {1, "Error: No such file or directory\n"};
  EXPECT_THROW(table.apply(one_chain("drop")), NftError);  // the update and the replace failed
  ASSERT_EQ(nft->scripts.size(), 3u);
  EXPECT_EQ(nft->scripts[2], render_ruleset(one_chain("drop")));
  nft->next = {0, ""};
  EXPECT_TRUE(table.apply(one_chain("drop")));  // nothing is known applied: a full replace
  EXPECT_EQ(nft->scripts.back(), render_ruleset(one_chain("drop")));
}

TEST(NetworkTableTest, AFailureIsReportedWithNftsMessage) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  nft->next = {1, "/dev/stdin:3:1-5: Error: syntax error\n"};
  try {
    table.apply(one_chain("bad"));
    FAIL() << "apply should throw";
  } catch (const NftError& error) {
    EXPECT_EQ(std::string(error.what()),
              "applying the service rules failed (exit 1): /dev/stdin:3:1-5: Error: syntax error");
  }
}

TEST(NetworkTableTest, RemoveDeletesTheTableAndForgetsWhatWasApplied) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  table.apply(one_chain("accept"));
  table.remove();
  EXPECT_EQ(nft->scripts.back(), render_removal());
  EXPECT_TRUE(table.apply(one_chain("accept")));  // after a removal the rules go in again, whole
  EXPECT_EQ(nft->scripts.back(), render_ruleset(one_chain("accept")));
}

TEST(NetworkTableTest, TheCommandReportsExitCodeAndOutputOfTheChild) {
  // A stand-in for nft that needs no privileges: sh reads the "script" from stdin.
  NftCommand shell({"sh", "-c", "cat > /dev/null; echo refused >&2; exit 3", "sh"});
  NftResult result = shell.run("table ip skiff {}\n");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "refused\n");

  NftCommand echo({"sh", "-c", "tr a-z A-Z", "sh"});
  result = echo.run("add table ip skiff\n");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "ADD TABLE IP SKIFF\n");

  NftCommand slow({"sh", "-c", "sleep 5", "sh"}, std::chrono::milliseconds(100));
  result = slow.run("");
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.output, "killed after 100 ms");

  EXPECT_THROW(NftCommand({"/nonexistent/nft"}).run(""), NftError);
}

}  // namespace
}  // namespace skiff::agent::network
