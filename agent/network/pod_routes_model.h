#pragma once
// What the kernel of one node must hold so its pods reach the pods of every other node without
// NAT: a pure function of (this node's name, the backend, the v1 Nodes), so tests compare it
// against golden states and the applier (pod_routes.h) only diffs and executes.
//
//  - host-gw: per remote node `route <podCIDR> via <node InternalIP>`. Works only when the
//    nodes share a link; otherwise the kernel refuses the route (the applier logs it).
//  - vxlan (flannel's layout): one device `skiff-vxlan` (VNI 1, UDP 8472, local = this node's
//    InternalIP, no learning) holding this node's podCIDR network address as a /32, and per
//    remote node a route `<podCIDR> via <podCIDR .0> dev skiff-vxlan onlink`, a permanent
//    neighbour `<podCIDR .0> -> <its VTEP MAC>` and an fdb entry `<its VTEP MAC> dst <its
//    InternalIP>`. A VTEP MAC is derived from the podCIDR (vtep_mac_for), so no annotation has
//    to travel between nodes.
//  - none: nothing (another component routes pod traffic, or there is one node).
//
// Bad input is not an error: a node without a valid spec.podCIDR or InternalIP is left out and
// named in `skipped` with the reason (the caller logs it). Remote nodes are sorted by name.
// This node itself is never routed to; without its own InternalIP (or, for vxlan, podCIDR) the
// vxlan backend has no device and no peers.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/util/ipv4.h"

namespace skiff::agent::network {

enum class PodNetworkBackend { kVxlan, kHostGw, kNone };

// "vxlan", "host-gw", "none" (the server's --network-backend values); nullopt otherwise.
std::optional<PodNetworkBackend> parse_pod_network_backend(std::string_view text);
std::string_view pod_network_backend_name(PodNetworkBackend backend);

inline constexpr const char* kVxlanDevice = "skiff-vxlan";  // <= 15 characters (IFNAMSIZ)
inline constexpr int kVxlanVni = 1;
inline constexpr int kVxlanPort = 8472;    // flannel's, the Linux kernel's VXLAN default
inline constexpr int kVxlanOverhead = 50;  // outer IPv4 + UDP + VXLAN + Ethernet headers
// Routes this component adds carry this protocol number: the applier removes only routes with
// it, so routes of anyone else (the kernel, an admin, a routing daemon) are never touched.
inline constexpr int kPodRouteProtocol = 245;

// 02:73 (locally administered, unicast; 0x73 is 's') followed by the four bytes of the
// podCIDR's network address: 10.42.1.0/24 -> 02:73:0a:2a:01:00.
std::string vtep_mac_for(const util::Ipv4Cidr& pod_cidr);

struct PodRoute {
  std::string destination;  // a remote podCIDR, "10.42.1.0/24"
  std::string via;          // host-gw: the node's IP; vxlan: the remote podCIDR's .0
  std::string device;       // vxlan: kVxlanDevice (with onlink); host-gw: "" (the kernel picks)
  bool operator==(const PodRoute&) const = default;
};

struct VxlanDeviceSpec {
  std::string local_ip;  // this node's InternalIP
  std::string address;   // this node's podCIDR network address, "10.42.0.0" (added as /32)
  std::string mac;       // vtep_mac_for(own podCIDR)
  int mtu = 0;
  bool operator==(const VxlanDeviceSpec&) const = default;
};

struct VxlanPeer {
  std::string node;
  std::string gateway;  // the remote podCIDR's .0: neighbour IP and route via
  std::string mac;      // the remote VTEP MAC
  std::string node_ip;  // fdb dst
  bool operator==(const VxlanPeer&) const = default;
};

struct PodRoutesState {
  std::vector<PodRoute> routes;
  std::optional<VxlanDeviceSpec> vxlan;  // only with the vxlan backend
  std::vector<VxlanPeer> peers;          // neighbour + fdb entries on the vxlan device
  bool operator==(const PodRoutesState&) const = default;
};

struct PodRoutesModel {
  PodRoutesState desired;
  std::vector<std::string> skipped;  // "node b: no spec.podCIDR", ...
};

// `uplink_mtu` is the MTU of the link that carries node-to-node traffic; the vxlan device gets
// uplink_mtu - kVxlanOverhead. `nodes` is a JSON array of v1 Nodes (anything else: no nodes).
PodRoutesModel build_pod_routes_model(std::string_view node_name, PodNetworkBackend backend,
                                      const Json& nodes, int uplink_mtu = 1500);

}  // namespace skiff::agent::network
