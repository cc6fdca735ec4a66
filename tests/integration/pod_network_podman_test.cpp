// The pod network on a real podman (netavark): ensure_pod_network() makes a bridge network on
// the given subnet that a container joins with an address in it, keeps it on a second call,
// refuses to move it to another subnet while a container uses it and recreates it once none
// does. The test's podman service runs in the host's network namespace, so the network has a
// name, bridge and subnet (10.42.200-249.0/24) of this process's own and is deleted at the end,
// also when the test fails.
#include <unistd.h>

#include <gtest/gtest.h>

#include "agent/network/pod_network.h"
#include "agent/runtime/podman/podman_client.h"
#include "agent/runtime/podman/podman_networks.h"
#include "tests/integration/support/podman_test_env.h"

namespace skiff::agent::network {
namespace {

using skiff::testing::PodmanTest;
namespace podman = runtime::podman;

class PodNetworkPodmanTest : public PodmanTest {
 protected:
  void SetUp() override {
    PodmanTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    const std::string id = std::to_string(::getpid());
    options_.name = "skiff-test-" + id;
    options_.bridge_interface = "skt" + id;
    options_.pod_cidr = subnet(0);
    container_ = "podnet-" + id;
  }
  void TearDown() override {
    if (!has_env() || options_.name.empty()) return;
    env().podman({"rm", "-f", "-t", "0", container_});
    env().podman({"network", "rm", "-f", options_.name});
  }

  std::string subnet(int which) const {
    return "10.42." + std::to_string(200 + (::getpid() + which) % 50) + ".0/24";
  }

  PodNetworkOptions options_;
  std::string container_;
};

TEST_F(PodNetworkPodmanTest, PodsGetAnAddressInThePodCidrAndTheNetworkFollowsThePodCidr) {
  podman::PodmanClient client(env().socket_path());
  podman::PodmanNetworks networks(client);
  ASSERT_EQ(ensure_pod_network(networks, options_), options_.name);
  auto created = networks.inspect(options_.name);
  ASSERT_TRUE(created);
  EXPECT_EQ(*created, desired_pod_network(options_));
  EXPECT_FALSE(created->dns_enabled);
  EXPECT_EQ(ensure_pod_network(networks, options_), options_.name);  // idempotent

  auto run = env().podman({"run", "-d", "--name", container_, "--network", options_.name,
                           env().image(), "sleep", "300"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto ip = env().podman(
      {"inspect", "--format",
       "{{(index .NetworkSettings.Networks \"" + options_.name + "\").IPAddress}}", container_});
  ASSERT_EQ(ip.exit_code, 0) << ip.err;
  const std::string first_subnet_prefix = options_.pod_cidr.substr(0, options_.pod_cidr.size() - 4);
  EXPECT_EQ(ip.out.rfind(first_subnet_prefix, 0), 0u) << ip.out << " not in " << options_.pod_cidr;

  // The node got another podCIDR while a container is on the network: refused, named.
  PodNetworkOptions moved = options_;
  moved.pod_cidr = subnet(1);
  try {
    ensure_pod_network(networks, moved);
    FAIL() << "expected PodNetworkError";
  } catch (const PodNetworkError& error) {
    EXPECT_NE(std::string(error.what()).find(container_), std::string::npos) << error.what();
  }

  ASSERT_EQ(env().podman({"rm", "-f", "-t", "0", container_}).exit_code, 0);
  ASSERT_EQ(ensure_pod_network(networks, moved), options_.name);
  auto recreated = networks.inspect(options_.name);
  ASSERT_TRUE(recreated);
  EXPECT_EQ(recreated->subnet, moved.pod_cidr);

  networks.remove(options_.name);
  EXPECT_FALSE(networks.inspect(options_.name));
  networks.remove(options_.name);  // absent: still fine
}

}  // namespace
}  // namespace skiff::agent::network
