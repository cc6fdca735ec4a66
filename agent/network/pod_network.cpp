#include "agent/network/pod_network.h"

#include "pkg/log/log.h"
#include "pkg/util/ipv4.h"

namespace skiff::agent::network {

namespace podman = runtime::podman;

podman::BridgeNetwork desired_pod_network(const PodNetworkOptions& options) {
  auto cidr = util::parse_ipv4_cidr(options.pod_cidr);
  if (!cidr)
    throw PodNetworkError("pod network: podCIDR \"" + options.pod_cidr +
                          "\" is not an IPv4 CIDR block");
  // Network and broadcast address, the gateway and at least one pod.
  if (cidr->prefix > 29)
    throw PodNetworkError("pod network: podCIDR " + cidr->str() + " is too small for pods");
  if (options.bridge_interface.empty() || options.bridge_interface.size() > 15)
    throw PodNetworkError("pod network: bridge name \"" + options.bridge_interface +
                          "\" must have 1 to 15 characters");
  podman::BridgeNetwork network;
  network.name = options.name;
  network.bridge_interface = options.bridge_interface;
  network.subnet = cidr->str();
  network.gateway = util::format_ipv4(cidr->at(1));
  network.dns_enabled = false;
  network.mtu = options.mtu;
  return network;
}

std::string ensure_pod_network(podman::BridgeNetworks& networks, const PodNetworkOptions& options) {
  const podman::BridgeNetwork wanted = desired_pod_network(options);
  std::optional<podman::BridgeNetwork> existing = networks.inspect(wanted.name);
  if (existing && *existing == wanted) return wanted.name;

  if (existing) {
    std::vector<std::string> users = networks.containers_on(wanted.name);
    if (!users.empty()) {
      std::string names;
      for (const auto& user : users) names += (names.empty() ? "" : ", ") + user;
      throw PodNetworkError("pod network: podman network " + wanted.name + " has subnet " +
                            existing->subnet + " (bridge " + existing->bridge_interface +
                            ") but this node's podCIDR is " + wanted.subnet +
                            "; it cannot be recreated while containers use it: " + names);
    }
    log::info(
        "pod network: recreating the podman network with this node's podCIDR",
        {{"network", wanted.name}, {"old_subnet", existing->subnet}, {"subnet", wanted.subnet}});
    networks.remove(wanted.name);
  }
  networks.create(wanted);
  log::info("pod network: created", {{"network", wanted.name},
                                     {"bridge", wanted.bridge_interface},
                                     {"subnet", wanted.subnet},
                                     {"gateway", wanted.gateway}});
  return wanted.name;
}

}  // namespace skiff::agent::network
