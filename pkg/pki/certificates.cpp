// Certificates skiff signs: self-signed CAs and the leaves they issue (for a key the caller
// holds or only a public key from a CSR).
#include "pkg/pki/certificate_builder.h"
#include "pkg/pki/pki.h"

namespace skiff::pki {

namespace {

// A CA's not-before is backdated like a leaf's, so that a peer whose clock is a little behind
// does not see a CA "not yet valid" right after the first start.
constexpr std::chrono::seconds kCaBackdate = std::chrono::minutes(5);

// The CA certificate and key, checked to belong together and to be a CA before anything is
// signed with them: a mixed-up file then fails here with a clear message instead of producing
// certificates that never verify.
struct Signer {
  detail::X509Ptr certificate;
  detail::PkeyPtr key;
};

Signer load_signer(const KeyPair& ca) {
  Signer signer{detail::parse_certificate(ca.certificate_pem),
                detail::parse_private_key(ca.key_pem)};
  if (EVP_PKEY_eq(signer.key.get(), X509_get0_pubkey(signer.certificate.get())) != 1)
    detail::fail("the CA key does not match the CA certificate");
  if ((X509_get_extension_flags(signer.certificate.get()) & EXFLAG_CA) == 0)
    detail::fail("the signing certificate is not a CA (basicConstraints CA:TRUE is missing)");
  return signer;
}

std::string issue_leaf(const KeyPair& ca, EVP_PKEY* public_key, const LeafRequest& request) {
  Signer signer = load_signer(ca);
  auto subject = detail::make_name(request.subject);
  detail::CertificateSpec spec;
  spec.subject = subject.get();
  spec.public_key = public_key;
  spec.issuer = signer.certificate.get();
  spec.signing_key = signer.key.get();
  spec.is_ca = false;
  spec.usage = request.usage;
  spec.dns_names = request.dns_names;
  spec.ip_addresses = request.ip_addresses;
  spec.validity = request.validity;
  spec.backdate = request.backdate;
  auto certificate = detail::build_certificate(spec);
  return detail::certificate_pem(certificate.get());
}

}  // namespace

KeyPair create_ca(const std::string& common_name, std::chrono::seconds validity,
                  const std::string& key_pem) {
  KeyPair ca;
  ca.key_pem = key_pem.empty() ? generate_key() : key_pem;
  auto key = detail::parse_private_key(ca.key_pem);
  auto subject = detail::make_name(Subject{common_name, {}});
  detail::CertificateSpec spec;
  spec.subject = subject.get();
  spec.public_key = key.get();
  spec.signing_key = key.get();
  spec.is_ca = true;
  spec.validity = validity;
  spec.backdate = kCaBackdate;
  auto certificate = detail::build_certificate(spec);
  ca.certificate_pem = detail::certificate_pem(certificate.get());
  return ca;
}

KeyPair issue(const KeyPair& ca, const LeafRequest& request) {
  KeyPair leaf;
  leaf.key_pem = request.key_pem.empty() ? generate_key() : request.key_pem;
  auto key = detail::parse_private_key(leaf.key_pem);
  leaf.certificate_pem = issue_leaf(ca, key.get(), request);
  return leaf;
}

std::string issue_for_public_key(const KeyPair& ca, const std::string& public_key_pem,
                                 const LeafRequest& request) {
  auto key = detail::parse_public_key(public_key_pem);
  return issue_leaf(ca, key.get(), request);
}

}  // namespace skiff::pki
