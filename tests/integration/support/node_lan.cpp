#include "tests/integration/support/node_lan.h"

namespace skiff::testing {

NodeLan::NodeLan(LanLayout layout, int nodes, std::string_view prefix) {
  const std::string role(prefix);
  lan_ = std::make_unique<NetworkNamespace>(role + "lan");
  lan_->must({"sysctl", "-qw", "net.ipv4.ip_forward=1"});
  if (layout == LanLayout::kSharedLink) {
    lan_->must({"ip", "link", "add", "br0", "type", "bridge"});
    lan_->must({"ip", "addr", "add", "192.168.90.254/24", "dev", "br0"});
    lan_->must({"ip", "link", "set", "br0", "up"});
  }
  for (int i = 0; i < nodes; ++i) {
    nodes_.push_back(std::make_unique<NetworkNamespace>(role + "node" + std::to_string(i)));
    const NetworkNamespace& node = *nodes_.back();
    const std::string lan_side = "node" + std::to_string(i);
    node.must({"ip", "link", "add", "eth0", "type", "veth", "peer", "name", lan_side, "netns",
               lan_->name()});
    node.must({"sysctl", "-qw", "net.ipv4.ip_forward=1"});
    std::string node_ip, lan_ip;
    if (layout == LanLayout::kSharedLink) {
      node_ip = "192.168.90." + std::to_string(i + 1);
      lan_ip = "192.168.90.254";
      lan_->must({"ip", "link", "set", lan_side, "master", "br0"});
    } else {
      const std::string net = "192.168." + std::to_string(91 + i) + ".";
      node_ip = net + "1";
      lan_ip = net + "254";
      lan_->must({"ip", "addr", "add", lan_ip + "/24", "dev", lan_side});
    }
    lan_->must({"ip", "link", "set", lan_side, "up"});
    node.must({"ip", "addr", "add", node_ip + "/24", "dev", "eth0"});
    node.must({"ip", "link", "set", "eth0", "up"});
    if (layout == LanLayout::kRouted) node.must({"ip", "route", "add", "default", "via", lan_ip});
    node_ips_.push_back(node_ip);
    lan_ips_.push_back(lan_ip);
  }
}

std::unique_ptr<NetworkNamespace> attach_pod(const NetworkNamespace& node, std::string_view role,
                                             const std::string& bridge, const std::string& gateway,
                                             const std::string& pod_ip) {
  auto pod = std::make_unique<NetworkNamespace>(role);
  if (node.exec({"ip", "link", "show", bridge}).exit_code != 0) {
    node.must({"ip", "link", "add", bridge, "type", "bridge"});
    node.must({"ip", "addr", "add", gateway + "/24", "dev", bridge});
    node.must({"ip", "link", "set", bridge, "up"});
  }
  const std::string node_side = "v" + std::string(role).substr(0, 14);
  node.must({"ip", "link", "add", node_side, "type", "veth", "peer", "name", "eth0", "netns",
             pod->name()});
  node.must({"ip", "link", "set", node_side, "master", bridge});
  node.must({"ip", "link", "set", node_side, "up"});
  pod->must({"ip", "addr", "add", pod_ip + "/24", "dev", "eth0"});
  pod->must({"ip", "link", "set", "eth0", "up"});
  pod->must({"ip", "route", "add", "default", "via", gateway});
  return pod;
}

}  // namespace skiff::testing
