#include "agent/ingress/tls_contexts.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "agent/ingress/ingress_snapshot.h"
#include "pkg/api/base64.h"
#include "pkg/pki/pki.h"

namespace skiff::agent::ingress {

namespace ssl = boost::asio::ssl;

namespace {

void apply_common_settings(ssl::context& context) {
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  // Resumed sessions skip the certificate work on reconnects.
  SSL_CTX_set_session_cache_mode(context.native_handle(), SSL_SESS_CACHE_SERVER);
}

// Runs inside each handshake that names a server: switch to the certificate of the Secret that
// covers the name, if any. The default certificate is what is left otherwise.
int choose_certificate(SSL* connection, int* /*alert*/, void* argument) {
  const char* name = SSL_get_servername(connection, TLSEXT_NAMETYPE_host_name);
  if (!name) return SSL_TLSEXT_ERR_NOACK;
  const auto& holder = *static_cast<const SnapshotHolder*>(argument);
  const auto snapshot = holder.current();
  if (ssl::context* chosen = snapshot->certificate_for(name)) {
    // The connection takes a reference on the context: the snapshot may go meanwhile.
    SSL_set_SSL_CTX(connection, chosen->native_handle());
  }
  return SSL_TLSEXT_ERR_OK;
}

std::string secret_field(const Json& secret, const char* key) {
  const Json& data =
      secret.contains("data") && secret["data"].is_object() ? secret["data"] : Json::object();
  if (!data.contains(key) || !data[key].is_string()) {
    throw std::runtime_error(std::string("data[\"") + key + "\"] is missing");
  }
  auto decoded = api::base64_decode(data[key].get<std::string>());
  if (!decoded) throw std::runtime_error(std::string("data[\"") + key + "\"] is not base64");
  return *decoded;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_context(const std::string& certificate_pem,
                                                  const std::string& key_pem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  apply_common_settings(*context);
  boost::system::error_code error;
  context->use_certificate_chain(boost::asio::buffer(certificate_pem), error);
  if (error) throw std::runtime_error("tls.crt is not a PEM certificate chain: " + error.message());
  context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, error);
  if (error &&
      ERR_GET_REASON(static_cast<unsigned long>(error.value())) == X509_R_KEY_VALUES_MISMATCH) {
    throw std::runtime_error("tls.key does not match the certificate in tls.crt");
  }
  if (error) throw std::runtime_error("tls.key is not a PEM private key: " + error.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error("tls.key does not match the certificate in tls.crt");
  }
  return context;
}

boost::asio::ssl::context* IngressSnapshot::certificate_for(std::string_view server_name) const {
  const TlsEntry* entry = routes.tls_for(server_name);
  if (!entry) return nullptr;
  auto found = certificates.find(entry->namespace_name + "/" + entry->secret_name);
  return found == certificates.end() ? nullptr : found->second.get();
}

std::unique_ptr<ssl::context> make_default_context(const SnapshotHolder& snapshots) {
  // Clients cannot verify it whatever signs it (as with Traefik's default certificate in k3s);
  // a throwaway issuer keeps it a plain server certificate.
  pki::LeafRequest request;
  request.subject.common_name = "skiff ingress default certificate";
  request.usage = pki::Usage::ServerAuth;
  const pki::KeyPair pair = pki::issue(
      pki::create_ca("skiff ingress default issuer", std::chrono::hours(24 * 365)), request);
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  apply_common_settings(*context);
  context->use_certificate_chain(boost::asio::buffer(pair.certificate_pem));
  context->use_private_key(boost::asio::buffer(pair.key_pem), ssl::context::pem);
  SSL_CTX_set_tlsext_servername_callback(context->native_handle(), choose_certificate);
  SSL_CTX_set_tlsext_servername_arg(context->native_handle(),
                                    const_cast<SnapshotHolder*>(&snapshots));
  return context;
}

std::shared_ptr<ssl::context> CertificateCache::context_for(const Json& secret) {
  const Json& metadata = secret.value("metadata", Json::object());
  const std::string key = metadata.value("namespace", "") + "/" + metadata.value("name", "");
  const std::string version = metadata.value("resourceVersion", "");
  auto& entry = entries_[key];
  entry.used = true;
  if (entry.context && entry.resource_version == version && !version.empty()) {
    return entry.context;
  }
  entry.context.reset();
  if (secret.value("type", "") != "kubernetes.io/tls") {
    throw std::runtime_error("type is \"" + secret.value("type", "") + "\", not kubernetes.io/tls");
  }
  entry.context =
      make_server_context(secret_field(secret, "tls.crt"), secret_field(secret, "tls.key"));
  entry.resource_version = version;
  return entry.context;
}

void CertificateCache::drop_unused() {
  std::erase_if(entries_, [](const auto& item) { return !item.second.used; });
  for (auto& [key, entry] : entries_) entry.used = false;
}

}  // namespace skiff::agent::ingress
