#pragma once
// pods/{name}/log and pods/{name}/exec: the API edge of the reverse tunnel. Both validate the
// request against the stored pod (pod_stream_target.h), open a stream to the agent of the pod's
// node through the NodeTunnel, and wait for the agent's first frame: an empty one means it
// found the container, an End frame means it could not (its exit_code is the HTTP status to
// answer with, its error the message). Only then is the response started, so failures reach
// kubectl as a Status with the right code.
//
//  - log: the whole log as text/plain, or with follow=true a chunked stream pumped by a thread
//    of StreamThreads until the container stops or the client goes away (which cancels the
//    tunnel stream). limitBytes is enforced here.
//  - exec: WebSocket with the v5.channel.k8s.io subprotocol only (what kubectl 1.30+ offers):
//    agent output on channels 1 and 2, then a Status on channel 3 (Success, or Failure with
//    reason NonZeroExitCode and the exit code in details.causes), then a close frame. Anything
//    else (kubectl's SPDY/3.1 fallback POST, a plain GET) gets a 400 Status after the same
//    validation, so kubectl shows the same error for both attempts. Interactive exec (stdin,
//    tty) is refused for now: the agent runs commands to completion (exec_sync).
// `tunnel` may be null (no node service): 503 "no node connection".
#include "pkg/http/server.h"
#include "server/apiserver/request_context.h"
#include "server/apiserver/stream_threads.h"
#include "server/nodeservice/node_tunnel.h"

namespace skiff::apiserver {

http::HandlerResult handle_pod_log(RequestContext& context, nodeservice::NodeTunnel* tunnel,
                                   StreamThreads& threads);
http::HandlerResult handle_pod_exec(RequestContext& context, nodeservice::NodeTunnel* tunnel,
                                    StreamThreads& threads);

// The Status sent on channel 3 when an exec ends with `end` (an End frame).
Json exec_status(const nodeservice::TunnelFrame& end);

}  // namespace skiff::apiserver
