#pragma once
// The service proxy's rules: a ProxyModel rendered as one nftables script that replaces the
// whole `ip skiff` table in a single transaction (`nft -f -`). Pure: same model, same text, so a
// caller can skip applying when nothing changed and tests can compare against golden text.
//
// The design follows kube-proxy's nftables mode:
//  - nat-prerouting / nat-output jump to `services`, which looks up ip daddr . l4proto . dport
//    in the verdict map `service-ips` (ClusterIPs, externalIPs, load balancer ingress IPs) and,
//    for destinations local to this node (fib daddr type local; every node address, loopback
//    excluded), l4proto . dport in `service-nodeports`.
//  - per service port: `service-<key>` (ClusterIP entry: masquerade traffic from off the pod
//    network), `external-<key>` (NodePort/external entry: masquerade, or with
//    externalTrafficPolicy Local only this node's endpoints), `cluster-<key>` and `local-<key>`
//    (a uniform random pick with numgen among the usable endpoints, all or this node's), and one
//    `endpoint-<key>__<ip>/<port>` per endpoint (masquerade hairpin traffic, DNAT).
//    <key> is <namespace>/<service>/<protocol>/<port>.
//  - sessionAffinity ClientIP: a dynamic set per endpoint with the affinity timeout, filled with
//    the client address by the endpoint chain and checked before the random pick.
//  - no usable endpoint: the filter chains (priority -110, before DNAT) reject new connections
//    through `no-endpoint-services` / `no-endpoint-nodeports`; internalTrafficPolicy Local with
//    no endpoint on this node drops ClusterIP traffic instead, as kube-proxy does.
//  - masquerading is a mark (0x4000) set on the way in and a `masquerade fully-random` in
//    nat-postrouting for marked packets.
//
// Replacing the table drops no established flow: conntrack keeps the NAT of existing
// connections, and the nat chains only ever see a flow's first packet. It does reset the
// ClientIP affinity sets (a new connection after a change may pick another endpoint).
#include <string>
#include <string_view>

#include "agent/network/proxy_model.h"

namespace skiff::agent::network {

inline constexpr std::string_view kNftTable = "skiff";  // family ip

// The script that replaces the table with the rules for `model`.
std::string render_ruleset(const ProxyModel& model);

// The script that deletes the table; succeeds when it does not exist.
std::string render_removal();

}  // namespace skiff::agent::network
