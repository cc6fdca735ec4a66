#pragma once
// `kubectl create ingress NAME --rule=... --default-backend=... --class=... --annotation=k=v`:
// the Ingress built from the flags, with kubectl's grammar and error messages. Pure.
//
// A rule is `host/path=service:port[,tls[=secret]]`:
//  - host may be empty (any host); letters, digits, '_', '-', '.' and '*'.
//  - path starts at the first '/'; a trailing '*' means pathType Prefix (the star dropped),
//    otherwise Exact. Rules of one host share one IngressRule, in order.
//  - port is a number (a 32-bit integer) or else a port name.
//  - `,tls` (anything after the comma) adds the host to spec.tls, grouped by secret; `,tls=S`
//    names the secret S. A host is listed once, under its first secret. As in kubectl, a rule
//    with more than one comma gets no tls, and a host-less rule without a secret adds none.
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct IngressRequest {
  std::string name;
  std::string namespace_name;
  std::string class_name;       // "" = no spec.ingressClassName (the server may default it)
  std::string default_backend;  // "" or "service:port"
  std::vector<std::string> rules;
  std::vector<std::string> annotations;  // "key=value" ("key=" allowed)
};

// Throws usage_error with kubectl's message for a rule, annotation or backend it rejects, and
// when there is neither a rule nor a default backend.
Json build_ingress(const IngressRequest& request);

}  // namespace skiff::kubectl
