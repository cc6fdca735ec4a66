#pragma once
// Typed, checked views of the API objects the service proxy reads: Services, EndpointSlices
// (discovery.k8s.io/v1) and Endpoints (v1). Parsing is pure and happens once per object; the
// proxy model (proxy_model.h) joins the views.
//
// Contract: every parse_* either returns a view whose names are DNS-1123 labels and whose
// addresses are dotted IPv4 (so they can be written into an nftables script as they are) or
// throws ObjectError naming the object and field. IPv6 and FQDN addresses are not proxied yet:
// they are left out of the views (ipv6_skipped counts them), not reported as errors, because a
// dual-stack object is valid.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::agent::network {

class ObjectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Protocol { Tcp, Udp, Sctp };
enum class TrafficPolicy { Cluster, Local };

// "tcp", "udp", "sctp": the names nftables uses.
const char* nft_protocol(Protocol protocol);

struct ServicePortView {
  std::string name;  // "" for the single unnamed port
  Protocol protocol = Protocol::Tcp;
  int port = 0;
  int node_port = 0;  // 0 = none (type ClusterIP, or not allocated yet)
};

struct ServiceView {
  std::string namespace_name;
  std::string name;
  // False for headless (clusterIP None) and ExternalName services: nothing to proxy.
  bool proxied = true;
  std::vector<ServicePortView> ports;
  std::vector<std::string> cluster_ips;   // IPv4 ones of spec.clusterIPs / spec.clusterIP
  std::vector<std::string> external_ips;  // spec.externalIPs + status.loadBalancer.ingress[].ip
  std::optional<int> affinity_timeout_seconds;  // set when sessionAffinity is ClientIP
  TrafficPolicy external_policy = TrafficPolicy::Cluster;
  TrafficPolicy internal_policy = TrafficPolicy::Cluster;
  int ipv6_skipped = 0;
};

struct EndpointPortView {
  std::string name;
  Protocol protocol = Protocol::Tcp;
  int port = 0;
};

struct EndpointAddressView {
  std::string ip;
  std::string node_name;  // "" when unknown
  bool ready = true;
  bool serving = true;
  bool terminating = false;
};

// One EndpointSlice, or one subset of an Endpoints object: addresses x ports.
struct EndpointGroup {
  std::string namespace_name;
  std::string service_name;
  std::vector<EndpointPortView> ports;
  std::vector<EndpointAddressView> addresses;
  int ipv6_skipped = 0;
};

ServiceView parse_service(const Json& service);
// The service is the slice's kubernetes.io/service-name label; a slice without it is an error.
EndpointGroup parse_endpoint_slice(const Json& slice);
// One group per subset.
std::vector<EndpointGroup> parse_endpoints(const Json& endpoints);

// The items of a list: a JSON array, or an object with "items" (a List as the API returns it);
// null is an empty list. Anything else throws ObjectError.
const Json& list_items(const Json& list, const char* what);

}  // namespace skiff::agent::network
