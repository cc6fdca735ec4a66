#pragma once
// TLS server contexts for http::Server (ServerOptions::tls_context): TLS 1.2 and 1.3 only, the
// server's certificate chain and key, and, when a client CA is given, a request for a client
// certificate. Any client certificate is accepted at the handshake and only *verified*
// identities reach the handler (Request::client_identity); deciding what an unverified one may
// do is the application's job (Kubernetes answers 401, not a failed handshake).
#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace skiff::http {

// Throws std::runtime_error naming what is wrong (not PEM, key does not match the certificate).
std::shared_ptr<boost::asio::ssl::context> make_tls_server_context(
    const std::string& certificate_chain_pem, const std::string& key_pem,
    const std::string& client_ca_pem);

// The context connections are given; replaced whole when certificates are renewed.
// Thread-safe.
class TlsContextHolder {
 public:
  void set(std::shared_ptr<boost::asio::ssl::context> context);
  std::shared_ptr<boost::asio::ssl::context> get() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
};

}  // namespace skiff::http
