#pragma once
// The service proxy's picture of the cluster, as one node sees it: every Service port to
// forward, the addresses it answers on and the endpoints behind it with their target ports
// resolved. Built by a pure function from API JSON (Services plus EndpointSlices or Endpoints);
// the nftables rules (nft_ruleset.h) are rendered from this model alone.
//
// Contracts:
//  - build_proxy_model never throws on bad input: an object it cannot use is left out and
//    described in ProxyModelBuild::problems ("Service default/web: spec.ports[0].port: ...").
//  - The model is canonical: ports sorted by (namespace, name, protocol, port), backends by
//    (ip, port), no duplicates. Equal inputs give equal models, whatever the list order.
//  - A Service's endpoints come from its EndpointSlices (label kubernetes.io/service-name) when
//    it has any, else from its Endpoints object.
//
// Not here: IPv6 (IPv4 only for now), topology hints, externalIPs ownership checks.
#include <optional>
#include <string>
#include <vector>

#include "agent/network/service_objects.h"
#include "pkg/api/json.h"

namespace skiff::agent::network {

struct Backend {
  std::string ip;
  int port = 0;
  std::string node_name;
  bool ready = true;
  bool serving = true;
  bool terminating = false;
};

// One port of one Service.
struct ProxiedPort {
  std::string namespace_name;
  std::string service_name;
  std::string port_name;
  Protocol protocol = Protocol::Tcp;
  int port = 0;
  int node_port = 0;  // 0 = no NodePort
  std::vector<std::string> cluster_ips;
  std::vector<std::string> external_ips;  // externalIPs and load balancer ingress addresses
  std::optional<int> affinity_timeout_seconds;
  TrafficPolicy external_policy = TrafficPolicy::Cluster;
  TrafficPolicy internal_policy = TrafficPolicy::Cluster;
  std::vector<Backend> backends;  // every endpoint with this port, usable or not
};

struct ProxyModel {
  std::string node_name;
  // The pod network. Traffic to a ClusterIP from outside it is masqueraded so that replies come
  // back through this node; "" turns that off (hairpin and external traffic still are).
  std::string cluster_cidr;
  std::vector<ProxiedPort> ports;
};

struct ProxyModelInput {
  std::string node_name;
  std::string cluster_cidr = "10.42.0.0/16";
  Json services = Json::array();         // v1 Services: an array or a List
  Json endpoint_slices = Json::array();  // discovery.k8s.io/v1 EndpointSlices
  Json endpoints = Json::array();        // v1 Endpoints
};

struct ProxyModelBuild {
  ProxyModel model;
  std::vector<std::string> problems;
};

ProxyModelBuild build_proxy_model(const ProxyModelInput& input);

// The endpoints traffic may go to, as kube-proxy picks them: the ready ones; when there are
// none, the serving ones that are terminating (so a rolling update drains instead of failing).
// With local_only, only those on `node_name` (picked the same way among themselves).
std::vector<Backend> usable_backends(const ProxiedPort& port, bool local_only,
                                     const std::string& node_name);

}  // namespace skiff::agent::network
