#include "server/nodeservice/node_watch.h"

#include <algorithm>

namespace skiff::nodeservice {

namespace {

using Type = NodeWatchEvent::Type;

// The longest common prefix of the kinds' store keys, cut after a '/': one watch sees every
// kind, so events of different kinds arrive in one revision order (separate watches would
// interleave them and a resume point could skip one).
std::string common_prefix(const std::set<NodeObjectKind>& kinds) {
  std::string prefix;
  bool first = true;
  for (NodeObjectKind kind : kinds) {
    std::string key_prefix = resource_of(kind).key_prefix();
    if (first) {
      prefix = key_prefix;
      first = false;
      continue;
    }
    auto mismatch =
        std::mismatch(prefix.begin(), prefix.end(), key_prefix.begin(), key_prefix.end());
    prefix.erase(mismatch.first, prefix.end());
  }
  auto slash = prefix.rfind('/');
  return slash == std::string::npos ? "/" : prefix.substr(0, slash + 1);
}

int64_t revision_of(const store::ObjectPtr& object) {
  if (!object) return 0;
  const Json& metadata = object->value("metadata", Json::object());
  try {
    return std::stoll(metadata.value("resourceVersion", "0"));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string object_key(NodeObjectKind kind, const Json& object) {
  const Json& metadata = object.at("metadata");
  return resource_of(kind).key(metadata.value("namespace", ""), metadata.value("name", ""));
}

// The last state to send for a dependency the agent may hold but nothing here tracked: the
// store's copy, or when it is gone a copy naming only the object, stamped with `position` so
// the agent's older copy does not win over it.
Json release_state(NodeObjectKind kind, const std::string& key, const store::ObjectPtr& stored,
                   int64_t position) {
  if (stored) return *stored;
  const api::ResourceInfo& resource = resource_of(kind);
  std::string rest = key.substr(resource.key_prefix().size());  // "<namespace>/<name>"
  const auto slash = rest.find('/');
  Json metadata = {{"resourceVersion", std::to_string(position)}};
  if (slash == std::string::npos) {
    metadata["name"] = rest;
  } else {
    metadata["namespace"] = rest.substr(0, slash);
    metadata["name"] = rest.substr(slash + 1);
  }
  return {{"apiVersion", resource.api_version()}, {"kind", resource.kind}, {"metadata", metadata}};
}

}  // namespace

NodeWatch::NodeWatch(store::Store& store, NodeWatchRequest request, NodeWatchLimits limits)
    : store_(store),
      request_(std::move(request)),
      limits_(limits),
      watch_prefix_(common_prefix(request_.kinds)) {}

NodeWatch::~NodeWatch() {
  stop();
  store::WatchPtr watch;
  {
    std::lock_guard lock(mutex_);
    watch = std::move(watch_);
  }
  if (watch) watch->stop();  // outside the lock: stop() waits for a callback in flight
}

void NodeWatch::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  wake_.notify_all();
}

bool NodeWatch::relevant(const store::Event& event) const {
  auto kind = kind_of_key(event.key);
  if (!kind || !request_.kinds.count(*kind)) return false;
  // Dependencies are filtered by reference on the sending thread, which owns that bookkeeping;
  // cluster-wide kinds (Ingresses among them) are all relevant.
  if (*kind != NodeObjectKind::Pod) return true;
  return (event.object && node_name_of(*event.object) == request_.node_name) ||
         (event.previous && node_name_of(*event.previous) == request_.node_name);
}

bool NodeWatch::on_store_events(const std::vector<store::EventPtr>& events) {
  std::lock_guard lock(mutex_);
  for (const auto& event : events) {
    latest_revision_ = event->revision;
    if (!relevant(*event)) continue;
    if (queue_.size() >= limits_.max_queued_events) {
      overflowed_ = true;
      wake_.notify_all();
      return false;  // the store drops this watch; run() ends with TooSlow
    }
    queue_.push_back(event);
  }
  wake_.notify_all();
  return true;
}

store::ListResult NodeWatch::list_pods() {
  store::ListOptions options;
  options.prefix = resource_of(NodeObjectKind::Pod).key_prefix();
  options.filter = [this](const Json& pod) { return node_name_of(pod) == request_.node_name; };
  return store_.list(options);
}

NodeWatch::Start NodeWatch::start_resumed() {
  const int64_t from = request_.resource_version;
  if (from <= 0 || from > store_.current_revision()) return Start::NotPossible;
  auto callback = [this](const std::vector<store::EventPtr>& events) {
    return on_store_events(events);
  };
  try {
    auto watch = store_.watch(watch_prefix_, from, callback);
    std::lock_guard lock(mutex_);
    watch_ = std::move(watch);
  } catch (const store::StoreError& error) {
    if (error.code() == store::StoreError::Code::Compacted) return Start::NotPossible;
    throw;
  }
  position_ = from;
  // The agent holds the pods and Ingresses as of `from` and their dependencies, but may lack
  // one that a user created since references: send every current dependency first (the replay
  // that follows may carry older copies; those are skipped by revision).
  for (const auto& pod : list_pods().items) {
    auto [added, released] =
        set_dependencies(object_key(NodeObjectKind::Pod, *pod), pod_dependency_keys(*pod));
    if (!send_snapshots(added, position_)) return Start::ReceiverGone;
  }
  if (request_.kinds.count(NodeObjectKind::Ingress)) {
    store::ListOptions options;
    options.prefix = resource_of(NodeObjectKind::Ingress).key_prefix();
    for (const auto& ingress : store_.list(options).items) {
      auto [added, released] = set_dependencies(object_key(NodeObjectKind::Ingress, *ingress),
                                                ingress_dependency_keys(*ingress));
      if (!send_snapshots(added, position_)) return Start::ReceiverGone;
    }
  }
  return Start::Started;
}

bool NodeWatch::start_full_set() {
  auto callback = [this](const std::vector<store::EventPtr>& events) {
    return on_store_events(events);
  };
  store::ListResult listed;
  for (int attempt = 0;; ++attempt) {
    listed = list_pods();
    try {
      auto watch = store_.watch(watch_prefix_, listed.revision, callback);
      std::lock_guard lock(mutex_);
      watch_ = std::move(watch);
      break;
    } catch (const store::StoreError& error) {
      // Over a whole event window written between list and watch: list again.
      if (error.code() != store::StoreError::Code::Compacted || attempt >= 3) throw;
    }
  }
  if (!send(Type::Reset, NodeObjectKind::Pod, nullptr, 0)) return false;
  // Listed after the watch started, so possibly newer than `listed.revision`: the replay that
  // follows may repeat older copies, which the agent skips by resourceVersion.
  for (NodeObjectKind kind : request_.kinds) {
    if (!is_cluster_wide(kind)) continue;
    store::ListOptions options;
    options.prefix = resource_of(kind).key_prefix();
    for (const auto& object : store_.list(options).items) {
      auto [added, released] =
          set_dependencies(object_key(kind, *object), dependency_keys(kind, *object));
      if (!send_snapshots(added, 0) || !send(Type::Added, kind, object, 0)) return false;
    }
  }
  for (const auto& pod : listed.items) {
    auto [added, released] =
        set_dependencies(object_key(NodeObjectKind::Pod, *pod), pod_dependency_keys(*pod));
    if (!send_snapshots(added, 0) || !send(Type::Added, NodeObjectKind::Pod, pod, 0)) {
      return false;
    }
  }
  position_ = listed.revision;
  return send(Type::Synced, NodeObjectKind::Pod, nullptr, position_);
}

NodeWatchEnd NodeWatch::run(NodeEventSink& sink, const std::function<bool()>& should_stop) {
  sink_ = &sink;
  bool synced = false;  // after a resume, Synced follows once the replay is drained
  switch (start_resumed()) {
    case Start::Started:
      break;
    case Start::ReceiverGone:
      return NodeWatchEnd::ReceiverGone;
    case Start::NotPossible:
      if (!start_full_set()) return NodeWatchEnd::ReceiverGone;
      synced = true;
      break;
  }
  auto last_sent = std::chrono::steady_clock::now();
  while (true) {
    store::EventPtr event;
    int64_t caught_up = 0;  // set when the queue is empty: every event up to it was sent
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, limits_.stop_poll_interval,
                     [this] { return stopped_ || overflowed_ || !queue_.empty(); });
      if (stopped_) return NodeWatchEnd::Stopped;
      if (overflowed_) return NodeWatchEnd::TooSlow;
      if (!queue_.empty()) {
        event = std::move(queue_.front());
        queue_.pop_front();
      } else {
        caught_up = latest_revision_;
      }
    }
    if (should_stop()) return NodeWatchEnd::Stopped;
    const auto now = std::chrono::steady_clock::now();
    if (event) {
      if (!process(*event)) return NodeWatchEnd::ReceiverGone;
      last_sent = now;
    } else if (!synced) {
      position_ = std::max(position_, caught_up);
      if (!send(Type::Synced, NodeObjectKind::Pod, nullptr, position_)) {
        return NodeWatchEnd::ReceiverGone;
      }
      synced = true;
      last_sent = now;
    } else if (caught_up > position_ && now - last_sent >= limits_.bookmark_interval) {
      position_ = caught_up;
      if (!send(Type::Bookmark, NodeObjectKind::Pod, nullptr, position_)) {
        return NodeWatchEnd::ReceiverGone;
      }
      last_sent = now;
    }
  }
}

