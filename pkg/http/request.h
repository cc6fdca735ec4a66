#pragma once
// One parsed HTTP request as the server hands it to a handler: method, decoded path, decoded
// (multi-valued) query parameters, headers, the whole body and the peer address. Plain data;
// no I/O.
#include <any>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::http {

// Who a TLS client proved to be: the subject of a client certificate that chains to the CA the
// server trusts for clients (Kubernetes' x509 authentication: CN is the user, O the groups).
struct PeerIdentity {
  std::string common_name;
  std::vector<std::string> organizations;
  std::chrono::system_clock::time_point not_before{};  // when the certificate became valid
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the raw request target ("/api/v1/pods?watch=1")
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  // In-process requests only: the body as the caller's own object (the API server's Json)
  // instead of text, which spares writing the text and reading it back. The API server takes it
  // out when it reads the body; pkg/http never looks at it.
  std::any object_body;
  std::string remote_address;  // "127.0.0.1:53422"
  bool tls = false;            // arrived over TLS
  // Set only when the client presented a certificate the server verified; a certificate that
  // does not verify leaves it empty (the request is then anonymous, as Kubernetes treats it).
  std::optional<PeerIdentity> client_identity;

  // First value of a query parameter, "" when absent.
  std::string query_value(std::string_view name) const;
  bool has_query(std::string_view name) const;
  std::vector<std::string> query_values(std::string_view name) const;
  // First value of a header (case-insensitive name), "" when absent.
  std::string header(std::string_view name) const;
};

// Percent-decoding; `plus_as_space` for query strings. Malformed escapes are kept verbatim.
std::string percent_decode(std::string_view text, bool plus_as_space);

// Splits a request target into `path` and `query` of `request`.
void parse_target(std::string_view target, Request& request);

bool iequals(std::string_view a, std::string_view b);

}  // namespace skiff::http
