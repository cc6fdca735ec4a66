#include "server/nodeservice/tunnel_hub.h"

#include "pkg/api/errors.h"

namespace skiff::nodeservice {

struct TunnelHub::NodeQueue {
  std::condition_variable changed;  // waits under TunnelHub::mutex_
  std::deque<std::pair<uint64_t, TunnelRequest>> requests;
  bool ended = false;
};

struct TunnelHub::StreamState {
  StreamState(uint64_t id, std::size_t limit) : id(id), limit(limit) {}
  const uint64_t id;
  const std::size_t limit;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<TunnelFrame> inbound;   // agent -> server
  std::deque<TunnelFrame> outbound;  // server -> agent
  bool attached = false;
  bool agent_done = false;  // the agent's Stream call ended: nothing more arrives
  bool cancelled = false;   // the server side gave up
};

namespace {

// The server's end of one stream.
class HubStream : public TunnelStream {
 public:
  explicit HubStream(std::shared_ptr<TunnelHub::StreamState> state) : state_(std::move(state)) {}
  ~HubStream() override { cancel(); }

  std::optional<TunnelFrame> read() override {
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    s.changed.wait(lock, [&] { return s.cancelled || !s.inbound.empty() || s.agent_done; });
    if (s.cancelled || s.inbound.empty()) return std::nullopt;
    TunnelFrame frame = std::move(s.inbound.front());
    s.inbound.pop_front();
    s.changed.notify_all();  // room for the agent's next frame
    return frame;
  }

  bool write(const TunnelFrame& frame) override {
    auto& s = *state_;
    std::unique_lock lock(s.mutex);
    s.changed.wait(lock,
                   [&] { return s.cancelled || s.agent_done || s.outbound.size() < s.limit; });
    if (s.cancelled || s.agent_done) return false;
    s.outbound.push_back(frame);
    s.changed.notify_all();
    return true;
  }

  void cancel() override {
    auto& s = *state_;
    std::lock_guard lock(s.mutex);
    if (s.cancelled) return;
    s.cancelled = true;
    s.inbound.clear();
    s.changed.notify_all();
  }

 private:
  std::shared_ptr<TunnelHub::StreamState> state_;
};

}  // namespace

TunnelHub::TunnelHub(TunnelHubOptions options) : options_(options) {}

TunnelHub::~TunnelHub() {
  shutdown();
}

TunnelStreamPtr TunnelHub::open_stream(const std::string& node_name, const TunnelRequest& request) {
  std::shared_ptr<StreamState> state;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) throw api::service_unavailable("the server is shutting down");
    auto node = nodes_.find(node_name);
    if (node == nodes_.end()) {
      throw api::service_unavailable("node \"" + node_name +
                                     "\" has no agent connected: cannot reach its pods");
    }
    std::erase_if(streams_, [](const auto& entry) { return entry.second.expired(); });
    state = std::make_shared<StreamState>(next_id_++, options_.max_buffered_frames);
    pending_[state->id] = state;
    streams_[state->id] = state;
    node->second->requests.emplace_back(state->id, request);
    node->second->changed.notify_all();
  }
  {
    std::unique_lock lock(state->mutex);
    state->changed.wait_for(lock, options_.open_timeout,
                            [&] { return state->attached || state->cancelled; });
    if (state->attached) return std::make_unique<HubStream>(state);
  }
  forget_pending(state->id);
  {
    // The agent may have attached between the wait and forget_pending.
    std::lock_guard lock(state->mutex);
    if (state->attached) return std::make_unique<HubStream>(state);
    state->cancelled = true;
  }
  throw api::ApiError(504, "Timeout",
                      "node \"" + node_name + "\" did not answer the stream request within " +
                          std::to_string(options_.open_timeout.count()) + "ms");
}

void TunnelHub::forget_pending(uint64_t stream_id) {
  std::lock_guard lock(mutex_);
  pending_.erase(stream_id);
}

std::unique_ptr<TunnelHub::Listener> TunnelHub::listen(const std::string& node_name) {
  auto queue = std::make_shared<NodeQueue>();
  std::lock_guard lock(mutex_);
  if (shut_down_) {
    queue->ended = true;
  } else {
    auto& slot = nodes_[node_name];
    if (slot) {
      slot->ended = true;  // the older connection of this node stops listening
      slot->changed.notify_all();
    }
    slot = queue;
  }
  return std::make_unique<Listener>(*this, node_name, queue);
}

TunnelHub::Listener::Listener(TunnelHub& hub, std::string node_name,
                              std::shared_ptr<NodeQueue> queue)
    : hub_(hub), node_name_(std::move(node_name)), queue_(std::move(queue)) {}

TunnelHub::Listener::~Listener() {
  std::lock_guard lock(hub_.mutex_);
  queue_->ended = true;
  auto it = hub_.nodes_.find(node_name_);
  if (it != hub_.nodes_.end() && it->second == queue_) hub_.nodes_.erase(it);
}

std::optional<std::pair<uint64_t, TunnelRequest>> TunnelHub::Listener::next(
    std::chrono::milliseconds wait) {
  std::unique_lock lock(hub_.mutex_);
  queue_->changed.wait_for(lock, wait, [&] { return queue_->ended || !queue_->requests.empty(); });
  if (queue_->ended || queue_->requests.empty()) return std::nullopt;
  auto request = std::move(queue_->requests.front());
  queue_->requests.pop_front();
  return request;
}

bool TunnelHub::Listener::ended() const {
  std::lock_guard lock(hub_.mutex_);
  return queue_->ended;
}

std::unique_ptr<TunnelHub::Endpoint> TunnelHub::attach(uint64_t stream_id) {
  std::shared_ptr<StreamState> state;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(stream_id);
    if (it == pending_.end()) return nullptr;
    state = it->second;
    pending_.erase(it);
  }
  std::lock_guard lock(state->mutex);
  if (state->cancelled) return nullptr;
  state->attached = true;
  state->changed.notify_all();
  return std::make_unique<Endpoint>(state);
}

TunnelHub::Endpoint::Endpoint(std::shared_ptr<StreamState> state) : state_(std::move(state)) {}

TunnelHub::Endpoint::~Endpoint() {
  finish();
}

bool TunnelHub::Endpoint::deliver(TunnelFrame frame) {
  auto& s = *state_;
  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&] { return s.cancelled || s.inbound.size() < s.limit; });
  if (s.cancelled) return false;
  s.inbound.push_back(std::move(frame));
  s.changed.notify_all();
  return true;
}

std::optional<TunnelFrame> TunnelHub::Endpoint::next_outbound() {
  auto& s = *state_;
  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&] { return s.cancelled || s.agent_done || !s.outbound.empty(); });
  if (s.cancelled || s.agent_done) return std::nullopt;
  TunnelFrame frame = std::move(s.outbound.front());
  s.outbound.pop_front();
  s.changed.notify_all();
  return frame;
}

bool TunnelHub::Endpoint::cancelled() const {
  std::lock_guard lock(state_->mutex);
  return state_->cancelled;
}

void TunnelHub::Endpoint::finish() {
  std::lock_guard lock(state_->mutex);
  state_->agent_done = true;
  state_->changed.notify_all();
}

void TunnelHub::shutdown() {
  std::map<uint64_t, std::weak_ptr<StreamState>> streams;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    for (auto& [name, queue] : nodes_) {
      queue->ended = true;
      queue->changed.notify_all();
    }
    nodes_.clear();
    pending_.clear();
    streams.swap(streams_);
  }
  for (auto& [id, weak] : streams) {
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      state->cancelled = true;
      state->changed.notify_all();
    }
  }
}

}  // namespace skiff::nodeservice
