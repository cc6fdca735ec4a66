// Certificate signing requests: an agent proves it holds a key and names itself, the server
// reads that back (and checks the proof) before issuing a certificate for the public key.
#include "pkg/pki/openssl_handles.h"

namespace skiff::pki {

std::string create_csr(const std::string& key_pem, const Subject& subject) {
  auto key = detail::parse_private_key(key_pem);
  detail::X509ReqPtr request(X509_REQ_new());
  if (!request) detail::fail("out of memory building a CSR");
  auto name = detail::make_name(subject);
  if (X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(request.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1)
    detail::fail("cannot fill in the CSR");
  if (X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0)
    detail::fail("cannot sign the CSR");
  return detail::csr_pem(request.get());
}

CsrContents read_csr(const std::string& csr_pem) {
  auto request = detail::parse_csr(csr_pem);
  EVP_PKEY* key = X509_REQ_get0_pubkey(request.get());
  if (!key) detail::fail("the CSR's public key cannot be read");
  // The self-signature proves the requester holds the private key of the public key it sends.
  if (X509_REQ_verify(request.get(), key) != 1)
    detail::fail("the CSR's signature does not verify (altered, or not signed by its key)");
  CsrContents contents;
  contents.public_key_pem = detail::public_key_pem(key);
  contents.subject = detail::read_subject(X509_REQ_get_subject_name(request.get()));
  return contents;
}

}  // namespace skiff::pki
