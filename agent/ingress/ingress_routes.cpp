// Answering with a built RouteTable: the proxy's per-request hot path, so nothing here allocates.
#include "agent/ingress/ingress_routes.h"

#include <array>

namespace skiff::agent::ingress {

namespace {

// The longest DNS name (RFC 1035 text form without the trailing dot). A longer Host header
// cannot equal any rule host, so it only needs the host-less rules.
constexpr size_t kMaxHostLength = 253;
using HostBuffer = std::array<char, kMaxHostLength>;

// A Host header or TLS server name as the tables key it: lower case, without ":port" and without
// the trailing dot of a fully qualified name. nullopt when it is too long to be a DNS name.
std::optional<std::string_view> normalized_host(std::string_view host, HostBuffer& buffer) {
  if (!host.empty() && host.front() == '[') {  // an IPv6 literal: "[::1]:8080"
    if (size_t close = host.find(']'); close != std::string_view::npos) {
      host = host.substr(0, close + 1);
    }
  } else if (size_t colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.size() > buffer.size()) return std::nullopt;
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    buffer[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buffer.data(), host.size());
}

// What "*.<suffix>" covers `name`: everything after its first label, when that label and the
// rest are both non-empty ("foo.example.com" -> "example.com"; "example" -> none).
std::optional<std::string_view> wildcard_suffix(std::string_view name) {
  size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == name.size()) return std::nullopt;
  return name.substr(dot + 1);
}

// Element-wise prefix: `prefix` is stored without a trailing '/', so "/foo" covers "/foo",
// "/foo/" and "/foo/bar" but not "/foobar"; "" (the rule "/") covers every path.
bool prefix_matches(std::string_view prefix, std::string_view path) {
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

const RouteTarget* RouteTable::first_match(const PathRoutes& routes, std::string_view path,
                                           size_t& paths_compared) {
  for (const PathRoute& route : routes) {
    ++paths_compared;
    bool matches =
        route.kind == PathKind::Exact ? path == route.path : prefix_matches(route.path, path);
    if (matches) return &route.target;
  }
  return nullptr;
}

const RouteTarget* RouteTable::match(std::string_view host, std::string_view path) const {
  size_t paths_compared = 0;
  return match(host, path, paths_compared);
}

const RouteTarget* RouteTable::match(std::string_view host, std::string_view path,
                                     size_t& paths_compared) const {
  if (size_t query = path.find('?'); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  HostBuffer buffer;
  std::optional<std::string_view> name = normalized_host(host, buffer);
  if (name && !name->empty()) {
    if (auto exact = exact_hosts_.find(*name); exact != exact_hosts_.end()) {
      if (const RouteTarget* target = first_match(exact->second, path, paths_compared)) {
        return target;
      }
    }
    if (std::optional<std::string_view> suffix = wildcard_suffix(*name)) {
      if (auto wildcard = wildcard_hosts_.find(*suffix); wildcard != wildcard_hosts_.end()) {
        if (const RouteTarget* target = first_match(wildcard->second, path, paths_compared)) {
          return target;
        }
      }
    }
  }
  if (const RouteTarget* target = first_match(any_host_, path, paths_compared)) return target;
  return default_backend_ ? &*default_backend_ : nullptr;
}

const TlsEntry* RouteTable::tls_for(std::string_view server_name) const {
  HostBuffer buffer;
  std::optional<std::string_view> name = normalized_host(server_name, buffer);
  if (!name || name->empty()) return nullptr;
  if (auto exact = tls_exact_.find(*name); exact != tls_exact_.end()) {
    return &tls_[exact->second];
  }
  if (std::optional<std::string_view> suffix = wildcard_suffix(*name)) {
    if (auto wildcard = tls_wildcard_.find(*suffix); wildcard != tls_wildcard_.end()) {
      return &tls_[wildcard->second];
    }
  }
  return nullptr;
}

}  // namespace skiff::agent::ingress
