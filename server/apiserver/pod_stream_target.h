#pragma once
// Which container of which pod a log or exec request addresses, and the request's options, as
// Kubernetes decides them before it reaches the kubelet. Pure functions of the stored pod and
// the query; each refusal is the ApiError Kubernetes answers with (400 BadRequest and its
// wording: "a container name must be specified for pod web, choose one of: [a b]",
// "container x is not valid for pod web", "pod web does not have a host assigned").
//
// The container-state checks the kubelet makes (waiting to start, no previous instance) are
// made here from the pod's reported status too, so the common errors need no trip to the node;
// the agent still checks what it finds in its runtime.
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/http/request.h"

namespace skiff::apiserver {

struct PodStreamTarget {
  std::string node_name;
  std::string pod_uid;
  std::string container;
};

// The container named by `container` (or the only one when empty) on the pod's node.
PodStreamTarget resolve_stream_target(const Json& pod, const std::string& pod_name,
                                      const std::string& container);

// PodLogOptions from the query (follow, tailLines, sinceSeconds, sinceTime, timestamps,
// previous, limitBytes), as the JSON the agent receives. 400 for malformed or out-of-range
// values.
Json parse_log_options(const http::Request& request);

// The kubelet's checks of the container's reported state for a log request: 400 when it is
// waiting to start, or when `previous` is asked and there is no terminated previous instance.
// A container without a reported status is left to the agent.
void check_log_status(const Json& pod, const std::string& pod_name, const std::string& container,
                      bool previous);

struct ExecOptions {
  std::vector<std::string> command;
  bool stdin_requested = false;
  bool stdout_requested = false;
  bool stderr_requested = false;
  bool tty = false;
  Json to_json() const;
};
// PodExecOptions from the query; 400 without a command or without any of stdin/stdout/stderr.
ExecOptions parse_exec_options(const http::Request& request);

// 400 when the container's reported state says it is not running (exec needs a running one).
void check_exec_status(const Json& pod, const std::string& container);

}  // namespace skiff::apiserver
