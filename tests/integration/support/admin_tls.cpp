#include "tests/integration/support/admin_tls.h"

namespace skiff::testing {

boost::asio::ssl::context admin_tls_context(const TestServer& server) {
  namespace ssl = boost::asio::ssl;
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1);
  context.set_verify_mode(ssl::verify_peer);
  context.load_verify_file(server.ca_file());
  context.use_certificate_chain_file(server.admin_cert_file());
  context.use_private_key_file(server.admin_key_file(), ssl::context::pem);
  return context;
}

}  // namespace skiff::testing
