#pragma once
// The service proxy's rules: a ProxyModel rendered as the nftables ruleset of the `ip skiff`
// table, and as the scripts (`nft -f -`, one transaction each) that put it in place. Pure: same
// model, same text, so tests compare against golden text.
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
// Updates: render_update writes one transaction that changes only what differs between two
// rulesets (map elements, chains, affinity sets), as kube-proxy's partial syncs do; a full
// replace is for the first sync and for recovery. Neither drops an established flow: conntrack
// keeps the NAT of existing connections and nat chains see only a flow's first packet. A full
// replace resets the ClientIP affinity sets; an update keeps those of unchanged endpoints.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/network/proxy_model.h"

namespace skiff::agent::network {

inline constexpr std::string_view kNftTable = "skiff";  // family ip

// The part of the table that depends on the services; the hooks and helper chains are fixed.
struct NftChain {
  std::string name;
  std::vector<std::string> rules;
  bool operator==(const NftChain&) const = default;
};
struct NftSet {  // a ClientIP affinity set
  std::string name;
  int timeout_seconds = 0;
  bool operator==(const NftSet&) const = default;
};
struct NftRuleset {
  // Verdict map elements, "key : verdict".
  std::vector<std::string> service_ips;            // ip . proto . port
  std::vector<std::string> service_nodeports;      // proto . port
  std::vector<std::string> no_endpoint_services;   // ip . proto . port
  std::vector<std::string> no_endpoint_nodeports;  // proto . port
  std::vector<NftSet> sets;
  std::vector<NftChain> chains;
  bool operator==(const NftRuleset&) const = default;
};

// A destination claimed by two service ports (the same externalIP and port, say) goes to the
// first in model order; the other loses it rather than the whole table failing to load.
NftRuleset build_ruleset(const ProxyModel& model);

// The script that replaces the whole table with `rules`.
std::string render_ruleset(const NftRuleset& rules);
std::string render_ruleset(const ProxyModel& model);

// The script that turns a table holding `applied` into one holding `next`, touching only what
// differs; "" when they are equal. std::nullopt when only a full replace can do it (an affinity
// set whose timeout changed).
std::optional<std::string> render_update(const NftRuleset& applied, const NftRuleset& next);

// The script that deletes the table; succeeds when it does not exist.
std::string render_removal();

}  // namespace skiff::agent::network
