#include "agent/runtime/podman/podman_networks.h"

#include <charconv>

#include "agent/runtime/podman/podman_parse.h"

namespace skiff::agent::runtime::podman {
namespace {

constexpr std::chrono::seconds kTimeout{30};

std::string network_path(const std::string& name) {
  return "/networks/" + url_encode(name);
}

}  // namespace

Json bridge_network_to_json(const BridgeNetwork& network) {
  Json body = {
      {"name", network.name},
      {"driver", "bridge"},
      {"network_interface", network.bridge_interface},
      {"subnets", Json::array({{{"subnet", network.subnet}, {"gateway", network.gateway}}})},
      {"ipv6_enabled", false},
      {"internal", false},
      {"dns_enabled", network.dns_enabled}};
  if (network.mtu > 0) body["options"] = {{"mtu", std::to_string(network.mtu)}};
  return body;
}

BridgeNetwork bridge_network_from_json(const Json& json) {
  BridgeNetwork network;
  network.name = json_string(json, "name");
  network.bridge_interface = json_string(json, "network_interface");
  const Json& subnets = json_member(json, "subnets");
  if (subnets.is_array()) {
    for (const Json& subnet : subnets) {
      std::string cidr = json_string(subnet, "subnet");
      if (cidr.find(':') != std::string::npos) continue;  // IPv6
      network.subnet = cidr;
      network.gateway = json_string(subnet, "gateway");
      break;
    }
  }
  const Json& dns = json_member(json, "dns_enabled");
  network.dns_enabled = dns.is_boolean() && dns.get<bool>();
  std::string mtu = json_string(json_member(json, "options"), "mtu");
  std::from_chars(mtu.data(), mtu.data() + mtu.size(), network.mtu);
  return network;
}

std::optional<BridgeNetwork> PodmanNetworks::inspect(const std::string& name) {
  PodmanResponse response = client_.request("GET", network_path(name) + "/json", {}, kTimeout);
  if (response.status == 404) return std::nullopt;
  if (response.status >= 400)
    throw error_from_response(response.status, response.body, "inspecting network " + name);
  return bridge_network_from_json(parse_json(response.body, "network inspect"));
}

void PodmanNetworks::create(const BridgeNetwork& network) {
  PodmanResponse response =
      client_.request("POST", "/networks/create", bridge_network_to_json(network).dump(), kTimeout);
  if (response.status >= 400)
    throw error_from_response(response.status, response.body, "creating network " + network.name);
}

void PodmanNetworks::remove(const std::string& name) {
  PodmanResponse response = client_.request("DELETE", network_path(name), {}, kTimeout);
  if (response.status == 404) return;
  if (response.status >= 400)
    throw error_from_response(response.status, response.body, "deleting network " + name);
}

std::vector<std::string> PodmanNetworks::containers_on(const std::string& name) {
  Json filters = {{"network", Json::array({name})}};
  PodmanResponse response = client_.request(
      "GET", "/containers/json?all=true&filters=" + url_encode(filters.dump()), {}, kTimeout);
  if (response.status >= 400)
    throw error_from_response(response.status, response.body, "listing containers of " + name);
  std::vector<std::string> names;
  Json list = parse_json(response.body, "container list");
  if (!list.is_array()) return names;
  for (const Json& container : list) {
    const Json& container_names = json_member(container, "Names");
    if (container_names.is_array() && !container_names.empty() &&
        container_names.front().is_string())
      names.push_back(container_names.front().get<std::string>());
    else
      names.push_back(json_string(container, "Id"));
  }
  return names;
}

}  // namespace skiff::agent::runtime::podman
