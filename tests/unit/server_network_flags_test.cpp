// The services plane's server flags: defaults, accepted values and the messages for bad ones.
#include <gtest/gtest.h>

#include "server/server.h"

namespace skiff::server {
namespace {

std::string check(const std::string& cluster, const std::string& service,
                  const std::string& ports = "30000-32767", const std::string& dns = "10.43.0.10",
                  const std::vector<std::string>& disable = {}) {
  ServerConfig config;
  return set_network_flags(config, cluster, service, ports, dns, disable);
}

TEST(ServerNetworkFlags, DefaultsAndGoodValues) {
  ServerConfig config;
  EXPECT_EQ(config.cluster_cidr.str(), "10.42.0.0/16");
  EXPECT_EQ(config.service_cidr.str(), "10.43.0.0/16");
  EXPECT_EQ(config.service_node_port_range.str(), "30000-32767");
  EXPECT_EQ(util::format_ipv4(config.cluster_dns), "10.43.0.10");
  EXPECT_EQ(set_network_flags(config, "10.52.0.0/16", "10.53.0.0/20", "31000-31999", "10.53.0.53",
                              {"servicelb"}),
            "");
  EXPECT_EQ(config.cluster_cidr.str(), "10.52.0.0/16");
  EXPECT_EQ(config.service_cidr.str(), "10.53.0.0/20");
  EXPECT_EQ(config.service_node_port_range.str(), "31000-31999");
  EXPECT_EQ(util::format_ipv4(config.cluster_dns), "10.53.0.53");
  EXPECT_EQ(config.disabled, std::set<std::string>{"servicelb"});
  // Repeated and comma-separated --disable.
  EXPECT_EQ(set_network_flags(config, "10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.10",
                              {"servicelb,servicelb", "servicelb"}),
            "");
  // The cluster DNS can be turned off, under k3s' name for it too.
  EXPECT_EQ(set_network_flags(config, "10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.10",
                              {"coredns,servicelb"}),
            "");
  EXPECT_EQ(config.disabled, (std::set<std::string>{"dns", "servicelb"}));
  // The ingress too, under k3s' name for its ingress controller (Traefik) as well.
  EXPECT_EQ(set_network_flags(config, "10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.10",
                              {"traefik"}),
            "");
  EXPECT_EQ(config.disabled, std::set<std::string>{"ingress"});
  EXPECT_EQ(set_network_flags(config, "10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.10",
                              {"ingress,dns"}),
            "");
  EXPECT_EQ(config.disabled, (std::set<std::string>{"dns", "ingress"}));
}

TEST(ServerNetworkFlags, BadValuesSaySo) {
  struct Case {
    std::string error_part;
    std::string result;
  };
  std::vector<Case> cases = {
      {"--cluster-cidr must be", check("10.42.0.0", "10.43.0.0/16")},
      {"--cluster-cidr must be", check("10.42.0.0/25", "10.43.0.0/16")},
      {"--service-cidr must be", check("10.42.0.0/16", "10.43.0.1/16")},
      {"--service-cidr must be", check("10.42.0.0/16", "10.0.0.0/8")},
      {"must not overlap", check("10.0.0.0/8", "10.43.0.0/16")},
      {"--service-node-port-range must be", check("10.42.0.0/16", "10.43.0.0/16", "32767-30000")},
      {"--cluster-dns must be an IPv4 address",
       check("10.42.0.0/16", "10.43.0.0/16", "30000-32767", "dns")},
      {"must be an address inside --service-cidr",
       check("10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.44.0.10")},
      {"must be an address inside --service-cidr",
       check("10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.1")},
      {"--disable: unknown component \"nginx\" (known: coredns, dns, ingress, servicelb, traefik)",
       check("10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.10", {"servicelb,nginx"})},
      {"--disable: unknown component \"Ingress\"",
       check("10.42.0.0/16", "10.43.0.0/16", "30000-32767", "10.43.0.10", {"Ingress"})},
  };
  for (const auto& c : cases)
    EXPECT_NE(c.result.find(c.error_part), std::string::npos) << c.error_part << " / " << c.result;
  // Through the command: exit code 2 before anything starts.
  EXPECT_EQ(server_command({"--service-cidr", "nope"}), 2);
  EXPECT_EQ(server_command({"--disable", "everything"}), 2);
}

}  // namespace
}  // namespace skiff::server
