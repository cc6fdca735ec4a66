#pragma once
// The server's certificates on disk, under <data-dir>/server/tls/ (k3s' file names):
//   server-ca.{crt,key}               signs serving certificates; its .crt is /cacerts and the
//                                     hash in join tokens
//   client-ca.{crt,key}               signs client certificates (admin, nodes)
//   serving-kube-apiserver.{crt,key}  the API's (6443) and the node service's (6444) certificate
//   client-admin.{crt,key}            system:admin in system:masters (the admin kubeconfig)
// Keys are ECDSA P-256, mode 0600. CAs last 10 years; leaves a year and are renewed when within
// the renewal window (90 days) of expiry, when the serving names changed (a new address, a
// new --tls-san), or when missing; renewal keeps the key. Files replaced on disk (by
// `skiff certificate rotate`) are picked up by refresh(). Thread-safe.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pkg/pki/pki.h"

namespace skiff::security {

struct ServerTlsFiles {
  std::string dir;
  std::string server_ca_cert, server_ca_key;
  std::string client_ca_cert, client_ca_key;
  std::string serving_cert, serving_key;
  std::string admin_cert, admin_key;
};
ServerTlsFiles server_tls_files(const std::string& data_dir);

// What the serving certificate must name.
struct ServingNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};
// The names a k3s user expects: the hostname, localhost, every address of this host, 127.0.0.1,
// the `kubernetes` Service's ClusterIP and DNS names, and `extra` (--tls-san: each entry an IP
// address or a DNS name).
ServingNames default_serving_names(const std::string& kubernetes_service_ip,
                                   const std::string& cluster_domain,
                                   const std::vector<std::string>& extra);

// Everything loaded, for one moment.
struct TlsMaterial {
  pki::KeyPair server_ca;
  pki::KeyPair client_ca;
  pki::KeyPair serving;
  pki::KeyPair admin;
};

class ClusterCertificates {
 public:
  // Creates what is missing and renews what is due, then loads. Throws pki::PkiError naming the
  // file when something on disk is unusable (a key that does not match its certificate...).
  ClusterCertificates(std::string data_dir, ServingNames names,
                      std::chrono::seconds renew_window = std::chrono::hours(24 * 90));

  // Re-reads the files and renews what is due at `now`. Returns what changed since the last
  // load ("serving", "admin", "ca"), empty when nothing did.
  std::vector<std::string> refresh(pki::Clock::time_point now = pki::Clock::now());

  std::shared_ptr<const TlsMaterial> material() const;
  const ServerTlsFiles& files() const { return files_; }

  // A node's client certificate (system:node:<node> in system:nodes) for a public key, signed
  // by the client CA, valid for a year.
  std::string issue_node_certificate(const std::string& node,
                                     const std::string& public_key_pem) const;

 private:
  TlsMaterial ensure_and_load(pki::Clock::time_point now);

  const std::string data_dir_;
  const ServingNames names_;
  const std::chrono::seconds renew_window_;
  const ServerTlsFiles files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const TlsMaterial> material_;
};

// `skiff certificate rotate`: new keys and certificates for every leaf (serving, admin), the
// serving one with the names it has now. A running server picks them up on its next refresh.
// Returns the files written.
std::vector<std::string> rotate_leaf_certificates(const std::string& data_dir);

// `skiff certificate check`: every certificate under <data-dir>/server/tls and the agent's,
// with its subject and expiry.
struct CertificateFileStatus {
  std::string path;
  std::string subject;
  pki::Clock::time_point not_after;
  std::string problem;  // "" when it reads and verifies; else what is wrong
};
std::vector<CertificateFileStatus> check_certificate_files(const std::string& data_dir);

}  // namespace skiff::security
