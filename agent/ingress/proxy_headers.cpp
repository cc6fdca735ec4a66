#include "agent/ingress/proxy_headers.h"

#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace skiff::agent::ingress {

namespace http = boost::beast::http;

namespace {

bool has_token(std::string_view list, std::string_view token) {
  for (auto item : http::token_list{list}) {
    if (boost::beast::iequals(item, token)) return true;
  }
  return false;
}

}  // namespace

RequestTarget request_target(const http::request_header<>& request) {
  std::string_view target = request.target();
  std::string_view host = request[http::field::host];
  // Absolute form: "http://host[:port]/path?query".
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() > scheme.size() &&
        boost::beast::iequals(target.substr(0, scheme.size()), scheme)) {
      target.remove_prefix(scheme.size());
      auto slash = target.find_first_of("/?");
      host = target.substr(0, slash);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      break;
    }
  }
  std::string_view path = target.substr(0, target.find('?'));
  if (path.empty()) path = "/";
  return {host, path};
}

bool is_upgrade_request(const http::request_header<>& request) {
  return request.count(http::field::upgrade) != 0 &&
         has_token(request[http::field::connection], "upgrade");
}

void remove_hop_by_hop(http::fields& fields) {
  // The headers Connection names are hop-by-hop too (RFC 9110 7.6.1).
  std::vector<std::string> named;
  for (auto token : http::token_list{fields[http::field::connection]}) {
    named.emplace_back(token);
  }
  for (const auto& name : named) fields.erase(name);
  for (http::field field :
       {http::field::connection, http::field::keep_alive, http::field::proxy_connection,
        http::field::proxy_authenticate, http::field::proxy_authorization, http::field::te,
        http::field::trailer, http::field::upgrade}) {
    fields.erase(field);
  }
}

void prepare_upstream_request(http::request_header<>& request, const ClientFacts& client,
                              bool upgrade) {
  std::string upgrade_protocol;
  if (upgrade) upgrade_protocol = std::string(request[http::field::upgrade]);
  const std::string host(client.host);
  remove_hop_by_hop(request);
  if (request[http::field::expect].size() != 0 &&
      boost::beast::iequals(request[http::field::expect], "100-continue")) {
    request.erase(http::field::expect);
  }

  std::string forwarded_for(request["X-Forwarded-For"]);
  forwarded_for = forwarded_for.empty() ? std::string(client.address)
                                        : forwarded_for + ", " + std::string(client.address);
  request.set("X-Forwarded-For", forwarded_for);
  request.set("X-Real-IP", client.address);
  request.set("X-Forwarded-Proto", client.tls ? "https" : "http");
  request.set("X-Forwarded-Host", host);
  request.set("X-Forwarded-Port", std::to_string(client.local_port));
  // An HTTP/1.0 request may come without Host; HTTP/1.1 upstreams require one.
  if (request.count(http::field::host) == 0) request.set(http::field::host, host);

  request.version(11);
  if (upgrade) {
    request.set(http::field::connection, "upgrade");
    request.set(http::field::upgrade, upgrade_protocol);
  }
  // With version 11 and no Connection header the upstream connection stays open.
}

void prepare_client_response(http::response_header<>& response, unsigned client_version,
                             bool& keep_alive) {
  remove_hop_by_hop(response);
  const bool chunked = has_token(response[http::field::transfer_encoding], "chunked");
  if (client_version < 11 && chunked) {
    // HTTP/1.0 has no chunked framing: the end of the body is the end of the connection.
    response.erase(http::field::transfer_encoding);
    keep_alive = false;
  }
  response.version(client_version < 11 ? 10 : 11);
  if (client_version < 11) {
    if (keep_alive) response.set(http::field::connection, "keep-alive");
  } else if (!keep_alive) {
    response.set(http::field::connection, "close");
  }
}

}  // namespace skiff::agent::ingress
