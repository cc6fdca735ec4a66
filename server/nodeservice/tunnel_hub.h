#pragma once
// The NodeTunnel behind the gRPC servicer, with no gRPC in it: per node, the agent's open
// Tunnel call (a queue of requests its handler waits on); per stream, the frames both ways
// between the server's TunnelStream and the agent's Stream call.
//
// Flow: open_stream() queues the request for the node's listener and waits (up to
// open_timeout) for the agent to attach a Stream call with the same id. Frames then pass
// through two bounded queues: a reader that does not keep up slows the writer on the other
// side (through gRPC flow control) instead of growing memory.
//
// A node connected twice (an agent that reconnected before the server noticed the old
// connection die) is served by the newer Tunnel call; the older one's listener ends.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "server/nodeservice/node_tunnel.h"

namespace skiff::nodeservice {

struct TunnelHubOptions {
  std::chrono::milliseconds open_timeout{10000};
  std::size_t max_buffered_frames = 256;  // per direction, per stream
};

class TunnelHub : public NodeTunnel {
 public:
  struct StreamState;
  struct NodeQueue;

  explicit TunnelHub(TunnelHubOptions options = {});
  ~TunnelHub() override;
  TunnelHub(const TunnelHub&) = delete;
  TunnelHub& operator=(const TunnelHub&) = delete;

  TunnelStreamPtr open_stream(const std::string& node_name, const TunnelRequest& request) override;

  // ---- the agent's side (used by the servicer) ----

  // The agent's Tunnel call for one node, as long as it lives.
  class Listener {
   public:
    Listener(TunnelHub& hub, std::string node_name, std::shared_ptr<NodeQueue> queue);
    ~Listener();  // unregisters (unless a newer connection replaced it)
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    // The next request and its stream id, waiting up to `wait`; none on timeout or when the
    // listener ended (replaced by a newer connection of the node, or shutdown).
    std::optional<std::pair<uint64_t, TunnelRequest>> next(std::chrono::milliseconds wait);
    bool ended() const;

   private:
    TunnelHub& hub_;
    std::string node_name_;
    std::shared_ptr<NodeQueue> queue_;
  };
  std::unique_ptr<Listener> listen(const std::string& node_name);

  // The agent's Stream call for one stream id.
  class Endpoint {
   public:
    explicit Endpoint(std::shared_ptr<StreamState> state);
    ~Endpoint();  // finish()
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;
    // A frame from the agent; blocks while the server's reader is behind. False once the
    // server side cancelled (stop reading from the agent).
    bool deliver(TunnelFrame frame);
    // The next frame for the agent, blocking; none once the stream is over for the agent
    // (finished, or cancelled: then cancelled() says so and the call must be ended).
    std::optional<TunnelFrame> next_outbound();
    bool cancelled() const;
    // The agent sends nothing more (its Stream call ended). Idempotent.
    void finish();

   private:
    std::shared_ptr<StreamState> state_;
  };
  // None when no stream with this id is waiting for its agent (unknown, timed out, cancelled,
  // or already attached).
  std::unique_ptr<Endpoint> attach(uint64_t stream_id);

  // Ends every listener and stream; open_stream() fails afterwards. Idempotent.
  void shutdown();

 private:
  void forget_pending(uint64_t stream_id);

  const TunnelHubOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<NodeQueue>> nodes_;
  std::map<uint64_t, std::shared_ptr<StreamState>> pending_;  // waiting for their agent
  std::map<uint64_t, std::weak_ptr<StreamState>> streams_;    // for shutdown
  uint64_t next_id_ = 1;
  bool shut_down_ = false;
};

}  // namespace skiff::nodeservice
