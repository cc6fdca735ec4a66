// A pod's resolv.conf from its dnsPolicy and dnsConfig, as the kubelet computes it.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/pods/pod_dns.h"
#include "agent/pods/pod_spec.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods {
namespace {

const NodeDnsSettings kNode{"10.43.0.10", "cluster.local", "/unused"};

dns::ResolvConf host() {
  return dns::parse_resolv_conf(
      "# written by hand\n"
      "nameserver 127.0.0.53\n"
      "nameserver 192.0.2.1 ; the office resolver\n"
      "search corp.example lab.example\n"
      "options edns0 trust-ad\n"
      "options ndots:2\n");
}

PodDns dns_for(const Json& spec, const NodeDnsSettings& node = kNode) {
  return pod_dns(spec, "shop", node, host());
}

TEST(ResolvConf, ReadsServersSearchesAndOptions) {
  const auto conf = host();
  EXPECT_EQ(conf.nameservers, (std::vector<std::string>{"127.0.0.53", "192.0.2.1"}));
  EXPECT_EQ(conf.searches, (std::vector<std::string>{"corp.example", "lab.example"}));
  EXPECT_EQ(conf.options, (std::vector<std::string>{"edns0", "trust-ad", "ndots:2"}));
  EXPECT_EQ(dns::parse_resolv_conf("domain a.example\nsearch b.example\n").searches,
            std::vector<std::string>{"b.example"});  // the last one wins
}

TEST(PodDns, ClusterFirstIsTheDefault) {
  const PodDns expected{{"10.43.0.10"},
                        {"shop.svc.cluster.local", "svc.cluster.local", "cluster.local",
                         "corp.example", "lab.example"},
                        {"ndots:5"}};
  EXPECT_EQ(dns_for(Json::object()), expected);
  EXPECT_EQ(dns_for({{"dnsPolicy", "ClusterFirst"}}), expected);
  // hostNetwork pods are refused elsewhere, so WithHostNet means ClusterFirst here.
  EXPECT_EQ(dns_for({{"dnsPolicy", "ClusterFirstWithHostNet"}}), expected);
}

TEST(PodDns, ClusterFirstUsesTheNodesDomain) {
  const NodeDnsSettings node{"10.96.0.10", "corp.internal", "/unused"};
  const PodDns dns = pod_dns(Json::object(), "default", node, {});
  EXPECT_EQ(dns.servers, std::vector<std::string>{"10.96.0.10"});
  EXPECT_EQ(dns.searches, (std::vector<std::string>{"default.svc.corp.internal",
                                                    "svc.corp.internal", "corp.internal"}));
}

TEST(PodDns, WithoutAClusterDomainOnlyTheHostsSearchesRemain) {
  const NodeDnsSettings node{"10.43.0.10", "", "/unused"};
  EXPECT_EQ(pod_dns(Json::object(), "shop", node, host()).searches,
            (std::vector<std::string>{"corp.example", "lab.example"}));
}

TEST(PodDns, DefaultTakesTheHostsResolversButNotLoopbackOnes) {
  const PodDns dns = dns_for({{"dnsPolicy", "Default"}});
  EXPECT_EQ(dns.servers, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(dns.searches, (std::vector<std::string>{"corp.example", "lab.example"}));
  EXPECT_EQ(dns.options, (std::vector<std::string>{"edns0", "trust-ad", "ndots:2"}));
}

TEST(PodDns, NoneTakesOnlyTheDnsConfig) {
  const Json spec = {{"dnsPolicy", "None"},
                     {"dnsConfig",
                      {{"nameservers", {"192.0.2.53"}},
                       {"searches", {"my.dns.search.suffix"}},
                       {"options", {{{"name", "ndots"}, {"value", "2"}}, {{"name", "edns0"}}}}}}};
  EXPECT_EQ(dns_for(spec),
            (PodDns{{"192.0.2.53"}, {"my.dns.search.suffix"}, {"ndots:2", "edns0"}}));
}

TEST(PodDns, NoneWithoutANameserverIsAnError) {
  for (const Json& spec :
       {Json{{"dnsPolicy", "None"}},
        Json{{"dnsPolicy", "None"}, {"dnsConfig", {{"searches", {"a.example"}}}}}}) {
    try {
      dns_for(spec);
      ADD_FAILURE() << "accepted " << spec.dump();
    } catch (const SpecError& error) {
      EXPECT_STREQ(error.what(),
                   "spec.dnsConfig.nameservers: Required value: must provide at least one DNS "
                   "nameserver when dnsPolicy is None");
    }
  }
}

TEST(PodDns, DnsConfigIsMergedIntoClusterFirst) {
  const Json spec = {
      {"dnsConfig",
       {{"nameservers", {"192.0.2.53", "10.43.0.10"}},
        {"searches", {"svc.cluster.local", "extra.example"}},
        {"options", {{{"name", "ndots"}, {"value", "1"}}, {{"name", "single-request"}}}}}}};
  const PodDns dns = dns_for(spec);
  EXPECT_EQ(dns.servers, (std::vector<std::string>{"10.43.0.10", "192.0.2.53"}));
  EXPECT_EQ(dns.searches, (std::vector<std::string>{"shop.svc.cluster.local", "svc.cluster.local",
                                                    "cluster.local", "corp.example", "lab.example",
                                                    "extra.example"}));
  EXPECT_EQ(dns.options, (std::vector<std::string>{"ndots:1", "single-request"}));
}

TEST(PodDns, KeepsTheKubeletsLimits) {
  Json servers = Json::array();
  Json searches = Json::array();
  for (int i = 0; i < 5; ++i) servers.push_back("192.0.2." + std::to_string(i + 1));
  for (int i = 0; i < 40; ++i) searches.push_back("s" + std::to_string(i) + ".example");
  const PodDns dns = dns_for(
      {{"dnsPolicy", "None"}, {"dnsConfig", {{"nameservers", servers}, {"searches", searches}}}});
  EXPECT_EQ(dns.servers.size(), 3u);
  EXPECT_EQ(dns.searches.size(), 32u);
}

TEST(PodDns, BadInputIsAClearError) {
  EXPECT_THROW(dns_for({{"dnsPolicy", "Sometimes"}}), SpecError);
  EXPECT_THROW(dns_for({{"dnsConfig", {{"nameservers", "10.0.0.1"}}}}), SpecError);
  EXPECT_THROW(dns_for({{"dnsConfig", {{"options", {{{"value", "1"}}}}}}}), SpecError);
  try {
    dns_for({{"dnsPolicy", "Sometimes"}});
  } catch (const SpecError& error) {
    EXPECT_NE(std::string(error.what()).find("spec.dnsPolicy: Unsupported value: \"Sometimes\""),
              std::string::npos);
  }
}

// The worker hands the pod's resolv.conf and the node's pod network to the sandbox it creates.
class PodWorkerDnsTest : public testing::PodsTest {};

TEST_F(PodWorkerDnsTest, TheSandboxGetsThePodsResolvConfAndNetwork) {
  PodWorkerOptions options = this->options();
  options.dns = {"10.43.0.10", "cluster.local", (root / "resolv.conf").string()};
  std::ofstream(root / "resolv.conf") << "nameserver 192.0.2.1\nsearch corp.example\n";
  options.network = "skiff-pods";
  PodWorker worker(deps(), options, testing::make_pod({testing::container("app")}));
  worker.sync();
  const auto sandboxes = runtime.list_pod_sandboxes({});
  ASSERT_EQ(sandboxes.size(), 1u);
  const auto config = capturing.sandbox_config(sandboxes[0].id);
  EXPECT_EQ(config.network, "skiff-pods");
  EXPECT_EQ(config.dns_servers, std::vector<std::string>{"10.43.0.10"});
  EXPECT_EQ(config.dns_searches,
            (std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local",
                                      "cluster.local", "corp.example"}));
  EXPECT_EQ(config.dns_options, std::vector<std::string>{"ndots:5"});
}

TEST_F(PodWorkerDnsTest, WithoutAClusterDnsTheRuntimeKeepsItsOwn) {
  auto worker = make_worker(testing::make_pod({testing::container("app")}));
  worker->sync();
  const auto config = capturing.sandbox_config(runtime.list_pod_sandboxes({})[0].id);
  EXPECT_TRUE(config.dns_servers.empty());
  EXPECT_TRUE(config.dns_searches.empty());
  EXPECT_TRUE(config.dns_options.empty());
  EXPECT_EQ(config.network, "");
}

TEST_F(PodWorkerDnsTest, ABadDnsConfigKeepsTheContainersWaitingWithTheReason) {
  PodWorkerOptions options = this->options();
  options.dns.cluster_dns = "10.43.0.10";
  PodWorker worker(deps(), options,
                   testing::make_pod({testing::container("app")}, {{"dnsPolicy", "None"}}));
  worker.sync();
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  const std::string status = worker.status().dump();
  EXPECT_NE(status.find("CreateContainerConfigError"), std::string::npos) << status;
  EXPECT_NE(status.find("spec.dnsConfig.nameservers"), std::string::npos) << status;
}

}  // namespace
}  // namespace skiff::agent::pods
