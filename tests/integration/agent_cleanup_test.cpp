// `skiff agent cleanup` against a real kernel, in a network namespace of the test's own: the
// state a stopped agent leaves (both nftables tables, pod routes with protocol 245, the vxlan
// device, the cluster DNS link) is made by hand next to look-alikes that are not skiff's (a
// table of another name, a table `skiff` of another family, another link, a route of another
// protocol), the real binary runs inside the namespace, and only skiff's state must be gone.
// podman is pointed at a socket nobody listens on. Runs as root; skipped otherwise.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/support/netns.h"
#include "tests/integration/support/test_server.h"

namespace skiff::testing {
namespace {

// skiff's two tables, each with a chain as the agent's have, and two that are not skiff's.
constexpr const char* kTables = R"(table ip skiff {
  chain services { type nat hook prerouting priority dstnat; policy accept; }
}
table ip skiff-podnet {
  chain postrouting { type nat hook postrouting priority srcnat - 10; policy accept; }
}
table ip unrelated {
  chain keep { type filter hook forward priority 0; policy accept; }
}
table inet skiff {
  chain keep { type filter hook input priority 0; policy accept; }
}
)";

bool has_line(const std::string& text, const std::string& wanted) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line == wanted) return true;
  return false;
}

class AgentCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string reason = netns_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    netns_ = std::make_unique<NetworkNamespace>("cleanup");
  }

  CommandResult in_namespace(const std::vector<std::string>& argv, const std::string& input = "") {
    return run_command(in_netns(netns_->name(), argv), input, 60);
  }

  CommandResult cleanup() {
    return in_namespace(
        {SKIFF_BINARY, "agent", "cleanup", "--container-runtime-endpoint", no_podman_socket()});
  }

  std::string no_podman_socket() const { return temp_.path() + "/podman.sock"; }

  // What an agent leaves behind, with things that are not skiff's next to it.
  void make_node_state() {
    CommandResult tables = in_namespace({"nft", "-f", "-"}, kTables);
    ASSERT_EQ(tables.exit_code, 0) << tables.err;
    const std::vector<std::vector<std::string>> commands = {
        // Not skiff's: the node's uplink and a route of another protocol through it.
        {"ip", "link", "add", "uplink0", "type", "bridge"},
        {"ip", "addr", "add", "192.168.77.1/24", "dev", "uplink0"},
        {"ip", "link", "set", "uplink0", "up"},
        {"ip", "route", "add", "10.99.0.0/24", "via", "192.168.77.3", "proto", "static"},
        // The vxlan backend's device with a route through it, and a host-gw route.
        {"ip", "link", "add", "skiff-vxlan", "type", "vxlan", "id", "1", "local", "192.168.77.1",
         "dstport", "8472", "nolearning"},
        {"ip", "addr", "add", "10.42.0.0/32", "dev", "skiff-vxlan"},
        {"ip", "link", "set", "skiff-vxlan", "up"},
        {"ip", "route", "add", "10.42.6.0/24", "via", "10.42.6.0", "dev", "skiff-vxlan", "onlink",
         "proto", "245"},
        {"ip", "route", "add", "10.42.5.0/24", "via", "192.168.77.2", "proto", "245"},
        // The cluster DNS address on its link (a bridge, as where the kernel has no dummy).
        {"ip", "link", "add", "skiff-dns", "type", "bridge"},
        {"ip", "addr", "add", "10.43.0.10/32", "dev", "skiff-dns"},
        {"ip", "link", "set", "skiff-dns", "up"},
    };
    for (const auto& command : commands) netns_->must(command);
  }

  TempDir temp_;
  std::unique_ptr<NetworkNamespace> netns_;
};

TEST_F(AgentCleanupTest, RemovesSkiffsStateOnlyAndIsIdempotent) {
  make_node_state();

  CommandResult first = cleanup();
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_TRUE(has_line(first.out, "removed: nftables table ip skiff (service proxy)")) << first.out;
  EXPECT_TRUE(has_line(first.out, "removed: nftables table ip skiff-podnet (pod masquerade)"))
      << first.out;
  EXPECT_TRUE(has_line(first.out, "removed: pod routes (proto 245), 2 route(s)")) << first.out;
  EXPECT_TRUE(has_line(first.out, "removed: vxlan device skiff-vxlan")) << first.out;
  EXPECT_TRUE(has_line(first.out, "removed: cluster DNS link skiff-dns")) << first.out;
  // podman does not answer: the network is skipped with a warning that says where it looked.
  EXPECT_NE(first.err.find("skipped: podman network skiff: podman does not answer on " +
                           no_podman_socket()),
            std::string::npos)
      << first.err;

  // skiff's state is gone...
  CommandResult tables = netns_->exec({"nft", "list", "tables"});
  ASSERT_EQ(tables.exit_code, 0) << tables.err;
  EXPECT_FALSE(has_line(tables.out, "table ip skiff")) << tables.out;
  EXPECT_FALSE(has_line(tables.out, "table ip skiff-podnet")) << tables.out;
  EXPECT_NE(netns_->exec({"ip", "link", "show", "dev", "skiff-vxlan"}).exit_code, 0);
  EXPECT_NE(netns_->exec({"ip", "link", "show", "dev", "skiff-dns"}).exit_code, 0);
  EXPECT_EQ(netns_->exec({"ip", "-4", "route", "show", "proto", "245"}).out, "");
  // ...and what is not skiff's is still there.
  EXPECT_TRUE(has_line(tables.out, "table ip unrelated")) << tables.out;
  EXPECT_TRUE(has_line(tables.out, "table inet skiff")) << tables.out;
  EXPECT_EQ(netns_->exec({"ip", "link", "show", "dev", "uplink0"}).exit_code, 0);
  EXPECT_NE(netns_->exec({"ip", "-4", "route", "show", "10.99.0.0/24"}).out, "");

  // Again: nothing left to do is success, and says so.
  CommandResult second = cleanup();
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(second.out.find("removed:"), std::string::npos) << second.out;
  EXPECT_TRUE(has_line(second.out, "absent:  nftables table ip skiff (service proxy)"))
      << second.out;
  EXPECT_TRUE(has_line(second.out, "absent:  nftables table ip skiff-podnet (pod masquerade)"))
      << second.out;
  EXPECT_TRUE(has_line(second.out, "absent:  pod routes (proto 245)")) << second.out;
  EXPECT_TRUE(has_line(second.out, "absent:  vxlan device skiff-vxlan")) << second.out;
  EXPECT_TRUE(has_line(second.out, "absent:  cluster DNS link skiff-dns")) << second.out;
}

TEST_F(AgentCleanupTest, RejectsUnknownArguments) {
  CommandResult bad = in_namespace({SKIFF_BINARY, "agent", "cleanup", "--force"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--force"), std::string::npos) << bad.err;
  CommandResult extra = in_namespace({SKIFF_BINARY, "agent", "cleanup", "everything"});
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_NE(extra.err.find("unexpected argument \"everything\""), std::string::npos) << extra.err;
}

}  // namespace
}  // namespace skiff::testing