bool NodeWatch::process(const store::Event& event) {
  auto kind = kind_of_key(event.key);
  bool sent = *kind == NodeObjectKind::Pod ? process_pod(event)
              : is_cluster_wide(*kind)     ? process_cluster_wide(*kind, event)
                                           : process_dependency(*kind, event);
  position_ = std::max(position_, event.revision);
  return sent;
}

bool NodeWatch::process_pod(const store::Event& event) {
  // A pod becomes the node's when it is bound (nodeName never changes after that).
  const bool was_here = event.previous && node_name_of(*event.previous) == request_.node_name;
  const Type type = event.type == store::EventType::Deleted ? Type::Deleted
                    : was_here                              ? Type::Modified
                                                            : Type::Added;
  return send_with_dependencies(NodeObjectKind::Pod, event, type, was_here);
}

bool NodeWatch::process_cluster_wide(NodeObjectKind kind, const store::Event& event) {
  const Type type = event.type == store::EventType::Deleted ? Type::Deleted
                    : event.type == store::EventType::Added ? Type::Added
                                                            : Type::Modified;
  return send_with_dependencies(kind, event, type, /*previous_sent=*/true);
}

bool NodeWatch::send_with_dependencies(NodeObjectKind kind, const store::Event& event, Type type,
                                       bool previous_sent) {
  const bool deleted = event.type == store::EventType::Deleted;
  std::set<std::string> needed =
      deleted ? std::set<std::string>{} : dependency_keys(kind, *event.object);
  // What the previous state needed is tracked (and released below) when this stream sent that
  // state. After a resume it may be a state from before the resume point, whose dependencies
  // the agent still holds but nothing here knows of: remove those no user needs.
  std::vector<std::string> untracked;
  const store::ObjectPtr& before = event.previous ? event.previous : event.object;
  if (previous_sent && (event.previous || deleted)) {
    for (const auto& key : dependency_keys(kind, *before)) {
      auto dependency_kind = kind_of_key(key);
      if (needed.count(key) || dependency_users_.count(key) || !dependency_kind ||
          !request_.kinds.count(*dependency_kind)) {
        continue;
      }
      untracked.push_back(key);
    }
  }
  auto [added, released] = set_dependencies(event.key, std::move(needed));
  return send_snapshots(added, position_) && send(type, kind, event.object, event.revision) &&
         send_releases(released, event.revision) &&
         send_untracked_releases(untracked, event.revision);
}

