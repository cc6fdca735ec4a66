// Private keys: generating them and telling whether one belongs to a certificate.
#include "pkg/pki/openssl_handles.h"

namespace skiff::pki {

std::string generate_key() {
  detail::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) detail::fail("cannot generate an ECDSA P-256 key");
  return detail::private_key_pem(key.get());
}

void check_key_matches(const std::string& key_pem, const std::string& certificate_pem) {
  auto key = detail::parse_private_key(key_pem);
  auto certificate = detail::parse_certificate(certificate_pem);
  EVP_PKEY* certified = X509_get0_pubkey(certificate.get());
  if (!certified) detail::fail("the certificate's public key cannot be read");
  // 1 = same key; 0 = different; negative = different types, which is a mismatch too.
  if (EVP_PKEY_eq(key.get(), certified) != 1)
    detail::fail("the key does not match the certificate");
}

}  // namespace skiff::pki
