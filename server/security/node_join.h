#pragma once
// How a node gets its identity: POST /v1-skiff/node-certificate with
//   {"nodeName": "<name>", "csr": "<PEM certificate request>"}
// authenticated either by the join token's credential (`Authorization: Bearer server:<secret>`
// or a bootstrap token `<id>.<secret>`), or, to renew, by the node's current client
// certificate (then nodeName must be its own). The answer is the node's client certificate
// (system:node:<name> in system:nodes, signed by the client CA, a year) and the CA bundle:
//   {"certificate": "<PEM>", "caBundle": "<PEM>"}
// The key never leaves the node. A node reinstalled under its old name simply joins again:
// proving the token is enough to be given the name (no node password to trip over), and the
// certificates it had before stop counting (node_identities.h).
#include <functional>
#include <string>

#include "pkg/http/server.h"
#include "pkg/pki/join_token.h"
#include "server/security/cluster_certificates.h"
#include "server/security/node_identities.h"

namespace skiff::security {

inline constexpr const char* kNodeCertificatePath = "/v1-skiff/node-certificate";
inline constexpr const char* kCaCertsPath = "/cacerts";

// "" when a bootstrap token is valid now, else why not (never quoting the secret).
using BootstrapTokenCheck = std::function<std::string(const pki::BootstrapToken&)>;

class NodeJoin {
 public:
  // `server_credential` is the node-token's "server:<secret>". All must outlive this.
  NodeJoin(const ClusterCertificates& certificates, NodeIdentities& identities,
           std::string server_credential, BootstrapTokenCheck bootstrap_tokens);

  http::Response handle(const http::Request& request) const;

 private:
  // "" when the request may be given a certificate for `node`, else the 401 message.
  std::string authenticate(const http::Request& request, const std::string& node) const;

  const ClusterCertificates& certificates_;
  NodeIdentities& identities_;
  const std::string server_credential_;
  BootstrapTokenCheck bootstrap_tokens_;
};

}  // namespace skiff::security
