#pragma once
// The header edits a reverse proxy makes, as pure functions over Beast headers (RFC 9110 7.6.1,
// the de-facto X-Forwarded-* set that ingress controllers send).
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

namespace skiff::agent::ingress {

// Where a request goes: the Host header (or the authority of an absolute-form target, which
// wins as RFC 9112 3.2.2 says) and the path without the query.
struct RequestTarget {
  std::string_view host;
  std::string_view path;
};
RequestTarget request_target(const boost::beast::http::request_header<>& request);

// "Connection: upgrade" plus an Upgrade header (WebSocket and other protocol switches).
bool is_upgrade_request(const boost::beast::http::request_header<>& request);

// Removes the hop-by-hop headers: Connection and every header it names, Keep-Alive,
// Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, TE, Trailer and Upgrade.
// Transfer-Encoding stays: the proxy re-frames bodies with the same encoding.
void remove_hop_by_hop(boost::beast::http::fields& fields);

struct ClientFacts {
  std::string_view address;  // the client's IP as text
  bool tls = false;
  unsigned short local_port = 0;  // the listener's port
  std::string_view host;          // as the client sent it
};

// Turns the client's request header into the one sent upstream: hop-by-hop headers removed,
// X-Forwarded-For appended to (a chain the client sent is kept in front), X-Real-IP,
// X-Forwarded-Proto/-Host/-Port set, HTTP/1.1 with keep-alive (the upstream connection is
// pooled), and for an upgrade the Connection/Upgrade pair restored. `Expect: 100-continue` is
// dropped: the proxy answers it itself.
void prepare_upstream_request(boost::beast::http::request_header<>& request,
                              const ClientFacts& client, bool upgrade);

// Turns the upstream's response header into the client's: hop-by-hop headers removed, the
// client's HTTP version, and Connection as the client connection will behave. A chunked body
// cannot be sent to an HTTP/1.0 client: it is sent unframed and the connection closed after it.
// `keep_alive` is updated to what was promised to the client.
void prepare_client_response(boost::beast::http::response_header<>& response,
                             unsigned client_version, bool& keep_alive);

}  // namespace skiff::agent::ingress
