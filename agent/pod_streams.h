#pragma once
// The agent's answer to the server's logs and exec requests (the StreamHandler of the node
// protocol): it finds the container by its labels (io.kubernetes.pod.uid and
// io.kubernetes.container.name; the newest attempt is the current instance, the one before it
// the previous) and serves the request with the Runtime.
//
// Wire contract with the API server (server/apiserver/pod_stream_handlers.h):
//  - Once the container is found the first frame is an empty one on channel 1 ("accepted").
//  - A request refused before that ends with exit_code = the HTTP status the API answers with
//    (400 bad request, 404, 500 runtime failure) and the message as error.
//  - Logs: the formatted lines on channel 1; with follow, until the container stops or the
//    server's client goes away. Exec: stdout on 1, stderr on 2, then the command's exit code.
//
// Not here: interactive exec (stdin, tty) and attach/port-forward, refused with a message. An
// exec runs to completion (Runtime::exec_sync, up to exec_timeout) and its output arrives when
// it ends; a client that goes away does not stop the command.
#include <chrono>

#include "agent/nodeclient/node_session.h"
#include "agent/runtime/runtime.h"

namespace skiff::agent {

struct PodStreamsOptions {
  std::chrono::milliseconds exec_timeout{std::chrono::hours(1)};
  // While following a quiet log, how often to check that the server still listens (an empty
  // frame: a write that fails means the client went away).
  std::chrono::milliseconds liveness_interval{1000};
  std::chrono::milliseconds log_poll_interval{100};
};

class PodStreams : public nodeclient::StreamHandler {
 public:
  // `runtime` must outlive this.
  explicit PodStreams(runtime::Runtime& runtime, PodStreamsOptions options = {});

  nodeclient::StreamResult serve(const nodeclient::StreamRequest& request,
                                 nodeclient::StreamChannel& channel) override;

 private:
  nodeclient::StreamResult serve_logs(const nodeclient::StreamRequest& request,
                                      nodeclient::StreamChannel& channel);
  nodeclient::StreamResult serve_exec(const nodeclient::StreamRequest& request,
                                      nodeclient::StreamChannel& channel);
  // The pod's instances of the request's container, newest attempt first.
  std::vector<runtime::ContainerStatus> instances(const nodeclient::StreamRequest& request);

  runtime::Runtime& runtime_;
  const PodStreamsOptions options_;
};

}  // namespace skiff::agent
