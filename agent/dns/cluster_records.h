#pragma once
// The cluster's DNS records, as the Kubernetes DNS specification (kubernetes/dns
// docs/specification.md) and CoreDNS's kubernetes plugin give them, computed from Services and
// EndpointSlices. Immutable once built: the server swaps whole snapshots, so answering needs no
// lock.
//
// What a name in the cluster domain <zone> answers (TTL 5 s, the kubernetes plugin's default):
//   <svc>.<ns>.svc.<zone>          A: the clusterIP; headless: the ready endpoints' IPs
//                                  (NXDOMAIN when none is ready); ExternalName: a CNAME for any
//                                  type (not followed); SRV: one per port, targeting the service
//   <host>.<svc>.<ns>.svc.<zone>   A: the headless endpoint whose hostname (or dashed IP) is <host>
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for a named port: the service name, or one per
//                                  ready endpoint (its own name and port) for a headless service
//   <a-b-c-d>.<ns>.pod.<zone>      A a.b.c.d (CoreDNS "pods insecure": no pod lookup)
//   <ns>.svc.<zone>, svc.<zone>, pod.<zone>, <ns>.pod.<zone>, <zone>: NODATA when they exist
//                                  (<ns>.svc.<zone> exists when the namespace has services)
//   anything else in <zone>        NXDOMAIN
// A name that exists without records of the asked type (AAAA: services are IPv4 here) is NODATA.
// NXDOMAIN and NODATA carry the zone's SOA. Names outside the zone are forwarded, as are
// in-addr.arpa names this cluster does not own; PTR answers for clusterIPs and headless endpoints.
// Comparisons are case-insensitive; answers echo the question's case.
//
// Objects that cannot be read (no name, a malformed IP) are skipped, never fatal: one bad object
// must not take the cluster's DNS down.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/dns/dns_message.h"
#include "pkg/api/json.h"

namespace skiff::agent::dns {

inline constexpr uint32_t kClusterTtl = 5;

struct ClusterAnswer {
  enum class Kind { Answer, NoData, NxDomain, Forward };
  Kind kind = Kind::Forward;
  std::vector<Record> answers;
  std::vector<Record> additional;
  std::vector<Record> authority;  // the SOA for NoData and NxDomain
};

class ClusterRecords {
 public:
  struct Endpoint {
    uint32_t ip = 0;
    std::string hostname;  // the endpoint's hostname, else its dashed IP
    // "<name>/<proto>" -> port, from the endpoint's slice (shared by the slice's endpoints)
    std::shared_ptr<const std::map<std::string, uint16_t>> ports;
  };
  struct Port {
    std::string name;      // lower case; "" for an unnamed port
    std::string protocol;  // lower case: tcp, udp, sctp
    uint16_t port = 0;
  };
  struct Service {
    enum class Kind { ClusterIp, Headless, ExternalName };
    Kind kind = Kind::ClusterIp;
    uint32_t cluster_ip = 0;
    std::string external_name;
    std::vector<Port> ports;
    std::vector<Endpoint> endpoints;  // ready ones (all, with publishNotReadyAddresses)
    bool publish_not_ready = false;
  };

  // `services` and `endpoint_slices` are JSON arrays of API objects (or Lists with items).
  ClusterRecords(const Json& services, const Json& endpoint_slices,
                 std::string domain = "cluster.local", uint32_t serial = 1);

  ClusterAnswer answer(const Question& question) const;

  const std::string& domain() const { return domain_; }
  size_t service_count() const { return services_.size(); }

 private:
  void add_service(const Json& service);
  void add_slice(const Json& slice);
  ClusterAnswer answer_service_name(const Question& question,
                                    const std::vector<std::string>& labels) const;
  ClusterAnswer answer_pod_name(const Question& question,
                                const std::vector<std::string>& labels) const;
  ClusterAnswer answer_ptr(const Question& question, const std::string& lowered) const;
  ClusterAnswer no_data() const;
  ClusterAnswer nx_domain() const;
  const Service* find(const std::string& namespace_name, const std::string& name) const;
  std::string service_fqdn(const std::string& namespace_name, const std::string& name) const;

  std::string domain_;
  uint32_t serial_;
  std::unordered_map<std::string, Service> services_;  // "<name>.<namespace>"
  std::unordered_map<std::string, int> namespaces_;    // namespace -> services in it
  std::unordered_map<uint32_t, std::string> reverse_;  // IP -> name for PTR
};

using ClusterRecordsPtr = std::shared_ptr<const ClusterRecords>;

}  // namespace skiff::agent::dns
