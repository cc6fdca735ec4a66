#include "server/security/auth_filter.h"

#include "pkg/api/errors.h"
#include "pkg/api/json.h"
#include "pkg/log/log.h"
#include "server/security/node_join.h"

namespace skiff::security {

namespace {

http::Response status(const api::ApiError& error) {
  return http::Response{static_cast<unsigned>(error.code()),
                        {{"Content-Type", "application/json"}},
                        error.to_status().dump()};
}

bool is_or_under(const std::string& path, std::string_view root) {
  return path == root || (path.starts_with(root) && path[root.size()] == '/');
}

// A node may create only its own Node object; the name is in the body, not the path.
bool creates_another_node(const UserInfo& user, const RequestAttributes& attributes,
                          const http::Request& request) {
  if (attributes.verb != "create" || attributes.resource != "nodes" || user.node_name().empty())
    return false;
  try {
    const Json body = Json::parse(request.body);
    return body.value("metadata", Json::object()).value("name", "") != user.node_name();
  } catch (const std::exception&) {
    return false;  // not JSON: the API server answers 400 itself
  }
}

}  // namespace

bool anonymous_path(const std::string& path) {
  for (std::string_view root : {"/healthz", "/livez", "/readyz", "/version"})
    if (is_or_under(path, root)) return true;
  return path == kCaCertsPath || path == kNodeCertificatePath || path == "/v1-skiff/node-service";
}

AuthFilter::AuthFilter(const Authenticator& authenticator, const NodeGraph& graph,
                       http::Handler next)
    : authenticator_(authenticator), graph_(graph), next_(std::move(next)) {}

http::HandlerResult AuthFilter::operator()(http::Request& request) const {
  if (anonymous_path(request.path)) return next_(request);
  const std::optional<UserInfo> user = authenticator_.authenticate(request);
  if (!user || user->anonymous()) return status(api::unauthorized("Unauthorized"));
  const RequestAttributes attributes = request_attributes(request);
  Decision decision = authorize(*user, attributes, graph_);
  if (decision.allowed && creates_another_node(*user, attributes, request))
    decision = {false, "a node may only create its own Node object"};
  if (!decision.allowed) {
    log::debug("request forbidden", {{"user", user->name}, {"path", request.path}});
    return status(api::forbidden(forbidden_message(*user, attributes, decision.reason)));
  }
  return next_(request);
}

}  // namespace skiff::security
