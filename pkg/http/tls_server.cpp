#include "pkg/http/tls_server.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <stdexcept>

namespace skiff::http {

namespace ssl = boost::asio::ssl;

namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Accept whatever the client presents; the result of verification is read after the
// handshake (SSL_get_verify_result), so a wrong certificate yields 401, not a dropped socket.
int accept_any_client_certificate(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_server_context(const std::string& certificate_chain_pem,
                                                      const std::string& key_pem,
                                                      const std::string& client_ca_pem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(certificate_chain_pem), ec);
  if (ec) throw std::runtime_error("the serving certificate is not a PEM certificate chain");
  context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) throw std::runtime_error("the serving key is not a PEM private key");
  if (SSL_CTX_check_private_key(native) != 1)
    throw std::runtime_error("the serving key does not match the serving certificate: " +
                             openssl_reason());
  if (!client_ca_pem.empty()) {
    context->add_certificate_authority(boost::asio::buffer(client_ca_pem), ec);
    if (ec) throw std::runtime_error("the client CA is not a PEM certificate");
    // Name the client CA in the CertificateRequest so clients pick the right certificate.
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    BIO* bio = BIO_new_mem_buf(client_ca_pem.data(), static_cast<int>(client_ca_pem.size()));
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
    }
    ERR_clear_error();  // the loop ends on "no start line"
    BIO_free(bio);
    SSL_CTX_set_client_CA_list(native, names);  // takes ownership
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, accept_any_client_certificate);
    // With client certificates requested, OpenSSL resumes a session only within a named
    // context, and without one it fails the resuming handshake with an internal_error alert:
    // libcurl resumes by default, so every reconnect of a kept client (after the server closed
    // an idle connection) failed once. A resumed session keeps the client certificate and its
    // verification result, so the identity is the same as on the full handshake.
    static constexpr unsigned char kSessionContext[] = "skiff-https";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  }
  return context;
}

void TlsContextHolder::set(std::shared_ptr<ssl::context> context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

std::shared_ptr<ssl::context> TlsContextHolder::get() const {
  std::lock_guard lock(mutex_);
  return context_;
}

}  // namespace skiff::http
