#include "agent/network/pod_routes_plan.h"

#include <algorithm>

namespace skiff::agent::network {
namespace {

Json parse_array(const std::string& json) {
  Json parsed = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  return parsed.is_array() ? parsed : Json::array();
}

std::string text_at(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

int number_at(const Json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<int>() : 0;
}

bool has_flag(const Json& object, const char* key, std::string_view flag) {
  if (!object.is_object()) return false;
  auto found = object.find(key);
  if (found == object.end() || !found->is_array()) return false;
  return std::any_of(found->begin(), found->end(),
                     [&](const Json& item) { return item.is_string() && item == flag; });
}

// The kernel prints a /32 route without its prefix length.
std::string with_prefix(std::string destination) {
  if (destination.find('/') == std::string::npos) destination += "/32";
  return destination;
}

std::string route_command(const PodRoute& route) {
  std::string line = "route replace " + route.destination + " via " + route.via;
  if (!route.device.empty()) line += " dev " + route.device + " onlink";
  return line + " proto " + std::to_string(kPodRouteProtocol);
}

// Whether the kernel's route is the desired one. A host-gw route names no device (the kernel
// picks the interface that reaches `via`), so the observed one is not compared.
bool same_route(const PodRoute& desired, const PodRoute& observed) {
  return desired.destination == observed.destination && desired.via == observed.via &&
         (desired.device.empty() || desired.device == observed.device);
}

bool same_identity(const VxlanDeviceSpec& desired, const ObservedVxlanDevice& observed) {
  return observed.vni == kVxlanVni && observed.port == kVxlanPort &&
         observed.local_ip == desired.local_ip && observed.mac == desired.mac;
}

template <typename Range, typename Predicate>
bool any(const Range& range, Predicate predicate) {
  return std::any_of(range.begin(), range.end(), predicate);
}

}  // namespace

std::vector<PodRoute> parse_ip_routes(const std::string& json) {
  std::vector<PodRoute> routes;
  for (const Json& route : parse_array(json)) {
    std::string destination = text_at(route, "dst");
    if (destination.empty()) continue;
    std::string device = text_at(route, "dev");
    // The device is recorded only for our onlink vxlan routes, as the desired state has it.
    if (device != kVxlanDevice) device.clear();
    routes.push_back({with_prefix(destination), text_at(route, "gateway"), device});
  }
  return routes;
}

std::optional<ObservedVxlanDevice> parse_vxlan_device(const std::string& json) {
  for (const Json& link : parse_array(json)) {
    if (text_at(link, "ifname") != kVxlanDevice) continue;
    ObservedVxlanDevice device;
    device.mac = text_at(link, "address");
    device.mtu = number_at(link, "mtu");
    device.up = has_flag(link, "flags", "UP");
    if (link.contains("linkinfo")) {
      const Json& info = link["linkinfo"];
      if (text_at(info, "info_kind") == "vxlan" && info.contains("info_data")) {
        const Json& data = info["info_data"];
        device.vni = number_at(data, "id");
        device.port = number_at(data, "port");
        device.local_ip = text_at(data, "local");
      }
    }
    if (link.contains("addr_info") && link["addr_info"].is_array()) {
      for (const Json& address : link["addr_info"]) {
        if (text_at(address, "family") != "inet") continue;
        device.addresses.push_back(text_at(address, "local") + "/" +
                                   std::to_string(number_at(address, "prefixlen")));
      }
    }
    return device;
  }
  return std::nullopt;
}

std::vector<ObservedNeighbour> parse_neighbours(const std::string& json) {
  std::vector<ObservedNeighbour> neighbours;
  for (const Json& entry : parse_array(json)) {
    std::string ip = text_at(entry, "dst");
    if (!ip.empty()) neighbours.push_back({ip, text_at(entry, "lladdr")});
  }
  return neighbours;
}

std::vector<ObservedFdbEntry> parse_fdb(const std::string& json) {
  std::vector<ObservedFdbEntry> entries;
  for (const Json& entry : parse_array(json)) {
    std::string dst = text_at(entry, "dst");
    std::string mac = text_at(entry, "mac");
    if (!dst.empty() && !mac.empty()) entries.push_back({mac, dst});
  }
  return entries;
}

std::optional<int> mtu_of_interface_with(const std::string& json, const std::string& ip) {
  for (const Json& link : parse_array(json)) {
    if (!link.contains("addr_info") || !link["addr_info"].is_array()) continue;
    for (const Json& address : link["addr_info"])
      if (text_at(address, "local") == ip && number_at(link, "mtu") > 0)
        return number_at(link, "mtu");
  }
  return std::nullopt;
}

PodRoutesPlan plan_pod_routes(const PodRoutesState& desired, const ObservedPodRoutes& observed) {
  PodRoutesPlan plan;
  auto& ip = plan.ip_commands;
  const std::string device = kVxlanDevice;

  // 1. Routes that are no longer wanted go first, while their device still exists.
  for (const PodRoute& route : observed.routes) {
    if (!any(desired.routes,
             [&](const PodRoute& wanted) { return wanted.destination == route.destination; }))
      ip.push_back("route del " + route.destination + " proto " +
                   std::to_string(kPodRouteProtocol));
  }

  // 2. The device. After a (re)creation nothing is on it: neighbours, fdb entries and its
  // routes must all be added again.
  bool device_is_new = false;
  if (!desired.vxlan) {
    if (observed.vxlan) ip.push_back("link del " + device);
  } else {
    const VxlanDeviceSpec& want = *desired.vxlan;
    if (observed.vxlan && !same_identity(want, *observed.vxlan)) ip.push_back("link del " + device);
    if (!observed.vxlan || !same_identity(want, *observed.vxlan)) {
      device_is_new = true;
      ip.push_back("link add " + device + " address " + want.mac + " mtu " +
                   std::to_string(want.mtu) + " type vxlan id " + std::to_string(kVxlanVni) +
                   " local " + want.local_ip + " dstport " + std::to_string(kVxlanPort) +
                   " nolearning");
      ip.push_back("link set " + device + " up");
    } else if (observed.vxlan->mtu != want.mtu || !observed.vxlan->up) {
      ip.push_back("link set " + device + " mtu " + std::to_string(want.mtu) + " up");
    }
    const std::string own_address = want.address + "/32";
    const std::vector<std::string> no_addresses;
    const auto& addresses = device_is_new ? no_addresses : observed.vxlan->addresses;
    for (const std::string& address : addresses)
      if (address != own_address) ip.push_back("address del " + address + " dev " + device);
    if (std::find(addresses.begin(), addresses.end(), own_address) == addresses.end())
      ip.push_back("address replace " + own_address + " dev " + device);

    // 3. Neighbours and fdb entries of the peers.
    const std::vector<ObservedNeighbour> no_neighbours;
    const auto& neighbours = device_is_new ? no_neighbours : observed.neighbours;
    for (const ObservedNeighbour& neighbour : neighbours)
      if (!any(desired.peers, [&](const VxlanPeer& peer) { return peer.gateway == neighbour.ip; }))
        ip.push_back("neigh del " + neighbour.ip + " dev " + device);
    for (const VxlanPeer& peer : desired.peers)
      if (!any(neighbours, [&](const ObservedNeighbour& neighbour) {
            return neighbour == ObservedNeighbour{peer.gateway, peer.mac};
          }))
        ip.push_back("neigh replace " + peer.gateway + " lladdr " + peer.mac + " dev " + device +
                     " nud permanent");

    const std::vector<ObservedFdbEntry> no_entries;
    const auto& entries = device_is_new ? no_entries : observed.fdb;
    for (const ObservedFdbEntry& entry : entries)
      if (!any(desired.peers, [&](const VxlanPeer& peer) {
            return ObservedFdbEntry{peer.mac, peer.node_ip} == entry;
          }))
        plan.bridge_commands.push_back("fdb del " + entry.mac + " dev " + device + " dst " +
                                       entry.dst + " self");
    for (const VxlanPeer& peer : desired.peers)
      if (!any(entries, [&](const ObservedFdbEntry& entry) {
            return entry == ObservedFdbEntry{peer.mac, peer.node_ip};
          }))
        plan.bridge_commands.push_back("fdb replace " + peer.mac + " dev " + device + " dst " +
                                       peer.node_ip + " self permanent");
  }

  // 4. Routes, last: an onlink route through the vxlan device needs the device up.
  for (const PodRoute& route : desired.routes) {
    bool present = any(observed.routes, [&](const PodRoute& existing) {
      return same_route(route, existing) && !(device_is_new && existing.device == device);
    });
    if (!present) ip.push_back(route_command(route));
  }
  return plan;
}

}  // namespace skiff::agent::network
