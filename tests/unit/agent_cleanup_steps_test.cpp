// The decisions of `skiff agent cleanup` (agent/agent_cleanup.h) on fakes of nft, ip and
// podman's networks: what is removed, what is left and why, and the exit code. The real kernel
// is exercised by tests/integration/agent_cleanup_test.cpp.
#include "agent/agent_cleanup.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace skiff::agent {
namespace {

// nft with a list of tables; `list tables` and `delete table ...` are all it understands.
class FakeNft : public network::NftRunner {
 public:
  network::NftResult run(const std::string& script) override {
    scripts.push_back(script);
    if (script == "list tables\n") {
      if (!list_error.empty()) return {1, list_error};
      std::string out;
      for (const auto& table : tables) out += table + "\n";
      return {0, out};
    }
    const std::string prefix = "delete ";
    if (script.rfind(prefix, 0) == 0) {
      tables.erase(script.substr(prefix.size(), script.size() - prefix.size() - 1));
      return {0, ""};
    }
    return {1, "unexpected script"};
  }
  std::set<std::string> tables;
  std::string list_error;
  std::vector<std::string> scripts;
};

// ip with a set of links and a list of proto-245 routes.
class FakeIp : public network::IpRunner {
 public:
  network::ChildResult run(const std::vector<std::string>& argv, std::string_view) override {
    using Argv = std::vector<std::string>;
    if (argv.size() == 5 &&
        Argv(argv.begin(), argv.begin() + 4) == Argv{"ip", "link", "show", "dev"})
      return {links.count(argv[4]) ? 0 : 1, ""};
    if (argv.size() == 4 && Argv(argv.begin(), argv.begin() + 3) == Argv{"ip", "link", "del"}) {
      deleted_links.push_back(argv[3]);
      return {links.erase(argv[3]) ? 0 : 1, "Cannot find device"};
    }
    if (argv == Argv{"ip", "-j", "-4", "route", "show", "proto", "245"}) {
      std::string json = "[";
      for (const auto& route : routes)
        json += std::string(json.size() > 1 ? "," : "") + "{\"dst\":\"" + route + "\"}";
      return {0, json + "]"};
    }
    if (argv.size() == 6 && argv[1] == "route" && argv[2] == "del") {
      routes.erase(argv[3]);
      return {0, ""};
    }
    return {1, "unexpected command"};
  }
  std::set<std::string> links;
  std::set<std::string> routes;
  std::vector<std::string> deleted_links;
};

class FakeNetworks : public runtime::podman::BridgeNetworks {
 public:
  std::optional<runtime::podman::BridgeNetwork> inspect(const std::string& name) override {
    if (!exists || name != "skiff") return std::nullopt;
    runtime::podman::BridgeNetwork network;
    network.name = name;
    network.bridge_interface = "skiff0";
    return network;
  }
  void create(const runtime::podman::BridgeNetwork&) override {}
  void remove(const std::string& name) override {
    removed.push_back(name);
    exists = false;
  }
  std::vector<std::string> containers_on(const std::string&) override { return containers; }
  bool exists = true;
  std::vector<std::string> containers;
  std::vector<std::string> removed;
};

const CleanupStep& step_about(const std::vector<CleanupStep>& steps, const std::string& prefix) {
  auto it = std::find_if(steps.begin(), steps.end(),
                         [&](const CleanupStep& step) { return step.thing.rfind(prefix, 0) == 0; });
  if (it == steps.end()) throw std::runtime_error("no step about " + prefix);
  return *it;
}

class AgentCleanupStepsTest : public ::testing::Test {
 protected:
  std::vector<CleanupStep> clean(runtime::podman::BridgeNetworks* podman,
                                 std::string unreachable = {}) {
    return clean_up_node({nft_, ip_, podman, std::move(unreachable)});
  }
  FakeNft nft_;
  FakeIp ip_;
  FakeNetworks networks_;
};

TEST_F(AgentCleanupStepsTest, RemovesEverythingOfSkiffsAndNothingElse) {
  nft_.tables = {"table ip skiff", "table ip skiff-podnet", "table ip nat", "table inet skiff"};
  ip_.links = {"skiff-vxlan", "skiff-dns", "skiff0", "eth0"};
  ip_.routes = {"10.42.1.0/24", "10.42.2.0/24"};
  networks_.exists = true;

  auto steps = clean(&networks_);

  EXPECT_EQ(cleanup_exit_code(steps), 0);
  for (const auto& step : steps) EXPECT_EQ(step.outcome, CleanupOutcome::kRemoved) << step.thing;
  EXPECT_EQ(networks_.removed, std::vector<std::string>{"skiff"});
  EXPECT_EQ(nft_.tables, (std::set<std::string>{"table ip nat", "table inet skiff"}));
  EXPECT_EQ(ip_.links, std::set<std::string>{"eth0"});
  EXPECT_TRUE(ip_.routes.empty());
  EXPECT_EQ(describe(step_about(steps, "pod routes")),
            "removed: pod routes (proto 245), 2 route(s)");
}

TEST_F(AgentCleanupStepsTest, NothingThereIsSuccess) {
  networks_.exists = false;
  auto steps = clean(&networks_);
  EXPECT_EQ(cleanup_exit_code(steps), 0);
  ASSERT_EQ(steps.size(), 7u);  // network, bridge, 2 tables, routes, vxlan, dns
  for (const auto& step : steps) EXPECT_EQ(step.outcome, CleanupOutcome::kAbsent) << step.thing;
  EXPECT_EQ(describe(steps.front()), "absent:  podman network skiff");
  EXPECT_TRUE(ip_.deleted_links.empty());
  EXPECT_EQ(nft_.scripts, std::vector<std::string>{"list tables\n"});
}

TEST_F(AgentCleanupStepsTest, NetworkWithContainersIsLeftAndFailsButTheKernelStateGoes) {
  networks_.containers = {"web-abc_sandbox", "web-abc_nginx"};
  ip_.links = {"skiff0", "skiff-dns"};

  auto steps = clean(&networks_);

  EXPECT_EQ(cleanup_exit_code(steps), 1);
  const CleanupStep& network = step_about(steps, "podman network skiff");
  EXPECT_EQ(network.outcome, CleanupOutcome::kFailed);
  EXPECT_NE(network.detail.find("web-abc_sandbox, web-abc_nginx"), std::string::npos);
  EXPECT_NE(network.detail.find("delete the pods first"), std::string::npos);
  EXPECT_TRUE(networks_.removed.empty());
  // The pods' bridge stays with them; the DNS link is still removed.
  EXPECT_EQ(step_about(steps, "bridge skiff0").outcome, CleanupOutcome::kSkipped);
  EXPECT_EQ(ip_.links, std::set<std::string>{"skiff0"});
  EXPECT_EQ(step_about(steps, "cluster DNS link").outcome, CleanupOutcome::kRemoved);
}

TEST_F(AgentCleanupStepsTest, UnreachablePodmanIsAWarningNotAFailure) {
  ip_.links = {"skiff0", "skiff-vxlan"};
  auto steps = clean(nullptr, "podman does not answer on /x.sock");

  EXPECT_EQ(cleanup_exit_code(steps), 0);
  EXPECT_EQ(describe(step_about(steps, "podman network")),
            "skipped: podman network skiff: podman does not answer on /x.sock");
  EXPECT_EQ(step_about(steps, "bridge skiff0").outcome, CleanupOutcome::kSkipped);
  EXPECT_EQ(ip_.links, std::set<std::string>{"skiff0"});  // maybe still in use: unknown
  EXPECT_EQ(step_about(steps, "vxlan device").outcome, CleanupOutcome::kRemoved);
}

TEST_F(AgentCleanupStepsTest, NftThatCannotListFailsBothTablesWithItsMessage) {
  networks_.exists = false;
  nft_.list_error = "Error: Operation not permitted\n";
  auto steps = clean(&networks_);

  EXPECT_EQ(cleanup_exit_code(steps), 1);
  EXPECT_EQ(describe(step_about(steps, "nftables table ip skiff ")),
            "FAILED:  nftables table ip skiff (service proxy): nft list tables: Error: Operation "
            "not permitted");
  EXPECT_EQ(step_about(steps, "nftables table ip skiff-podnet").outcome, CleanupOutcome::kFailed);
  EXPECT_EQ(nft_.scripts, std::vector<std::string>{"list tables\n"});  // nothing deleted blindly
}

}  // namespace
}  // namespace skiff::agent
