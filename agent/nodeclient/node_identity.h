#pragma once
// The node's identity: a client certificate (system:node:<name> in system:nodes) the server
// issued for a key that never leaves this machine, and the server's CA. Files under
// <data-dir>/agent/: client-node.key (0600, made once), client-node.crt, server-ca.crt.
//
// Joining (the first time, or when the saved certificate is unusable):
//   1. GET <server>/cacerts WITHOUT trusting anything yet, and compare its SHA-256 with the hash
//      in the K10 token. A mismatch is refused (JoinRefused): whoever answered is not the
//      server the token came from — a typo, another cluster, or a man in the middle.
//   2. POST <server>/v1-skiff/node-certificate with a CSR, authenticated by the token's
//      credential, over TLS verified with that CA. 401 is refused too (a wrong token).
// Renewal: within 90 days of expiry the same POST, authenticated by the current certificate.
// Thread-safe.
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>

#include "pkg/pki/join_token.h"

namespace skiff::agent::nodeclient {

struct NodeCredentials {
  std::string ca_pem;
  std::string certificate_pem;
  std::string key_pem;
};

// Joining cannot succeed by retrying: the CA does not match the token, or the token is refused.
class JoinRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NodeIdentity {
 public:
  // `token` must be a K10 token (pki::parse_join_token). `agent_dir` is <data-dir>/agent.
  NodeIdentity(std::string agent_dir, std::string server_url, pki::JoinToken token,
               std::string node_name);

  // The saved credentials when usable (this node, this CA, not expiring), else joins. Throws
  // JoinRefused, or std::runtime_error for what a retry may fix (server not up yet).
  NodeCredentials ensure();
  // Renews the certificate when due (or `force`). True when renewed. Throws like ensure().
  bool renew_if_due(bool force = false);

  const std::string& server_url() const { return server_url_; }

 private:
  NodeCredentials load_saved() const;  // empty fields when absent
  std::string fetch_verified_ca() const;
  std::string request_certificate(const NodeCredentials& ca_only, bool with_certificate) const;

  const std::string dir_;
  const std::string server_url_;
  const pki::JoinToken token_;
  const std::string node_name_;
  mutable std::mutex mutex_;
};

}  // namespace skiff::agent::nodeclient
