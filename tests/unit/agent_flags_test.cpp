// The agent's flags: what `skiff agent` and `skiff server` (its embedded agent) accept, and the
// message a wrong value gets.
#include <gtest/gtest.h>

#include "agent/agent_flags.h"

namespace skiff::agent {
namespace {

// A well-formed join token (what <data-dir>/server/node-token holds).
const std::string kToken = "K10" + std::string(64, 'a') + "::server:secret";

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
  AgentConfig config = parse({"--server", "https://10.0.0.1:6443", "--token", kToken, "--node-name",
                              "pi-1", "--node-ip", "10.0.0.7", "--node-label", "zone=attic",
                              "--node-label", "disk=ssd", "-d", "/srv/skiff"});
  EXPECT_EQ(config.server_url, "https://10.0.0.1:6443");
  EXPECT_EQ(config.token, kToken);
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
  EXPECT_EQ(error_of({"--token", kToken}), "--server is required (https://HOST:6443)");
  EXPECT_EQ(error_of({"--server", "10.0.0.1:6443", "--token", kToken}),
            "--server must be a URL such as https://HOST:6443, not \"10.0.0.1:6443\"");
  // The API is HTTPS only: a plain http:// URL cannot be joined.
  EXPECT_EQ(error_of({"--server", "http://h:6443", "--token", kToken}),
            "--server must be a URL such as https://HOST:6443, not \"http://h:6443\"");
  EXPECT_EQ(error_of({"--server", "https://h:6443"}), "--token is required");
  // A bare secret has no CA hash: the first connection could not be trusted.
  EXPECT_NE(error_of({"--server", "https://h:6443", "--token", "just-a-secret"})
                .find("--token must be the full join token (K10<CA hash>::<credential>)"),
            std::string::npos);
  EXPECT_EQ(error_of({"--node-ip", "10.0.0.300"}, true),
            "--node-ip must be an IP address, not \"10.0.0.300\"");
  EXPECT_EQ(error_of({"--node-label", "zone"}, true),
            "--node-label must be key=value, not \"zone\"");
  EXPECT_EQ(error_of({"--container-runtime-config", "/nonexistent/containers.conf"}, true),
            "--container-runtime-config: cannot read \"/nonexistent/containers.conf\"");
}

TEST(AgentFlags, IngressPortsAndTheirBadValues) {
  AgentConfig defaults = parse({}, true);
  EXPECT_EQ(defaults.ingress_http_port, 80);
  EXPECT_EQ(defaults.ingress_https_port, 443);
  EXPECT_FALSE(defaults.ingress_access_log);
  AgentConfig moved = parse(
      {"--ingress-http-port", "8080", "--ingress-https-port", "-1", "--ingress-access-log"}, true);
  EXPECT_EQ(moved.ingress_http_port, 8080);
  EXPECT_EQ(moved.ingress_https_port, -1);
  EXPECT_TRUE(moved.ingress_access_log);
  EXPECT_EQ(error_of({"--ingress-http-port", "70000"}, true),
            "--ingress-http-port must be a port (1-65535, 0 for any free port, -1 for none), not "
            "70000");
  EXPECT_EQ(error_of({"--ingress-https-port", "-2"}, true),
            "--ingress-https-port must be a port (1-65535, 0 for any free port, -1 for none), not "
            "-2");
}

}  // namespace
}  // namespace skiff::agent
