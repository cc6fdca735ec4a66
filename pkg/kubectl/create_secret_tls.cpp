#include "pkg/kubectl/create_secret_tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {

namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // Worded as Go's os.ReadFile error, which spells errno texts in lower case.
    std::string reason = std::strerror(errno == 0 ? ENOENT : errno);
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
    throw usage_error("Cannot read file " + path + ", open " + path + ": " + reason);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool has_pem_block(const std::string& text, const std::string& type_suffix) {
  for (std::size_t at = text.find("-----BEGIN "); at != std::string::npos;
       at = text.find("-----BEGIN ", at + 1)) {
    std::size_t end = text.find("-----", at + 11);
    if (end == std::string::npos) return false;
    std::string type = text.substr(at + 11, end - at - 11);
    if (type.size() >= type_suffix.size() &&
        type.compare(type.size() - type_suffix.size(), type_suffix.size(), type_suffix) == 0)
      return true;
  }
  return false;
}

}  // namespace

std::string check_tls_key_pair(const std::string& cert_pem, const std::string& key_pem) {
  auto cert_bio = memory_bio(cert_pem);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    if (has_pem_block(cert_pem, "PRIVATE KEY"))
      return "tls: failed to find certificate PEM data in certificate input, but did find a "
             "private key; PEM inputs may have been switched";
    return "tls: failed to find any PEM data in certificate input";
  }
  auto key_bio = memory_bio(key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    if (has_pem_block(key_pem, "CERTIFICATE"))
      return "tls: found a certificate rather than a key in the PEM for the private key";
    return "tls: failed to find any PEM data in key input";
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return "tls: private key does not match public key";
  }
  return "";
}

Json build_tls_secret(const TlsSecretRequest& request) {
  if (request.cert_path.empty() || request.key_path.empty())
    throw usage_error("key and cert must be specified");
  const std::string cert = read_file(request.cert_path);
  const std::string key = read_file(request.key_path);
  if (std::string problem = check_tls_key_pair(cert, key); !problem.empty())
    throw usage_error(problem);
  Json metadata = {{"name", request.name}};
  if (!request.namespace_name.empty()) metadata["namespace"] = request.namespace_name;
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", std::move(metadata)},
          {"type", "kubernetes.io/tls"},
          {"data", {{"tls.crt", base64_encode(cert)}, {"tls.key", base64_encode(key)}}}};
}

}  // namespace skiff::kubectl
