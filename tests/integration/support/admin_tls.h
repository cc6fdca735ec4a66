#pragma once
// For tests and benchmarks that speak HTTP over their own Boost.Beast connections (to measure
// the server without a client library in between): a TLS client context that verifies the
// TestServer with its CA and presents the admin's client certificate, as kubectl would.
#include <boost/asio/ssl/context.hpp>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {

// TLS 1.2 or later, peer verification on. Pair the stream with
// boost::asio::ssl::host_name_verification("127.0.0.1") (the serving certificate names it).
// Throws boost::system::system_error when a file cannot be loaded.
boost::asio::ssl::context admin_tls_context(const TestServer& server);

}  // namespace skiff::testing
