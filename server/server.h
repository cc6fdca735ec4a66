#pragma once
// `skiff server`: opens the store, starts the API server, the controllers and the scheduler
// and the embedded agent, and runs until SIGINT/SIGTERM. Start-up order is explicit
// and each step waits for the previous one to be ready: store -> API -> controllers -> (agent).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pkg/util/flags.h"
#include "pkg/util/ipv4.h"

namespace skiff::server {

// What an agent started beside the server needs to join it.
struct LocalNodeService {
  std::string address;  // "host:port" of the node service
  std::string token;    // the join token (K10 form)
  std::string data_dir;
  std::string server_url;  // https://...:port of the API, where the agent joins
};

// Something that runs beside the server until destroyed: the embedded agent. The server knows
// no agent code (ARCHITECTURE.md: server and agent never include each other); cmd/ composes
// them and hands the server a factory.
class Companion {
 public:
  virtual ~Companion() = default;
};
// Starts the companion once the node service listens; throws (with a message for the user) when
// it cannot run.
using CompanionFactory = std::function<std::unique_ptr<Companion>(const LocalNodeService&)>;

struct ServerConfig {
  std::string data_dir = "/var/lib/skiff";
  // Every address, as k3s: other nodes join over the LAN, and the API is HTTPS with
  // authentication on every path but health, version and the CA bundle.
  std::string bind_address = "0.0.0.0";
  uint16_t https_listen_port = 6443;  // 0 = pick a free port (tests); the chosen one is logged
  bool disable_agent = false;
  std::string datastore_endpoint;  // empty = embedded SQLite under data_dir
  std::string log_level = "info";
  // Write the port actually bound to this file once the API is ready (tests bind port 0).
  std::string ready_file;
  int worker_threads = 32;  // request handlers that may block on the store
  // The admin kubeconfig written once the API is ready (k3s: --write-kubeconfig). Empty = none.
  std::string write_kubeconfig = "/etc/skiff/skiff.yaml";
  unsigned write_kubeconfig_mode = 0600;
  // A node whose lease is not renewed for this long becomes Unknown and unreachable.
  std::chrono::milliseconds node_monitor_grace_period{40'000};
  // Events not written for this long are deleted (kube-apiserver's --event-ttl); 0 keeps them.
  std::chrono::seconds event_ttl{3600};
  // The node service agents dial (gRPC, server/nodeservice/): its port (0 = pick a free one),
  // a file to write the bound port to once it listens, and the shared join token (empty: the
  // one saved in <data-dir>/server/node-token, or a new random one saved there).
  int node_port = 6444;
  std::string node_ready_file;
  std::string token;
  // Encrypt Secrets in the store (--secrets-encryption; key in <data-dir>/server/cred/).
  bool secrets_encryption = false;
  // Extra names and addresses for the serving certificate (--tls-san).
  std::vector<std::string> tls_sans;
  // Bearer tokens (--token-auth-file, Kubernetes' static token CSV). Empty: none.
  std::string token_auth_file;
  // How often the certificates are checked for renewal and for files replaced on disk.
  std::chrono::milliseconds certificate_check_period{std::chrono::minutes(10)};
  // The cluster's networks (k3s' flags and defaults): each node gets a /24 pod subnet out of
  // cluster_cidr; Services get ClusterIPs out of service_cidr and NodePorts from the range;
  // cluster_dns (inside service_cidr) is never handed out unasked and is what agents' DNS
  // answers on.
  util::Ipv4Cidr cluster_cidr{0x0a2a0000u, 16};  // 10.42.0.0/16
  util::Ipv4Cidr service_cidr{0x0a2b0000u, 16};  // 10.43.0.0/16
  util::PortRange service_node_port_range{30000, 32767};
  uint32_t cluster_dns = 0x0a2b000au;  // 10.43.0.10
  std::string cluster_domain = "cluster.local";
  // How agents connect pod subnets across nodes: vxlan, host-gw, or none (the runtime's
  // default network, unmanaged).
  std::string network_backend = "vxlan";
  bool disable_kube_proxy = false;  // agents write no service rules
  // Components turned off with --disable ("servicelb", "dns", "ingress").
  std::set<std::string> disabled;
  // Starts the embedded agent (unless disable_agent); none: the control plane only.
  CompanionFactory embedded_agent;
};

// What `skiff server`'s command line adds beyond the server's own flags: the embedded agent's
// flags and how to start it from them (cmd/ fills this in with the agent's).
struct ServerCommandExtensions {
  std::function<void(util::Flags&)> add_flags;
  // Throws util::FlagError for bad agent flags.
  std::function<CompanionFactory(const util::Flags&)> embedded_agent;
};

// Checks and stores the network flags' values in `config`; returns "" or the message for the
// user ("--service-cidr must be ...").
std::string set_network_flags(ServerConfig& config, const std::string& cluster_cidr,
                              const std::string& service_cidr, const std::string& node_port_range,
                              const std::string& cluster_dns,
                              const std::vector<std::string>& disable);

// Parses the `skiff server` flags and runs. Returns the process exit code.
int server_command(const std::vector<std::string>& args,
                   const ServerCommandExtensions& extensions = {});

// Runs the server until a termination signal. Returns the process exit code.
int run(const ServerConfig& config);

}  // namespace skiff::server
