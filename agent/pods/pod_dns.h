#pragma once
// A pod's resolv.conf, as the kubelet computes it (pkg/kubelet/network/dns): from the Pod's
// dnsPolicy and dnsConfig and the node's settings. Pure; the caller reads the host's resolv.conf.
//
//   ClusterFirst (the default) and ClusterFirstWithHostNet (hostNetwork pods are refused
//   elsewhere, so both mean the same here): nameserver <cluster DNS>, search
//   <ns>.svc.<domain> svc.<domain> <domain> + the host's searches, options ndots:5.
//   Default: the host's nameservers, searches and options. Loopback nameservers (127.0.0.53 of
//   systemd-resolved) are left out: a pod cannot reach them; with none left the runtime's own
//   choice stays (podman resolves systemd-resolved's upstreams itself).
//   None: only what dnsConfig gives; it must name at least one nameserver.
// dnsConfig is then merged as the kubelet does: nameservers and searches appended (duplicates
// dropped), options by name (a dnsConfig option replaces the same-named one). Limits as the
// kubelet's: 3 nameservers, 32 searches of at most 2048 characters together (extra ones dropped).
//
// Errors: SpecError naming the field, for an unknown dnsPolicy or a None policy without a
// nameserver.
#include <string>
#include <vector>

#include "agent/dns/resolv_conf.h"
#include "pkg/api/json.h"

namespace skiff::agent::pods {

struct NodeDnsSettings {
  std::string cluster_dns;  // "" = pods keep the runtime's resolv.conf (no cluster DNS)
  std::string cluster_domain = "cluster.local";
  std::string host_resolv_conf = "/etc/resolv.conf";  // for Default, and the host's searches
};

struct PodDns {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;  // "ndots:5", "edns0", ...
  bool operator==(const PodDns&) const = default;
};

// `pod_spec` is the Pod's spec; `host` the node's parsed resolv.conf.
PodDns pod_dns(const Json& pod_spec, const std::string& namespace_name, const NodeDnsSettings& node,
               const dns::ResolvConf& host);

}  // namespace skiff::agent::pods
