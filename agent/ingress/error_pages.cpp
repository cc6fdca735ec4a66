#include "agent/ingress/error_pages.h"

namespace skiff::agent::ingress {

namespace http = boost::beast::http;

namespace {

std::string service_name(const BackendRef& backend) {
  std::string port =
      backend.port_name.empty() ? std::to_string(backend.port_number) : backend.port_name;
  return backend.namespace_name + "/" + backend.service + ":" + port;
}

}  // namespace

ErrorPage not_found_page() {
  return {http::status::not_found, "404 Not Found: no Ingress rule matches this host and path\n"};
}

ErrorPage unavailable_page(const BackendRef& backend) {
  return {
      http::status::service_unavailable,
      "503 Service Unavailable: no ready endpoints for service " + service_name(backend) + "\n"};
}

ErrorPage bad_gateway_page(const BackendRef& backend) {
  return {http::status::bad_gateway,
          "502 Bad Gateway: the backend of service " + service_name(backend) + " failed\n"};
}

ErrorPage gateway_timeout_page(const BackendRef& backend) {
  return {http::status::gateway_timeout, "504 Gateway Timeout: the backend of service " +
                                             service_name(backend) + " did not answer in time\n"};
}

ErrorPage bad_request_page() {
  return {http::status::bad_request, "400 Bad Request\n"};
}

ErrorPage header_too_large_page() {
  return {http::status::request_header_fields_too_large, "431 Request Header Fields Too Large\n"};
}

}  // namespace skiff::agent::ingress
