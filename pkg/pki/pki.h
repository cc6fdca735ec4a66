#pragma once
// The cluster's certificates (OpenSSL 3): ECDSA P-256 keys, self-signed CAs, leaf certificates
// they sign, and the checks around them. Pure functions over PEM text plus a few file helpers;
// no global state. Who uses what (ARCHITECTURE.md, "Security"):
//   server CA  signs the API serving certificate (6443) and the node service's (6444)
//   client CA  signs client certificates: the admin's (system:admin, group system:masters) and
//              each node's (system:node:<name>, group system:nodes)
// Every failure throws PkiError with a message that names what was wrong ("not a PEM
// certificate", "the key does not match the certificate"...), never a bare OpenSSL code.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace skiff::pki {

class PkiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Clock = std::chrono::system_clock;

// A private key and its certificate, both PEM.
struct KeyPair {
  std::string key_pem;
  std::string certificate_pem;
};

// A new ECDSA P-256 private key (PKCS#8 PEM).
std::string generate_key();

// Who a certificate names and what it may be used for.
struct Subject {
  std::string common_name;                 // CN: the user ("system:admin", "system:node:pi-1")
  std::vector<std::string> organizations;  // O: the groups ("system:masters")
};

enum class Usage { ServerAuth, ClientAuth };

struct LeafRequest {
  Subject subject;
  Usage usage = Usage::ClientAuth;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries (serving certificates)
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, IPv4 or IPv6 text
  std::chrono::seconds validity{std::chrono::hours(24 * 365)};
  // The leaf's key; empty = a new one is generated (returned in KeyPair::key_pem).
  std::string key_pem;
  // Backdate not-before a little so a peer whose clock is slightly behind accepts it.
  std::chrono::seconds backdate{std::chrono::minutes(5)};
};

// A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign|cRLSign), valid for
// `validity` (CAs last 10 years; leaves are what rotate). A new key when key_pem is empty.
KeyPair create_ca(const std::string& common_name,
                  std::chrono::seconds validity = std::chrono::hours(24 * 365 * 10),
                  const std::string& key_pem = "");

// A leaf certificate signed by `ca` (serial random, 128 bits; authorityKeyIdentifier set).
KeyPair issue(const KeyPair& ca, const LeafRequest& request);

// A certificate signing request (PEM) for `key_pem` naming `subject`: what an agent sends to
// be given its node certificate without its key ever leaving the node.
std::string create_csr(const std::string& key_pem, const Subject& subject);
// The public key (PEM) and subject of a CSR whose self-signature verifies; throws otherwise.
struct CsrContents {
  std::string public_key_pem;
  Subject subject;
};
CsrContents read_csr(const std::string& csr_pem);
// A leaf for a public key the signer does not hold (from a CSR): as issue(), key_pem ignored.
std::string issue_for_public_key(const KeyPair& ca, const std::string& public_key_pem,
                                 const LeafRequest& request);

// What a certificate says.
struct CertificateInfo {
  Subject subject;
  std::string issuer_common_name;
  Clock::time_point not_before;
  Clock::time_point not_after;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool is_ca = false;
  std::string serial_hex;
};
// The first certificate of a PEM bundle.
CertificateInfo inspect(const std::string& certificate_pem);

// Throws PkiError unless `key_pem` is the private key of `certificate_pem`.
void check_key_matches(const std::string& key_pem, const std::string& certificate_pem);

// Whether `certificate_pem` chains to one of the CAs in `ca_bundle_pem` and is valid at `now`.
// Returns "" when it does, else why not ("certificate has expired", "unable to get local issuer
// certificate"...). Throws PkiError when the certificate or the bundle is not PEM at all.
std::string verify(const std::string& certificate_pem, const std::string& ca_bundle_pem,
                   Clock::time_point now = Clock::now());

// Renew when the certificate expires within `window` of `now` (90 days by default, as the
// issue asks; k3s uses the same window) or already has.
bool needs_renewal(const CertificateInfo& certificate, Clock::time_point now,
                   std::chrono::seconds window = std::chrono::hours(24 * 90));

// Lower-case hex SHA-256 of `bytes` (the CA bundle hash in K10 join tokens).
std::string sha256_hex(const std::string& bytes);

// --- files ---
// Reads a whole file; throws PkiError naming the path when it cannot.
std::string read_file(const std::string& path);
// Writes atomically (temp file + fsync + rename) with `mode` set before any byte is written,
// creating parent directories (0700). Throws PkiError naming the path.
void write_file(const std::string& path, const std::string& contents, unsigned mode);

}  // namespace skiff::pki
