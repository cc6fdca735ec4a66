#pragma once
// The node service as `skiff server` runs it: the NodeService, the TunnelHub and their gRPC
// servicer on their own port (--node-port, 6444 by default), writing through the API
// in-process. Agents dial in; the server never dials them.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pkg/http/server.h"
#include "server/nodeservice/node_certificate_check.h"
#include "server/nodeservice/node_service.h"
#include "server/nodeservice/node_tunnel.h"
#include "server/nodeservice/tunnel_hub.h"
#include "server/store/store.h"

namespace grpc {
class Channel;
}

namespace skiff::nodeservice {

// Mutual TLS for the node service: the serving certificate and key, and the CA node client
// certificates must chain to. The files are watched (every `refresh_seconds`), so renewed
// certificates are served without a restart.
struct NodeServerTls {
  std::string certificate_file;
  std::string key_file;
  std::string client_ca_file;
  unsigned refresh_seconds = 60;
  NodeCertificateCheck check_node_certificate;  // unset: every certificate the CA signed
};

struct NodeServerOptions {
  std::string bind_address = "127.0.0.1";
  int port = 6444;  // 0 picks a free port
  // Set: the port is mutual TLS and callers are the nodes their certificates name. Unset
  // (tests only): the port is plaintext, callers present `token` and may act as any node.
  std::optional<NodeServerTls> tls;
  std::string token;
  NodeServiceOptions service;
  TunnelHubOptions tunnel;
};

class NodeServer {
 public:
  // `store` and `api` (the API server's handler) must outlive the server.
  NodeServer(store::Store& store, http::Handler api, NodeServerOptions options);
  ~NodeServer();
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  // Starts serving; returns the port bound. Throws std::runtime_error when the port cannot be
  // bound.
  uint16_t start();
  // Ends every watch and stream, then stops the gRPC server. Idempotent.
  void stop();

  NodeService& service();
  NodeTunnel& tunnel();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace skiff::nodeservice
