// PEM text <-> OpenSSL objects, and the one place PKI errors are raised from OpenSSL failures.
#include <openssl/err.h>
#include <openssl/pem.h>

#include "pkg/pki/openssl_handles.h"

namespace skiff::pki::detail {

void fail(const std::string& what) {
  ERR_clear_error();
  throw PkiError(what);
}

namespace {

BioPtr read_bio(const std::string& text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) fail("out of memory reading PEM text");
  return bio;
}

BioPtr write_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("out of memory writing PEM text");
  return bio;
}

std::string contents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

// PEM_read_* with a null password callback would prompt on the terminal for an encrypted key;
// this one refuses instead.
int no_password(char*, int, int, void*) {
  return -1;
}

}  // namespace

PkeyPtr parse_private_key(const std::string& pem) {
  auto bio = read_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!key) fail("not a PEM private key (or an encrypted one, which is not supported)");
  return key;
}

PkeyPtr parse_public_key(const std::string& pem) {
  auto bio = read_bio(pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_password, nullptr));
  if (!key) fail("not a PEM public key");
  return key;
}

X509Ptr parse_certificate(const std::string& pem) {
  auto bio = read_bio(pem);
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
  if (!certificate) fail("not a PEM certificate");
  return certificate;
}

X509ReqPtr parse_csr(const std::string& pem) {
  auto bio = read_bio(pem);
  X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, no_password, nullptr));
  if (!request) fail("not a PEM certificate signing request");
  return request;
}

std::string private_key_pem(EVP_PKEY* key) {
  auto bio = write_bio();
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") in OpenSSL 3.
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot encode the private key as PEM");
  return contents(bio.get());
}

std::string public_key_pem(EVP_PKEY* key) {
  auto bio = write_bio();
  if (PEM_write_bio_PUBKEY(bio.get(), key) != 1) fail("cannot encode the public key as PEM");
  return contents(bio.get());
}

std::string certificate_pem(X509* certificate) {
  auto bio = write_bio();
  if (PEM_write_bio_X509(bio.get(), certificate) != 1) fail("cannot encode the certificate as PEM");
  return contents(bio.get());
}

std::string csr_pem(X509_REQ* request) {
  auto bio = write_bio();
  if (PEM_write_bio_X509_REQ(bio.get(), request) != 1) fail("cannot encode the CSR as PEM");
  return contents(bio.get());
}

}  // namespace skiff::pki::detail
