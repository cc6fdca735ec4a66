#include "server/controllers/informer.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "pkg/log/log.h"
#include "server/controllers/ownership.h"

namespace skiff::controllers {

std::string object_key(const Json& object) {
  const Json& metadata = object.at("metadata");
  std::string name = metadata.value("name", "");
  std::string namespace_name = metadata.value("namespace", "");
  return namespace_name.empty() ? name : namespace_name + "/" + name;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

namespace {
constexpr const char* kNamespaceIndex = "namespace";
constexpr int kMaxListAttempts = 5;
}  // namespace

Informer::Informer(store::Store& store, const api::ResourceInfo& resource)
    : store_(store), resource_(resource) {
  indexes_[kNamespaceIndex].function = [](const Json& object) {
    return std::vector<std::string>{object.at("metadata").value("namespace", "")};
  };
}

Informer::~Informer() {
  stop();
}

void Informer::add_handler(ChangeHandler handler) {
  handlers_.push_back(std::move(handler));
}

void Informer::add_index(const std::string& name, IndexFunction function) {
  indexes_[name].function = std::move(function);
}

void Informer::start() {
  list_and_watch();
}

void Informer::stop() {
  store::WatchPtr watch;
  {
    std::lock_guard lock(watch_mutex_);
    stopped_ = true;
    watch = std::move(watch_);
  }
  if (watch) watch->stop();
}

void Informer::list_and_watch() {
  for (int attempt = 1;; ++attempt) {
    store::ListOptions options;
    options.prefix = resource_.key_prefix();
    store::ListResult listed = store_.list(options);
    std::vector<std::pair<ObjectPtr, ObjectPtr>> changes;
    {
      std::unique_lock lock(mutex_);
      replace_all(listed.items, changes);
      revision_ = listed.revision;
    }
    for (const auto& [old, current] : changes) {
      for (const auto& handler : handlers_) handler(old, current);
    }
    try {
      std::lock_guard lock(watch_mutex_);
      if (stopped_) return;
      watch_ = store_.watch(
          options.prefix, listed.revision,
          [this](const std::vector<store::EventPtr>& events) { return on_events(events); });
      return;
    } catch (const store::StoreError& error) {
      if (error.code() != store::StoreError::Code::Compacted || attempt >= kMaxListAttempts) {
        throw;
      }
      log::info("informer relisting after compaction", {{"resource", resource_.plural}});
    }
  }
}

bool Informer::on_events(const std::vector<store::EventPtr>& events) {
  std::vector<std::pair<ObjectPtr, ObjectPtr>> changes;
  changes.reserve(events.size());
  {
    std::unique_lock lock(mutex_);
    for (const auto& event : events) {
      if (event->revision <= revision_) continue;  // already in the listed state
      std::string key = object_key(*event->object);
      auto it = objects_.find(key);
      ObjectPtr old = it == objects_.end() ? nullptr : it->second;
      if (event->type == store::EventType::Deleted) {
        if (old) erase_locked(key);
        changes.emplace_back(old ? old : event->object, nullptr);
      } else {
        put_locked(key, event->object);
        changes.emplace_back(old, event->object);
      }
      revision_ = event->revision;
    }
  }
  for (const auto& [old, current] : changes) {
    for (const auto& handler : handlers_) handler(old, current);
  }
  return true;
}

void Informer::replace_all(const std::vector<ObjectPtr>& items,
                           std::vector<std::pair<ObjectPtr, ObjectPtr>>& changes) {
  std::map<std::string, ObjectPtr> fresh;
  for (const auto& item : items) fresh.emplace(object_key(*item), item);
  for (auto it = objects_.begin(); it != objects_.end();) {
    auto next = std::next(it);
    if (!fresh.count(it->first)) {
      changes.emplace_back(it->second, nullptr);
      erase_locked(it->first);
    }
    it = next;
  }
  for (const auto& [key, object] : fresh) {
    auto it = objects_.find(key);
    ObjectPtr old = it == objects_.end() ? nullptr : it->second;
    if (old && old->at("metadata").value("resourceVersion", "") ==
                   object->at("metadata").value("resourceVersion", "")) {
      continue;
    }
    put_locked(key, object);
    changes.emplace_back(old, object);
  }
}

void Informer::put_locked(const std::string& key, const ObjectPtr& object) {
  auto [it, added] = objects_.try_emplace(key, object);
  if (added) {
    index_locked(key, object, true);
    return;
  }
  const ObjectPtr previous = std::exchange(it->second, object);
  for (auto& [name, index] : indexes_) {
    std::vector<std::string> values = index.function(*object);
    for (const auto& old_value : index.function(*previous)) {
      auto same = std::find(values.begin(), values.end(), old_value);
      if (same == values.end()) {
        unindex_locked(index, old_value, key);
        continue;
      }
      // Most updates keep their index values (a status write, a binding for the namespace
      // index): the entry stays and points at the new version, one lookup instead of an erase
      // and an insert in a map that may hold every pod.
      index.objects_by_value[old_value][key] = object;
      values.erase(same);
    }
    for (const auto& value : values) index.objects_by_value[value][key] = object;
  }
}

void Informer::unindex_locked(Index& index, const std::string& value, const std::string& key) {
  auto it = index.objects_by_value.find(value);
  if (it == index.objects_by_value.end()) return;
  it->second.erase(key);
  if (it->second.empty()) index.objects_by_value.erase(it);
}

void Informer::erase_locked(const std::string& key) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return;
  index_locked(key, it->second, false);
  objects_.erase(it);
}

void Informer::index_locked(const std::string& key, const ObjectPtr& object, bool add) {
  for (auto& [name, index] : indexes_) {
    for (const auto& value : index.function(*object)) {
      if (add) {
        index.objects_by_value[value][key] = object;
      } else {
        unindex_locked(index, value, key);
      }
    }
  }
}

ObjectPtr Informer::get(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

ObjectPtr Informer::get(const std::string& namespace_name, const std::string& name) const {
  return get(namespace_name.empty() ? name : namespace_name + "/" + name);
}

std::vector<ObjectPtr> Informer::list() const {
  std::shared_lock lock(mutex_);
  std::vector<ObjectPtr> items;
  items.reserve(objects_.size());
  for (const auto& [key, object] : objects_) items.push_back(object);
  return items;
}

std::vector<ObjectPtr> Informer::list(const std::string& namespace_name) const {
  return by_index(kNamespaceIndex, namespace_name);
}

std::vector<ObjectPtr> Informer::by_index(const std::string& index,
                                          const std::string& value) const {
  std::shared_lock lock(mutex_);
  std::vector<ObjectPtr> items;
  auto found = indexes_.find(index);
  if (found == indexes_.end()) return items;
  auto objects = found->second.objects_by_value.find(value);
  if (objects == found->second.objects_by_value.end()) return items;
  items.reserve(objects->second.size());
  for (const auto& [key, object] : objects->second) items.push_back(object);
  return items;
}

std::size_t Informer::size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

std::vector<std::string> controller_uid_index(const Json& object) {
  const std::string* uid = controller_uid(object);
  if (uid == nullptr) return {};
  return {*uid};
}

std::vector<std::string> orphan_namespace_index(const Json& object) {
  if (controller_uid(object) != nullptr) return {};
  const Json& metadata = object.at("metadata");
  auto namespace_name = metadata.find("namespace");
  if (namespace_name == metadata.end() || !namespace_name->is_string()) return {""};
  return {namespace_name->get<std::string>()};
}

std::vector<std::string> pod_node_index(const Json& pod) {
  auto spec = pod.find("spec");
  if (spec == pod.end()) return {""};
  return {spec->value("nodeName", "")};
}

}  // namespace skiff::controllers