bool NodeWatch::process_dependency(NodeObjectKind kind, const store::Event& event) {
  if (!dependency_users_.count(event.key)) return true;  // no pod or Ingress here needs it
  auto sent = dependency_sent_.find(event.key);
  // Older than the snapshot the agent already has (replay after a resume).
  if (sent != dependency_sent_.end() && event.revision <= revision_of(sent->second)) return true;
  if (event.type == store::EventType::Deleted) {
    dependency_sent_[event.key] = nullptr;
    return send(Type::Deleted, kind, event.object, event.revision);
  }
  dependency_sent_[event.key] = event.object;
  return send(event.type == store::EventType::Added ? Type::Added : Type::Modified, kind,
              event.object, event.revision);
}

std::pair<std::vector<std::string>, std::vector<std::string>> NodeWatch::set_dependencies(
    const std::string& user_key, std::set<std::string> keys) {
  std::vector<std::string> added, released;
  std::set<std::string> previous;
  if (auto it = user_dependencies_.find(user_key); it != user_dependencies_.end()) {
    previous = std::move(it->second);
    user_dependencies_.erase(it);
  }
  for (const auto& key : keys) {
    if (previous.count(key)) continue;
    // Only the kinds the agent asked for are tracked.
    auto kind = kind_of_key(key);
    if (!kind || !request_.kinds.count(*kind)) continue;
    if (++dependency_users_[key] == 1) added.push_back(key);
  }
  for (const auto& key : previous) {
    if (keys.count(key)) continue;
    auto users = dependency_users_.find(key);
    if (users == dependency_users_.end()) continue;
    if (--users->second == 0) {
      dependency_users_.erase(users);
      released.push_back(key);
    }
  }
  std::erase_if(keys, [this](const std::string& key) {
    auto kind = kind_of_key(key);
    return !kind || !request_.kinds.count(*kind);
  });
  if (!keys.empty()) user_dependencies_[user_key] = std::move(keys);
  return {std::move(added), std::move(released)};
}

bool NodeWatch::send_snapshots(const std::vector<std::string>& keys, int64_t position) {
  for (const auto& key : keys) {
    store::ObjectPtr object = store_.get(key);
    dependency_sent_[key] = object;
    if (object && !send(Type::Added, *kind_of_key(key), object, position)) return false;
  }
  return true;
}

bool NodeWatch::send_releases(const std::vector<std::string>& keys, int64_t position) {
  for (const auto& key : keys) {
    auto sent = dependency_sent_.find(key);
    if (sent == dependency_sent_.end()) continue;
    store::ObjectPtr last = std::move(sent->second);
    dependency_sent_.erase(sent);
    if (last && !send(Type::Deleted, *kind_of_key(key), last, position)) return false;
  }
  return true;
}

bool NodeWatch::send_untracked_releases(const std::vector<std::string>& keys, int64_t position) {
  for (const auto& key : keys) {
    const NodeObjectKind kind = *kind_of_key(key);
    auto last = std::make_shared<const Json>(release_state(kind, key, store_.get(key), position));
    if (!send(Type::Deleted, kind, std::move(last), position)) return false;
  }
  return true;
}

bool NodeWatch::send(NodeWatchEvent::Type type, NodeObjectKind kind, store::ObjectPtr object,
                     int64_t position) {
  NodeWatchEvent event;
  event.type = type;
  event.kind = kind;
  event.object = std::move(object);
  event.resource_version = position;
  return sink_->send(event);
}

}  // namespace skiff::nodeservice
