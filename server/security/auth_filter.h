#pragma once
// The door of the HTTPS API: every request from the network passes here before the API server
// sees it (in-process callers — controllers, the node service — call the API directly).
//   - /healthz, /livez, /readyz, /version (and their sub-paths), /cacerts and the node-service
//     port lookup answer anyone; the node-certificate endpoint authenticates by itself;
//   - everything else needs a verified identity (authenticator.h): none -> 401 Unauthorized;
//   - then authorizer.h decides: no -> 403 Forbidden, worded as Kubernetes words it.
#include <string>

#include "pkg/http/server.h"
#include "server/security/authenticator.h"
#include "server/security/authorizer.h"

namespace skiff::security {

// Paths answered without credentials.
bool anonymous_path(const std::string& path);

class AuthFilter {
 public:
  // All must outlive the filter.
  AuthFilter(const Authenticator& authenticator, const NodeGraph& graph, http::Handler next);

  http::HandlerResult operator()(http::Request& request) const;

 private:
  const Authenticator& authenticator_;
  const NodeGraph& graph_;
  http::Handler next_;
};

}  // namespace skiff::security
