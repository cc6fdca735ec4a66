#pragma once
// The short answers the proxy gives itself when it cannot pass a request on. They name the
// Service (which the user chose) but never a pod address.
#include <string>

#include <boost/beast/http/status.hpp>

#include "agent/ingress/ingress_routes.h"

namespace skiff::agent::ingress {

struct ErrorPage {
  boost::beast::http::status status;
  std::string body;
};

ErrorPage not_found_page();                                 // 404: no rule for host and path
ErrorPage unavailable_page(const BackendRef& backend);      // 503: no ready endpoint
ErrorPage bad_gateway_page(const BackendRef& backend);      // 502: the upstream failed
ErrorPage gateway_timeout_page(const BackendRef& backend);  // 504: the upstream was too slow
ErrorPage bad_request_page();                               // 400: unparsable request
ErrorPage header_too_large_page();                          // 431

}  // namespace skiff::agent::ingress
