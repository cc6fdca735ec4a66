#pragma once
// The agent's embedded cluster DNS (what CoreDNS is in a Kubernetes cluster): UDP and TCP on the
// cluster DNS address, names in the cluster domain answered from Services and EndpointSlices
// (cluster_records.h), every other name forwarded to the node's own resolvers. An A question for
// an ExternalName gets the CNAME plus the target's A records resolved upstream (as CoreDNS
// answers; stub resolvers do not follow a lone CNAME), or the CNAME alone when that fails. The
// agent can use loopback resolvers such as systemd-resolved's 127.0.0.53 that pods cannot reach;
// that is why pods ask the agent and the agent forwards.
//
// Threads: one I/O thread answers; update() may be called from any thread. It builds a new
// immutable snapshot and swaps it in atomically, so answering never waits for an update and an
// update never waits for answers in flight.
//
// Errors: start() throws DnsError when it cannot bind (the message names the address). Forwarded
// queries get SERVFAIL when no upstream answers within the timeout (each upstream is tried in
// resolv.conf order, `upstream_timeout` each). resolv.conf is re-read when it changes.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/dns/cluster_records.h"
#include "pkg/api/json.h"

namespace skiff::agent::dns {

class DnsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClusterDnsOptions {
  std::string listen_address = "10.43.0.10";
  uint16_t port = 53;  // 0 = any free port (tests); port() tells which
  std::string cluster_domain = "cluster.local";
  std::string resolv_conf = "/etc/resolv.conf";  // the upstream resolvers
  uint16_t upstream_port = 53;                   // resolv.conf cannot say; tests point elsewhere
  std::chrono::milliseconds upstream_timeout{2000};
};

class ClusterDns {
 public:
  explicit ClusterDns(ClusterDnsOptions options);
  ~ClusterDns();  // stops
  ClusterDns(const ClusterDns&) = delete;
  ClusterDns& operator=(const ClusterDns&) = delete;

  // Binds UDP and TCP (SO_REUSEADDR, so a restarted agent binds at once) and starts answering.
  // Until the first update() every cluster name is NXDOMAIN. Call once.
  void start();
  // Idempotent; waits for the I/O thread.
  void stop();
  uint16_t port() const;

  // `services` and `endpoint_slices`: JSON arrays of API objects (or Lists).
  void update(const Json& services, const Json& endpoint_slices);
  ClusterRecordsPtr records() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::agent::dns
