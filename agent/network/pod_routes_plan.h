#pragma once
// From the kernel's current pod routes to the desired ones (pod_routes_model.h): parsing what
// `ip -j` / `bridge -j` report, and the commands that close the gap. Pure, so tests feed it
// recorded JSON and compare the command lines.
//
// Only what this component owns is read and changed: routes with protocol kPodRouteProtocol,
// and the device kVxlanDevice with its addresses, permanent neighbours and fdb entries. The
// plan is minimal: an empty plan when the kernel already matches. A vxlan device whose
// identity (VNI, local IP, port, MAC) differs is deleted and created again, and everything on
// it re-added; a different MTU or a device that is down is only set.
#include <optional>
#include <string>
#include <vector>

#include "agent/network/pod_routes_model.h"
#include "pkg/api/json.h"

namespace skiff::agent::network {

struct ObservedVxlanDevice {
  int vni = 0;
  int port = 0;
  std::string local_ip;
  std::string mac;
  int mtu = 0;
  bool up = false;
  std::vector<std::string> addresses;  // "10.42.0.0/32"
  bool operator==(const ObservedVxlanDevice&) const = default;
};

struct ObservedNeighbour {
  std::string ip;
  std::string mac;
  bool operator==(const ObservedNeighbour&) const = default;
};

struct ObservedFdbEntry {
  std::string mac;
  std::string dst;
  bool operator==(const ObservedFdbEntry&) const = default;
};

struct ObservedPodRoutes {
  std::vector<PodRoute> routes;  // device "" unless the route is onlink through kVxlanDevice
  std::optional<ObservedVxlanDevice> vxlan;
  std::vector<ObservedNeighbour> neighbours;
  std::vector<ObservedFdbEntry> fdb;
};

// Parsers of iproute2's JSON output; malformed or empty input yields nothing, never throws.
// `ip -j -4 route show proto <kPodRouteProtocol>`
std::vector<PodRoute> parse_ip_routes(const std::string& json);
// `ip -j -d -4 addr show dev <kVxlanDevice>` (link details and addresses in one answer)
std::optional<ObservedVxlanDevice> parse_vxlan_device(const std::string& json);
// `ip -j -4 neigh show dev <kVxlanDevice> nud permanent`
std::vector<ObservedNeighbour> parse_neighbours(const std::string& json);
// `bridge -j fdb show dev <kVxlanDevice>` (entries without a dst are not ours and ignored)
std::vector<ObservedFdbEntry> parse_fdb(const std::string& json);
// `ip -j -4 addr show`: the MTU of the interface holding `ip`; nullopt when none does.
std::optional<int> mtu_of_interface_with(const std::string& json, const std::string& ip);

// Lines for `ip -force -batch -` and `bridge -force -batch -`, run in that order.
struct PodRoutesPlan {
  std::vector<std::string> ip_commands;
  std::vector<std::string> bridge_commands;
  bool empty() const { return ip_commands.empty() && bridge_commands.empty(); }
};

PodRoutesPlan plan_pod_routes(const PodRoutesState& desired, const ObservedPodRoutes& observed);

}  // namespace skiff::agent::network
