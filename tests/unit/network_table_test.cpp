// The applier of the service rules on a fake nft: it runs nft only when the script changed,
// retries after a failure, reports nft's message, and removal is its own script.
#include <gtest/gtest.h>

#include <memory>

#include "agent/network/nft_command.h"
#include "agent/network/nft_ruleset.h"
#include "agent/network/nft_table.h"

namespace skiff::agent::network {
namespace {

class FakeNft : public NftRunner {
 public:
  struct State {
    std::vector<std::string> scripts;
    NftResult next{0, ""};
  };
  explicit FakeNft(std::shared_ptr<State> state) : state_(std::move(state)) {}
  NftResult run(const std::string& script) override {
    state_->scripts.push_back(script);
    return state_->next;
  }

 private:
  std::shared_ptr<State> state_;
};

TEST(NetworkTableTest, AppliesOnlyWhenTheScriptChanged) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  EXPECT_TRUE(table.apply("script one"));
  EXPECT_FALSE(table.apply("script one"));
  EXPECT_TRUE(table.apply("script two"));
  EXPECT_EQ(nft->scripts, (std::vector<std::string>{"script one", "script two"}));

  ProxyModel empty;
  EXPECT_TRUE(table.sync(empty));
  EXPECT_FALSE(table.sync(empty));
  EXPECT_EQ(nft->scripts.back(), render_ruleset(empty));
}

TEST(NetworkTableTest, AFailureIsReportedAndTheNextApplyRunsAgain) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  nft->next = {1, "/dev/stdin:3:1-5: Error: syntax error\n"};
  try {
    table.apply("bad");
    FAIL() << "apply should throw";
  } catch (const NftError& error) {
    EXPECT_EQ(std::string(error.what()),
              "applying the service rules failed (exit 1): /dev/stdin:3:1-5: Error: syntax error");
  }
  nft->next = {0, ""};
  EXPECT_TRUE(table.apply("bad"));  // not remembered as applied: tried again
  EXPECT_EQ(nft->scripts.size(), 2u);
}

TEST(NetworkTableTest, RemoveDeletesTheTableAndForgetsWhatWasApplied) {
  auto nft = std::make_shared<FakeNft::State>();
  NftTable table(std::make_unique<FakeNft>(nft));
  table.apply("rules");
  table.remove();
  EXPECT_EQ(nft->scripts.back(), render_removal());
  EXPECT_TRUE(table.apply("rules"));  // after a removal the same rules go in again
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
