#include "agent/nodeclient/node_object_cache.h"

namespace skiff::agent::nodeclient {

namespace {

const Json& metadata_of(const Json& object) {
  static const Json kEmpty = Json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

std::string key_of(const Json& object) {
  const Json& metadata = metadata_of(object);
  return metadata.value("namespace", "") + "/" + metadata.value("name", "");
}

int64_t revision_of(const Json& object) {
  try {
    return std::stoll(metadata_of(object).value("resourceVersion", "0"));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string uid_of(const Json& object) {
  return metadata_of(object).value("uid", "");
}

}  // namespace

std::string_view kind_name(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Pod:
      return "Pod";
    case ObjectKind::ConfigMap:
      return "ConfigMap";
    case ObjectKind::Secret:
      return "Secret";
    case ObjectKind::Service:
      return "Service";
    case ObjectKind::EndpointSlice:
      return "EndpointSlice";
    case ObjectKind::Node:
      return "Node";
    case ObjectKind::Ingress:
      return "Ingress";
  }
  return "";
}

std::vector<ObjectChange> NodeObjectCache::apply(const CacheEvent& event) {
  using Type = CacheEvent::Type;
  std::vector<ObjectChange> changes;
  std::lock_guard lock(mutex_);
  if (event.resource_version > 0) resume_version_ = event.resource_version;
  switch (event.type) {
    case Type::Reset:
      in_full_set_ = true;
      named_in_full_set_.clear();
      break;
    case Type::Synced:
      if (in_full_set_) {
        for (auto it = objects_.begin(); it != objects_.end();) {
          if (named_in_full_set_.count(it->first)) {
            ++it;
            continue;
          }
          changes.push_back({ObjectChange::Type::Removed, it->first.first, std::move(it->second)});
          it = objects_.erase(it);
        }
      }
      in_full_set_ = false;
      named_in_full_set_.clear();
      break;
    case Type::Bookmark:
      break;
    case Type::Added:
    case Type::Modified: {
      Key key{event.kind, key_of(event.object)};
      if (in_full_set_) named_in_full_set_.insert(key);
      auto held = objects_.find(key);
      if (held != objects_.end()) {
        if (revision_of(held->second) >= revision_of(event.object)) break;  // not newer
        if (uid_of(held->second) != uid_of(event.object)) {
          changes.push_back({ObjectChange::Type::Removed, event.kind, std::move(held->second)});
        }
        held->second = event.object;
      } else {
        objects_.emplace(key, event.object);
      }
      changes.push_back({ObjectChange::Type::Changed, event.kind, event.object});
      break;
    }
    case Type::Deleted: {
      auto held = objects_.find(Key{event.kind, key_of(event.object)});
      if (held == objects_.end()) break;
      if (revision_of(held->second) > revision_of(event.object)) break;  // a newer copy is held
      objects_.erase(held);
      changes.push_back({ObjectChange::Type::Removed, event.kind, event.object});
      break;
    }
  }
  return changes;
}

void NodeObjectCache::connection_lost() {
  std::lock_guard lock(mutex_);
  in_full_set_ = false;
  named_in_full_set_.clear();
}

int64_t NodeObjectCache::resume_version() const {
  std::lock_guard lock(mutex_);
  return resume_version_;
}

std::optional<Json> NodeObjectCache::get(ObjectKind kind, const std::string& namespace_name,
                                         const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(Key{kind, namespace_name + "/" + name});
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<Json> NodeObjectCache::list(ObjectKind kind) const {
  std::lock_guard lock(mutex_);
  std::vector<Json> out;
  for (const auto& [key, object] : objects_) {
    if (key.first == kind) out.push_back(object);
  }
  return out;
}

std::size_t NodeObjectCache::size() const {
  std::lock_guard lock(mutex_);
  return objects_.size();
}

}  // namespace skiff::agent::nodeclient
