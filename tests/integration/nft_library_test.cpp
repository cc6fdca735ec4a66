// NftLibrary (libnftables in this process) against the real kernel, inside a network namespace
// of the test's own: the library is constructed on a thread that entered the namespace (its
// netlink socket is opened there, see nft_library.h), so the host's tables are never touched.
// Runs as root with nft; skipped otherwise.
#include "agent/network/nft_library.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "agent/network/nft_table.h"
#include "agent/network/proxy_model.h"
#include "tests/integration/support/netns.h"
#include "tests/unit/support/network_objects.h"

namespace {

using skiff::agent::network::NftLibrary;
using skiff::agent::network::NftResult;
using skiff::agent::network::NftTable;
namespace objects = skiff::testing::network;

// Unique to this process, so a check of the host's tables cannot see another test's table.
const std::string kTable = "nftlib_test_" + std::to_string(::getpid());

std::string table_script() {
  return "table ip " + kTable +
         " {\n"
         "  chain input {\n"
         "    type filter hook input priority 0; policy accept;\n"
         "    tcp dport 4242 counter accept\n"
         "  }\n"
         "}\n";
}

class NftLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason = skiff::testing::netns_unavailable_reason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    node_ = std::make_unique<skiff::testing::NetworkNamespace>("nftlib");
  }

  // Runs `script` through a NftLibrary made inside the namespace.
  NftResult run_inside(const std::string& script) {
    NftResult result;
    node_->enter([&] { result = NftLibrary().run(script); });
    return result;
  }

  std::string tables_inside() { return node_->exec({"nft", "list", "tables"}).out; }

  static std::string host_tables() {
    return skiff::testing::run_command({"nft", "list", "tables"}).out;
  }

  std::unique_ptr<skiff::testing::NetworkNamespace> node_;
};

TEST_F(NftLibraryTest, AppliesATableInsideTheNamespaceOnlyAndDeletesIt) {
  NftResult applied = run_inside(table_script());
  EXPECT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_EQ(applied.output, "");

  auto listed = node_->exec({"nft", "list", "table", "ip", kTable});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("tcp dport 4242 counter packets 0 bytes 0 accept"), std::string::npos)
      << listed.out;
  EXPECT_EQ(host_tables().find(kTable), std::string::npos) << "the table leaked to the host";

  NftResult deleted = run_inside("delete table ip " + kTable + "\n");
  EXPECT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_EQ(tables_inside().find(kTable), std::string::npos);
}

TEST_F(NftLibraryTest, ReturnsWhatNftPrintsInOutput) {
  ASSERT_EQ(run_inside(table_script()).exit_code, 0);
  NftResult listed = run_inside("list tables\n");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed.output, "table ip " + kTable + "\n");
}

TEST_F(NftLibraryTest, ABadScriptFailsWithNftsMessageAndChangesNothing) {
  NftResult refused;
  NftResult next;
  node_->enter([&] {
    NftLibrary nft;
    refused = nft.run("add table ip " + kTable + "\nadd chain ip " + kTable +
                      " input { type filter hook nosuchhook priority 0; }\n");
    // The error buffer starts empty for the next run on the same context.
    next = nft.run("list tables\n");
  });
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("Error"), std::string::npos) << refused.output;
  // libnftables 1.0.6 quotes the wrong line of a script from a buffer (the first, with the
  // failing line's carets), so only its message is checked.
  EXPECT_NE(refused.output.find("unknown chain hook"), std::string::npos) << refused.output;
  // One transaction: the table added on the line before the error is not there either.
  EXPECT_EQ(tables_inside(), "");
  EXPECT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(next.output, "");
}

TEST_F(NftLibraryTest, DrivesTheServiceTable) {
  skiff::agent::network::ProxyModelInput input;
  input.node_name = "node-a";
  input.services.push_back(
      objects::service("web", {{"type", "ClusterIP"},
                               {"clusterIP", "10.43.0.10"},
                               {"ports", {{{"name", "http"}, {"port", 80}}}}}));
  input.endpoint_slices.push_back(objects::endpoint_slice(
      "web", {objects::port("http", 8080)}, {objects::endpoint("10.42.0.5", "node-a")}));
  auto model = skiff::agent::network::build_proxy_model(input).model;

  node_->enter([&] {
    NftTable table(std::make_unique<NftLibrary>());
    EXPECT_TRUE(table.sync(model));
    auto listed = node_->exec({"nft", "list", "table", "ip", "skiff"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("10.43.0.10"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("10.42.0.5"), std::string::npos) << listed.out;
    EXPECT_FALSE(table.sync(model));  // unchanged: no nft run
    table.remove();
  });
  EXPECT_EQ(tables_inside(), "");
}

TEST_F(NftLibraryTest, ActsInTheNamespaceItWasMadeInFromAnyThread) {
  std::unique_ptr<NftLibrary> nft;
  node_->enter([&] { nft = std::make_unique<NftLibrary>(); });
  NftResult applied = nft->run(table_script());  // from this (host) thread
  EXPECT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_EQ(tables_inside(), "table ip " + kTable + "\n");
  if (host_tables().find(kTable) != std::string::npos) {
    skiff::testing::run_command({"nft", "delete", "table", "ip", kTable});
    ADD_FAILURE() << "the table went to the host's namespace";
  }
}

}  // namespace
