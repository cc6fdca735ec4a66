#pragma once
// One agent connection's view of its objects, as a stream: the pods bound to the node, the
// ConfigMaps and Secrets those pods reference, the cluster-wide kinds it asked for (Services,
// EndpointSlices, Nodes, Ingresses: all of them) and the TLS Secrets those Ingresses name,
// resumable by resourceVersion.
//
// How it reads: one store watch (from the agent's resume point, or from a fresh list) feeds a
// queue on the store's watch thread; run() drains it on the caller's thread (the gRPC handler),
// so a slow agent blocks only its own stream. More than `max_queued_events` waiting means the
// agent cannot keep up: run() ends with TooSlow and the agent reconnects and resumes.
//
// Dependencies: a pod's ConfigMaps and Secrets, an Ingress's TLS Secrets (its "users" are the
// pods and Ingresses that name it). Sent only when the agent asked for their kind; counted by
// user, so a Secret named by a pod and an Ingress is sent once and released when the last of
// them stops naming it.
//
// Contract of the stream (what the agent relies on):
//  - Full set: Reset, then every object of the cluster-wide kinds asked for as Added (an
//    Ingress preceded by the dependencies it adds), then every pod on the node as Added, each
//    preceded by the dependencies it adds, then Synced(revision of the list). Whatever the
//    agent holds that the full set did not name is gone. Sent when the request has no resume
//    point or the store can no longer replay from it (compacted: the server restarted or the
//    revision left the event window), or the resume point is ahead of the store (another
//    cluster's revision).
//  - Resume: the current state of every dependency of the node's pods and of the Ingresses
//    (the agent may lack one that a user created meanwhile references), then the changes since
//    the resume point in revision order, then Synced once caught up. A dependency the agent
//    held at the resume point that a replayed change stops needing is removed (Deleted).
//  - A dependency is sent (Added) before the first user event that references it and removed
//    (Deleted, with the last state sent) after the last user event that stops referencing it.
//    A dependency that does not exist yet is sent when it is created.
//  - Every event's resource_version is a resume point: everything before it was sent. An
//    object may be newer than the resume point of its event (dependency snapshots); the agent
//    keeps the newer copy. Bookmarks refresh the resume point while nothing the node sees
//    changes, so a quiet node's resume point does not fall out of the event window.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "server/nodeservice/node_objects.h"
#include "server/store/store.h"

namespace skiff::nodeservice {

struct NodeWatchEvent {
  enum class Type { Added, Modified, Deleted, Reset, Synced, Bookmark };
  Type type = Type::Bookmark;
  NodeObjectKind kind = NodeObjectKind::Pod;
  store::ObjectPtr object;       // null for Reset, Synced and Bookmark
  int64_t resource_version = 0;  // the resume point after this event; 0 inside a full set
};

// Where a watch delivers. send() may block (flow control); false means the receiver is gone.
class NodeEventSink {
 public:
  virtual ~NodeEventSink() = default;
  virtual bool send(const NodeWatchEvent& event) = 0;
};

struct NodeWatchRequest {
  std::string node_name;
  int64_t resource_version = 0;  // 0: full set
  std::set<NodeObjectKind> kinds{NodeObjectKind::Pod};
};

enum class NodeWatchEnd { ReceiverGone, Stopped, TooSlow };

struct NodeWatchLimits {
  std::size_t max_queued_events = 10000;
  std::chrono::milliseconds bookmark_interval{30000};
  std::chrono::milliseconds stop_poll_interval{500};  // how often run() asks should_stop
};

class NodeWatch {
 public:
  NodeWatch(store::Store& store, NodeWatchRequest request, NodeWatchLimits limits = {});
  ~NodeWatch();
  NodeWatch(const NodeWatch&) = delete;
  NodeWatch& operator=(const NodeWatch&) = delete;

  // Streams on the calling thread until the sink refuses an event, should_stop() returns true
  // (asked at least every stop_poll_interval), stop() is called or the agent falls behind.
  // Throws store::StoreError when the store is unavailable. Call once.
  NodeWatchEnd run(NodeEventSink& sink, const std::function<bool()>& should_stop);
  // Ends run() soon; safe from any thread, also before run().
  void stop();

 private:
  bool on_store_events(const std::vector<store::EventPtr>& events);
  bool relevant(const store::Event& event) const;
  store::ListResult list_pods();
  enum class Start { Started, NotPossible, ReceiverGone };
  Start start_resumed();
  bool start_full_set();
  bool process(const store::Event& event);
  bool process_pod(const store::Event& event);
  bool process_cluster_wide(NodeObjectKind kind, const store::Event& event);
  bool process_dependency(NodeObjectKind kind, const store::Event& event);
  // Sends a user's event (pod, Ingress) framed by its dependencies: those it adds before, those
  // it releases after. `previous_sent`: the agent was told of event.previous (or of an older
  // state of it, before a resume), so what that state needed may be on the agent.
  bool send_with_dependencies(NodeObjectKind kind, const store::Event& event,
                              NodeWatchEvent::Type type, bool previous_sent);
  // Records which dependencies `user_key` (the store key of a pod or an Ingress) now has;
  // returns those no user had before and those no user has any more.
  std::pair<std::vector<std::string>, std::vector<std::string>> set_dependencies(
      const std::string& user_key, std::set<std::string> keys);
  bool send_snapshots(const std::vector<std::string>& keys, int64_t position);
  bool send_releases(const std::vector<std::string>& keys, int64_t position);
  // Deleted for dependencies the agent may hold from before a resume that nothing here tracks.
  bool send_untracked_releases(const std::vector<std::string>& keys, int64_t position);
  bool send(NodeWatchEvent::Type type, NodeObjectKind kind, store::ObjectPtr object,
            int64_t position);

  store::Store& store_;
  const NodeWatchRequest request_;
  const NodeWatchLimits limits_;
  const std::string watch_prefix_;

  // Shared with the store's watch thread.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<store::EventPtr> queue_;
  int64_t latest_revision_ = 0;  // newest revision the watch delivered, relevant or not
  bool overflowed_ = false;
  bool stopped_ = false;
  store::WatchPtr watch_;

  // Only the thread in run() touches these.
  NodeEventSink* sink_ = nullptr;
  int64_t position_ = 0;  // everything up to this revision has been sent
  std::map<std::string, std::set<std::string>> user_dependencies_;  // user key -> dependencies
  std::map<std::string, int> dependency_users_;  // dependency key -> users (pods, Ingresses)
  std::map<std::string, store::ObjectPtr> dependency_sent_;  // last state sent (or null)
};

}  // namespace skiff::nodeservice
