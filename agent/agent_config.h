#pragma once
// What one agent needs to know to run a node, whoever starts it: `skiff agent` (flags from the
// command line) or `skiff server` (its embedded agent, which dials the server it is part of).
#include <chrono>
#include <map>
#include <string>

namespace skiff::agent {

struct AgentConfig {
  // The node service (gRPC) to dial, "host:port". Empty: asked from the API server at
  // `server_url` (GET /v1-skiff/node-service), so an agent needs only the URL users know.
  std::string node_service_address;
  std::string
      server_url;     // https://HOST:6443: the node joins there (agent/nodeclient/node_identity.h)
  std::string token;  // K10<CA hash>::<credential> (pkg/pki/join_token.h)
  // How often the node's certificate is checked for renewal.
  std::chrono::milliseconds certificate_check_period{std::chrono::hours(1)};
  std::string node_name;  // empty: the hostname, lower-cased
  std::string node_ip;    // empty: the address of the interface the default route uses
  std::map<std::string, std::string> node_labels;
  // Agent state: pod volumes under <data_dir>/agent/pods/<uid>/, podman's service log.
  std::string data_dir = "/var/lib/skiff";
  // podman's API socket. When nothing answers there, the agent starts `podman system service`
  // on it and stops it on exit (containers keep running: they belong to conmon).
  std::string container_runtime_endpoint = "/run/podman/podman.sock";
  // A containers.conf for the podman service the agent starts (CONTAINERS_CONF), for hosts
  // whose podman defaults do not work (e.g. crun on a cgroup v1 kernel: runtime = "runc").
  // Empty: podman's own configuration.
  std::string container_runtime_config;
  // How often the runtime is listed to notice container exits (the kubelet's PLEG period).
  std::chrono::milliseconds relist_period{1000};
  // The embedded Ingress proxy's ports on every address of the node (-1: that listener off),
  // and whether it logs a line per request. The server decides whether there is an ingress.
  int ingress_http_port = 80;
  int ingress_https_port = 443;
  bool ingress_access_log = false;
};

}  // namespace skiff::agent
