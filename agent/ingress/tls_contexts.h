#pragma once
// TLS server contexts for the ingress: one per kubernetes.io/tls Secret, and the default one,
// which carries a generated self-signed certificate and picks the certificate for each
// handshake from the server name the client sent (SNI).
#include <map>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "pkg/api/json.h"

namespace skiff::agent::ingress {

class SnapshotHolder;

// TLS 1.2 and newer, the settings every context of the proxy shares.
std::shared_ptr<boost::asio::ssl::context> make_server_context(const std::string& certificate_pem,
                                                               const std::string& key_pem);

// The context used when no Secret matches: a certificate generated now (self-signed, a year),
// and the SNI hook that switches a handshake to the context of the snapshot's Secret for its
// server name. `snapshots` must outlive the context.
std::unique_ptr<boost::asio::ssl::context> make_default_context(const SnapshotHolder& snapshots);

// Contexts for TLS Secrets, kept while a Secret's resourceVersion stays the same, so that a
// snapshot rebuilt for an endpoint change does not parse every certificate again.
class CertificateCache {
 public:
  // The context for a Secret (API JSON), or throws std::runtime_error saying what is wrong with
  // it (not kubernetes.io/tls, missing tls.crt/tls.key, a key that does not match).
  std::shared_ptr<boost::asio::ssl::context> context_for(const Json& secret);
  // Forgets Secrets not looked up since the last call.
  void drop_unused();

 private:
  struct Entry {
    std::string resource_version;
    std::shared_ptr<boost::asio::ssl::context> context;
    bool used = false;
  };
  std::map<std::string, Entry> entries_;  // by "namespace/name"
};

}  // namespace skiff::agent::ingress
