#pragma once
// The ingress proxy's routing, as a pure function of the cluster's Ingress objects: which Service
// port a request (Host header, path) goes to, and which TLS Secret answers a TLS server name.
// Built once per change of the Ingresses and then only read, so the proxy can share one table
// between its threads without a lock and swap whole tables.
//
// Semantics (the Kubernetes Ingress documentation; networking.k8s.io/v1):
//   hosts   exact (case-insensitive; a port and a trailing dot in the Host header are ignored) or
//           "*.example.com", matching exactly one more label ("foo.example.com", neither
//           "example.com" nor "a.b.example.com"); a rule without host matches any host. Rules of
//           every Ingress served by skiff are merged by host.
//   order   the paths of the exact host's rules; when none matches, those of the wildcard host
//           that covers the name; then those of the host-less rules; then the defaultBackend of
//           the oldest Ingress that has one.
//   paths   Exact: the whole path, byte for byte. Prefix: element-wise on "/" with a trailing "/"
//           ignored on both sides ("/foo" matches "/foo", "/foo/", "/foo/bar", not "/foobar";
//           "/" matches every path). ImplementationSpecific is Prefix here (an empty path is
//           "/"). The longest rule path wins; for equal length Exact beats Prefix.
//   merging the same host + path + type in two Ingresses: the oldest Ingress
//           (metadata.creationTimestamp, then namespace/name) wins; the other is a problem.
//   TLS     spec.tls entries; one without hosts covers the hosts of its Ingress's rules. For a
//           server name an exact host beats a wildcard; the oldest Ingress wins a tie.
// Not done here: percent-decoding or dot-segment normalization of paths (paths are compared as
// received), resource backends (reported as problems), IngressClass parameters, annotations.
#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::agent::ingress {

// A Service port in the Ingress's namespace: exactly one of port_number / port_name is set.
struct BackendRef {
  std::string namespace_name, service;
  int port_number = 0;
  std::string port_name;
  auto operator<=>(const BackendRef&) const = default;
};

struct RouteTarget {
  BackendRef backend;
  std::string ingress;  // "namespace/name" of the Ingress that routes here, for logs
};

struct TlsEntry {
  std::vector<std::string> hosts;  // lower case; "*.example.com" for a wildcard
  std::string namespace_name, secret_name;
  std::string ingress;  // "namespace/name"
};

// Whether skiff serves this Ingress: spec.ingressClassName is "skiff", or it has no
// ingressClassName and its legacy annotation kubernetes.io/ingress.class is absent or "skiff".
// False for anything that is not an object.
bool served_by_skiff(const Json& ingress);

class RouteTable {
 public:
  // nullptr when no rule matches (the proxy answers 404). `host` is the Host header as received
  // (any case, maybe ":port", maybe a trailing dot; empty when absent); `path` the request
  // target's path (anything from a '?' on is ignored). No heap allocation: the host is
  // normalized on the stack, and one longer than a DNS name matches host-less rules only. The
  // result points into this table.
  const RouteTarget* match(std::string_view host, std::string_view path) const;
  // The same, also counting the rule paths compared: the cost is bounded by the paths of the
  // hosts that apply to the request (exact, wildcard, host-less), never by the table's size.
  const RouteTarget* match(std::string_view host, std::string_view path,
                           size_t& paths_compared) const;

  // The TLS entry whose hosts cover `server_name` (the SNI name; case and a trailing dot do not
  // matter): an exact host beats a wildcard; nullptr if none.
  const TlsEntry* tls_for(std::string_view server_name) const;

  // Every distinct backend the table can route to, sorted.
  std::vector<BackendRef> backends() const { return backends_; }
  // The usable spec.tls entries, oldest Ingress first.
  const std::vector<TlsEntry>& tls() const { return tls_; }

  bool empty() const {
    return exact_hosts_.empty() && wildcard_hosts_.empty() && any_host_.empty() &&
           !default_backend_;
  }

 private:
  friend class RouteTableBuilder;

  enum class PathKind { Exact, Prefix };
  struct PathRoute {
    std::string path;  // Prefix: without trailing '/' ("/" is "")
    PathKind kind = PathKind::Prefix;
    RouteTarget target;
  };
  // Longest path first, Exact before Prefix at equal length: the first match is the answer.
  using PathRoutes = std::vector<PathRoute>;

  // Lookups by string_view without building a std::string (C++20 heterogeneous lookup).
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  template <typename Value>
  using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

  static const RouteTarget* first_match(const PathRoutes& routes, std::string_view path,
                                        size_t& paths_compared);

  StringMap<PathRoutes> exact_hosts_;     // "foo.example.com"
  StringMap<PathRoutes> wildcard_hosts_;  // "example.com" for "*.example.com"
  PathRoutes any_host_;
  std::optional<RouteTarget> default_backend_;

  std::vector<TlsEntry> tls_;
  StringMap<size_t> tls_exact_;     // host -> index in tls_
  StringMap<size_t> tls_wildcard_;  // "example.com" for "*.example.com" -> index in tls_

  std::vector<BackendRef> backends_;
};

struct RouteTableBuild {
  RouteTable table;
  // What was left out and why, one line each, in a stable order:
  // "Ingress default/web: spec.rules[0].http.paths[1].pathType: ...".
  std::vector<std::string> problems;
};

// Never throws on bad input: an unusable rule, path, backend or TLS entry is left out and
// described in `problems`; the rest of the Ingress still routes. Only Ingresses for which
// served_by_skiff() holds are used (others are skipped silently). The result does not depend on
// the order of `ingresses`.
RouteTableBuild build_route_table(const std::vector<Json>& ingresses);

}  // namespace skiff::agent::ingress
