#include "server/apiserver/pod_stream_open.h"

#include "pkg/api/errors.h"

namespace skiff::apiserver {

api::ApiError agent_refusal(const nodeservice::TunnelFrame& end) {
  const std::string message = end.error.empty() ? "the node refused the request" : end.error;
  switch (end.exit_code) {
    case 400:
      return api::bad_request(message);
    case 404:
      return api::ApiError(404, "NotFound", message);
    case 503:
      return api::service_unavailable(message);
    default:
      return api::internal_error(message);
  }
}

SharedTunnelStream open_accepted_stream(nodeservice::NodeTunnel* tunnel,
                                        nodeservice::TunnelRequest::Kind kind,
                                        const RequestContext& context,
                                        const PodStreamTarget& target, Json options) {
  if (tunnel == nullptr) {
    throw api::service_unavailable(
        "no node connection: the server does not run the node "
        "service, so pods/" +
        context.subresource + " cannot reach node \"" + target.node_name + "\"");
  }
  nodeservice::TunnelRequest request;
  request.kind = kind;
  request.namespace_name = context.namespace_name;
  request.pod_name = context.name;
  request.pod_uid = target.pod_uid;
  request.container = target.container;
  request.options = std::move(options);
  SharedTunnelStream stream = tunnel->open_stream(target.node_name, request);
  auto first = stream->read();
  if (!first) {
    throw api::service_unavailable("the connection to node \"" + target.node_name +
                                   "\" ended before its agent answered");
  }
  if (first->type == nodeservice::TunnelFrame::Type::End) throw agent_refusal(*first);
  // Anything else is the agent's acceptance (an empty data frame): nothing to keep.
  return stream;
}

}  // namespace skiff::apiserver
