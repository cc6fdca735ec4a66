#pragma once
// Masquerade for pod traffic: pods reach the outside world with the node's address, while
// pod-to-pod traffic across nodes (destination in the cluster CIDR) keeps the pod's source
// address, as Kubernetes' network model requires.
//
// Why a table of our own: podman's netavark (1.4, iptables driver) puts a nat POSTROUTING rule
// `-s <subnet> ! -d 224.0.0.0/4 -j MASQUERADE` on every bridge network, which would hide pod
// IPs from remote pods. The kernel runs nat chains of one hook in priority order and stops at
// the first that sets up a NAT binding, so the `ip skiff-podnet` table's chain (priority
// srcnat - 10, before netavark's and the service proxy's srcnat chains) makes the decision for
// pod traffic itself: an identity `snat to ip saddr` for destinations in the cluster CIDR
// (binding done, nothing later rewrites the source), `masquerade` for the rest (not multicast).
// Packets another component marked for masquerade — the service proxy's 0x4000 (hairpin,
// traffic from off the pod network) and netavark's port forwarding 0x2000 — are left to it.
//
// Contracts: sync() replaces the whole table in one nft transaction (idempotent; an unchanged
// ruleset is not sent again); remove() deletes the table (uninstall), also when absent.
// Errors from nft are returned as false with a log line, never thrown.
#include <mutex>
#include <string>
#include <string_view>

#include "agent/network/nft_command.h"
#include "pkg/util/ipv4.h"

namespace skiff::agent::network {

inline constexpr std::string_view kPodMasqueradeTable = "skiff-podnet";  // family ip

// The table's full text for this node's podCIDR and the cluster CIDR: pure, golden-tested.
std::string render_pod_masquerade(const util::Ipv4Cidr& pod_cidr,
                                  const util::Ipv4Cidr& cluster_cidr);

class PodMasquerade {
 public:
  explicit PodMasquerade(NftRunnerPtr runner = std::make_unique<NftCommand>());
  bool sync(const util::Ipv4Cidr& pod_cidr, const util::Ipv4Cidr& cluster_cidr);
  bool remove();

 private:
  NftRunnerPtr runner_;
  std::mutex mutex_;
  std::string applied_;  // the ruleset of the last successful sync
};

}  // namespace skiff::agent::network
