// The agent's flags: what `skiff agent` and `skiff server` (its embedded agent) accept, and the
// message a wrong value gets.
#include <gtest/gtest.h>

#include "agent/agent_flags.h"

namespace skiff::agent {
namespace {

AgentConfig parse(std::vector<std::string> args, bool for_server = false) {
  util::Flags flags;
  add_agent_flags(flags, for_server);
  flags.add_string("data-dir,d", "/var/lib/skiff", "state");
  flags.parse(args);
  return agent_config_from_flags(flags, for_server);
}

std::string error_of(std::vector<std::string> args, bool for_server = false) {
  try {
    parse(std::move(args), for_server);
  } catch (const util::FlagError& error) {
    return error.what();
  }
  return "";
}

TEST(AgentFlags, JoinFlagsAndNodeSettings) {
  AgentConfig config = parse({"--server", "http://10.0.0.1:6443", "--token", "t", "--node-name",
                              "pi-1", "--node-ip", "10.0.0.7", "--node-label", "zone=attic",
                              "--node-label", "disk=ssd", "-d", "/srv/skiff"});
  EXPECT_EQ(config.server_url, "http://10.0.0.1:6443");
  EXPECT_EQ(config.token, "t");
  EXPECT_EQ(config.node_name, "pi-1");
  EXPECT_EQ(config.node_ip, "10.0.0.7");
  EXPECT_EQ(config.node_labels,
            (std::map<std::string, std::string>{{"disk", "ssd"}, {"zone", "attic"}}));
  EXPECT_EQ(config.data_dir, "/srv/skiff");
  EXPECT_EQ(config.container_runtime_endpoint, "/run/podman/podman.sock");
}

TEST(AgentFlags, TheEmbeddedAgentNeedsNoServerOrToken) {
  AgentConfig config = parse({"--node-name", "box"}, /*for_server=*/true);
  EXPECT_EQ(config.node_name, "box");
  EXPECT_TRUE(config.server_url.empty());
}

TEST(AgentFlags, WrongValuesSayWhatIsWrong) {
  EXPECT_EQ(error_of({"--token", "t"}), "--server is required (http://HOST:6443)");
  EXPECT_EQ(error_of({"--server", "10.0.0.1:6443", "--token", "t"}),
            "--server must be a URL such as http://HOST:6443, not \"10.0.0.1:6443\"");
  EXPECT_EQ(error_of({"--server", "http://h:6443"}), "--token is required");
  EXPECT_EQ(error_of({"--node-ip", "10.0.0.300"}, true),
            "--node-ip must be an IP address, not \"10.0.0.300\"");
  EXPECT_EQ(error_of({"--node-label", "zone"}, true),
            "--node-label must be key=value, not \"zone\"");
  EXPECT_EQ(error_of({"--container-runtime-config", "/nonexistent/containers.conf"}, true),
            "--container-runtime-config: cannot read \"/nonexistent/containers.conf\"");
}

}  // namespace
}  // namespace skiff::agent
