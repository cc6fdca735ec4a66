#pragma once
// The reverse tunnel, as the API server sees it: open a byte stream to a pod on a node (logs,
// exec, attach, port-forward) although the server never dials the node. The agent keeps a
// Tunnel call open; a request travels down it and the agent answers with a Stream call of its
// own (proto/node.proto). NodeTunnel is what the API server's log/exec handlers will call.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pkg/api/json.h"

namespace skiff::nodeservice {

struct TunnelRequest {
  enum class Kind { Logs, Exec, Attach, PortForward };
  Kind kind = Kind::Logs;
  std::string namespace_name;
  std::string pod_name;
  std::string pod_uid;
  std::string container;
  Json options = Json::object();  // PodLogOptions, PodExecOptions, ... as the API shapes them
};

// One frame either way. Channels number as Kubernetes' remote command protocol does: 0 stdin,
// 1 stdout, 2 stderr; logs and port-forward use 1.
struct TunnelFrame {
  enum class Type { Data, Close, Resize, End };
  Type type = Type::Data;
  uint32_t channel = 1;
  std::string data;                // Data
  uint32_t width = 0, height = 0;  // Resize
  int exit_code = 0;               // End (from the agent)
  std::string error;               // End: why it could not run, or why it was cancelled

  static TunnelFrame bytes(uint32_t channel, std::string data) {
    TunnelFrame frame;
    frame.channel = channel;
    frame.data = std::move(data);
    return frame;
  }
  static TunnelFrame close(uint32_t channel) {
    TunnelFrame frame;
    frame.type = Type::Close;
    frame.channel = channel;
    return frame;
  }
  static TunnelFrame end(int exit_code, std::string error = "") {
    TunnelFrame frame;
    frame.type = Type::End;
    frame.exit_code = exit_code;
    frame.error = std::move(error);
    return frame;
  }
};

// The server's end of one stream. read() and write() may be called from two threads at once.
// Destroying it cancels the stream when it has not ended.
class TunnelStream {
 public:
  virtual ~TunnelStream() = default;
  // The next frame from the agent, blocking; none once the stream ended (after the agent's End
  // frame, a cancel, or a broken connection: then the last frame read was not an End).
  virtual std::optional<TunnelFrame> read() = 0;
  // To the agent (stdin, resize, close). False when the stream is gone.
  virtual bool write(const TunnelFrame& frame) = 0;
  // Tells the agent to stop (an End frame) and ends the stream. Idempotent.
  virtual void cancel() = 0;
};
using TunnelStreamPtr = std::unique_ptr<TunnelStream>;

class NodeTunnel {
 public:
  virtual ~NodeTunnel() = default;
  // Throws api::ApiError: 503 when the node has no tunnel connected (agent down or not
  // joined), 504 when the agent did not answer within the open timeout.
  virtual TunnelStreamPtr open_stream(const std::string& node_name,
                                      const TunnelRequest& request) = 0;
};

}  // namespace skiff::nodeservice
