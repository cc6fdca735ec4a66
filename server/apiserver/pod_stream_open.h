#pragma once
// Shared by the log and exec handlers: open a tunnel stream for a request that passed
// validation and wait for the agent's acceptance (see pod_stream_handlers.h).
#include <memory>

#include "pkg/api/errors.h"
#include "server/apiserver/pod_stream_target.h"
#include "server/apiserver/request_context.h"
#include "server/nodeservice/node_tunnel.h"

namespace skiff::apiserver {

using SharedTunnelStream = std::shared_ptr<nodeservice::TunnelStream>;

// Throws ApiError: 503 without a tunnel or node connection, 504 when the agent does not
// answer, the agent's own status and message when it refuses.
SharedTunnelStream open_accepted_stream(nodeservice::NodeTunnel* tunnel,
                                        nodeservice::TunnelRequest::Kind kind,
                                        const RequestContext& context,
                                        const PodStreamTarget& target, Json options);

// The ApiError for an agent's End frame that refuses a request.
api::ApiError agent_refusal(const nodeservice::TunnelFrame& end);

}  // namespace skiff::apiserver
