#include "agent/network/pod_routes_model.h"

#include <algorithm>
#include <cstdio>

namespace skiff::agent::network {
namespace {

struct NodeFacts {
  std::string name;
  std::optional<util::Ipv4Cidr> pod_cidr;
  std::optional<std::string> internal_ip;
};

std::string string_at(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

const Json& member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto found = object.find(key);
  return found != object.end() ? *found : kNull;
}

NodeFacts facts_of(const Json& node) {
  NodeFacts facts;
  facts.name = string_at(member(node, "metadata"), "name");
  facts.pod_cidr = util::parse_ipv4_cidr(string_at(member(node, "spec"), "podCIDR"));
  const Json& addresses = member(member(node, "status"), "addresses");
  if (addresses.is_array()) {
    for (const Json& address : addresses) {
      if (string_at(address, "type") != "InternalIP") continue;
      std::string ip = string_at(address, "address");
      if (util::parse_ipv4(ip)) {
        facts.internal_ip = ip;
        break;
      }
    }
  }
  return facts;
}

// Why a remote node cannot be routed to; "" when it can.
std::string unusable_because(const NodeFacts& facts, const Json& node) {
  if (!facts.pod_cidr) {
    std::string text = string_at(member(node, "spec"), "podCIDR");
    return text.empty() ? "no spec.podCIDR" : "spec.podCIDR " + text + " is not an IPv4 CIDR";
  }
  if (!facts.internal_ip) return "no IPv4 InternalIP in status.addresses";
  return "";
}

}  // namespace

std::optional<PodNetworkBackend> parse_pod_network_backend(std::string_view text) {
  if (text == "vxlan") return PodNetworkBackend::kVxlan;
  if (text == "host-gw") return PodNetworkBackend::kHostGw;
  if (text == "none") return PodNetworkBackend::kNone;
  return std::nullopt;
}

std::string_view pod_network_backend_name(PodNetworkBackend backend) {
  switch (backend) {
    case PodNetworkBackend::kVxlan:
      return "vxlan";
    case PodNetworkBackend::kHostGw:
      return "host-gw";
    case PodNetworkBackend::kNone:
      break;
  }
  return "none";
}

std::string vtep_mac_for(const util::Ipv4Cidr& pod_cidr) {
  char text[18];
  std::snprintf(text, sizeof text, "02:73:%02x:%02x:%02x:%02x", (pod_cidr.network >> 24) & 0xff,
                (pod_cidr.network >> 16) & 0xff, (pod_cidr.network >> 8) & 0xff,
                pod_cidr.network & 0xff);
  return text;
}

PodRoutesModel build_pod_routes_model(std::string_view node_name, PodNetworkBackend backend,
                                      const Json& nodes, int uplink_mtu) {
  PodRoutesModel model;
  if (backend == PodNetworkBackend::kNone || !nodes.is_array()) return model;

  std::optional<NodeFacts> self;
  std::vector<NodeFacts> remotes;
  for (const Json& node : nodes) {
    NodeFacts facts = facts_of(node);
    if (facts.name.empty()) {
      model.skipped.push_back("a node without metadata.name");
      continue;
    }
    if (facts.name == node_name) {
      self = facts;
      continue;
    }
    if (std::string reason = unusable_because(facts, node); !reason.empty()) {
      model.skipped.push_back("node " + facts.name + ": " + reason);
      continue;
    }
    remotes.push_back(std::move(facts));
  }
  std::sort(remotes.begin(), remotes.end(),
            [](const NodeFacts& a, const NodeFacts& b) { return a.name < b.name; });

  // A remote node claiming this node's own podCIDR would take over the local pod routes.
  if (self && self->pod_cidr) {
    std::erase_if(remotes, [&](const NodeFacts& remote) {
      if (remote.pod_cidr->network != self->pod_cidr->network) return false;
      model.skipped.push_back("node " + remote.name + ": spec.podCIDR " + remote.pod_cidr->str() +
                              " is this node's own");
      return true;
    });
  }

  if (backend == PodNetworkBackend::kHostGw) {
    for (const NodeFacts& remote : remotes)
      model.desired.routes.push_back({remote.pod_cidr->str(), *remote.internal_ip, ""});
    return model;
  }

  // vxlan: this node's own VTEP first; without it no peer can be reached.
  if (!self || !self->pod_cidr || !self->internal_ip) {
    model.skipped.push_back("this node (" + std::string(node_name) +
                            "): no vxlan device without its own spec.podCIDR and InternalIP");
    return model;
  }
  model.desired.vxlan =
      VxlanDeviceSpec{*self->internal_ip, util::format_ipv4(self->pod_cidr->network),
                      vtep_mac_for(*self->pod_cidr), uplink_mtu - kVxlanOverhead};
  for (const NodeFacts& remote : remotes) {
    std::string gateway = util::format_ipv4(remote.pod_cidr->network);
    model.desired.routes.push_back({remote.pod_cidr->str(), gateway, kVxlanDevice});
    model.desired.peers.push_back(
        {remote.name, gateway, vtep_mac_for(*remote.pod_cidr), *remote.internal_ip});
  }
  return model;
}

}  // namespace skiff::agent::network
