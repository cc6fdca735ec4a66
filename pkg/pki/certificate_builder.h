#pragma once
// Internal to pkg/pki: one X509v3 certificate built and signed from a plain description, shared
// by the CA, leaf and CSR paths so every certificate skiff makes has the same shape:
// v3, 128-bit random serial, SHA-256 signature, subjectKeyIdentifier, authorityKeyIdentifier,
// critical basicConstraints and keyUsage, and for leaves extendedKeyUsage and subjectAltName.
#include <chrono>
#include <string>
#include <vector>

#include "pkg/pki/openssl_handles.h"

namespace skiff::pki::detail {

struct CertificateSpec {
  const X509_NAME* subject = nullptr;
  EVP_PKEY* public_key = nullptr;   // what the certificate certifies
  X509* issuer = nullptr;           // null: self-signed by `signing_key`
  EVP_PKEY* signing_key = nullptr;  // the issuer's private key
  bool is_ca = false;
  Usage usage = Usage::ClientAuth;  // leaves only
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::chrono::seconds validity{0};
  std::chrono::seconds backdate{0};
};

// Throws PkiError naming the bad part (an IP address that is not one, a zero validity...).
X509Ptr build_certificate(const CertificateSpec& spec);

}  // namespace skiff::pki::detail
