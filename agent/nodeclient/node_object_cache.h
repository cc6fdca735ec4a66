#pragma once
// The agent's copy of its node's objects, kept from the server's stream (proto/node.proto
// WatchEvent), and the decisions that make reconnects invisible to the pod workers:
//  - a copy not newer than the one held (by metadata.resourceVersion) changes nothing, so a
//    full set resent after a server restart repeats no pod;
//  - a full set (Reset ... Synced) removes, at Synced, whatever it did not name; a full set cut
//    short by a broken connection removes nothing;
//  - a pod (or any object) replaced by one of the same name but another uid is reported as the
//    old one removed, then the new one changed;
//  - the resume point is the resource_version of the last event that carried one.
// Pure bookkeeping, thread-safe; the caller passes the returned changes to its handler.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/nodeclient/node_session.h"

namespace skiff::agent::nodeclient {

struct CacheEvent {
  enum class Type { Added, Modified, Deleted, Reset, Synced, Bookmark };
  Type type = Type::Bookmark;
  ObjectKind kind = ObjectKind::Pod;
  Json object;                   // null for Reset, Synced, Bookmark
  int64_t resource_version = 0;  // resume point; 0 inside a full set
};

struct ObjectChange {
  enum class Type { Changed, Removed };
  Type type = Type::Changed;
  ObjectKind kind = ObjectKind::Pod;
  Json object;
};

class NodeObjectCache {
 public:
  // Applies one event; returns what changed, in order (empty when nothing did).
  std::vector<ObjectChange> apply(const CacheEvent& event);
  // The stream broke: a full set in progress is abandoned (nothing is removed).
  void connection_lost();

  int64_t resume_version() const;
  std::optional<Json> get(ObjectKind kind, const std::string& namespace_name,
                          const std::string& name) const;
  std::vector<Json> list(ObjectKind kind) const;
  std::size_t size() const;

 private:
  using Key = std::pair<ObjectKind, std::string>;  // kind, "<namespace>/<name>"

  mutable std::mutex mutex_;
  std::map<Key, Json> objects_;
  int64_t resume_version_ = 0;
  bool in_full_set_ = false;
  std::set<Key> named_in_full_set_;
};

}  // namespace skiff::agent::nodeclient
