#include "server/apiserver/namespace_controller.h"

#include "pkg/api/defaults.h"
#include "pkg/api/resources.h"
#include "pkg/log/log.h"
#include "server/apiserver/object_meta.h"
#include "server/apiserver/storage.h"

namespace skiff::apiserver {

namespace {

const api::ResourceInfo& resource_of(const char* plural) {
  const auto* info = api::find_resource("", "v1", plural);
  if (!info) throw std::logic_error(std::string("resource not registered: ") + plural);
  return *info;
}

void create_if_absent(store::Store& store, const api::ResourceInfo& resource, Json object,
                      const std::string& namespace_name) {
  prepare_for_create(resource, object, namespace_name);
  api::apply_defaults(resource, object);
  std::string key = resource.key(namespace_name, object["metadata"]["name"].get<std::string>());
  if (store.get(key)) return;
  try {
    store.create(key, std::move(object));
  } catch (const store::StoreError& error) {
    if (error.code() != store::StoreError::Code::AlreadyExists) throw;
  }
}

std::string name_from_key(const std::string& key) {
  return key.substr(key.rfind('/') + 1);
}

}  // namespace

void ensure_system_namespaces(store::Store& store) {
  const auto& namespaces = resource_of("namespaces");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    Json ns = {{"metadata", {{"name", name}}},
               {"spec", {{"finalizers", Json::array({"kubernetes"})}}},
               {"status", {{"phase", "Active"}}}};
    create_if_absent(store, namespaces, std::move(ns), "");
  }
}

NamespaceController::NamespaceController(store::Store& store)
    : store_(store),
      queue_([this](const std::string& name) { return sync(name); },
             std::chrono::milliseconds(200)) {}

NamespaceController::~NamespaceController() {
  stop();
}

void NamespaceController::start() {
  const auto& namespaces = resource_of("namespaces");
  store::ListOptions options;
  options.prefix = namespaces.key_prefix();
  auto list = store_.list(options);
  queue_.start();
  for (const auto& item : list.items) queue_.add((*item)["metadata"].value("name", std::string()));
  watch_ = store_.watch(options.prefix, list.revision,
                        [this](const std::vector<store::EventPtr>& events) {
                          for (const auto& event : events) {
                            if (event->type == store::EventType::Deleted) continue;
                            queue_.add(name_from_key(event->key));
                          }
                          return true;
                        });
}

void NamespaceController::stop() {
  if (watch_) watch_->stop();
  watch_.reset();
  queue_.stop();
}

void NamespaceController::ensure_default_service_account(const std::string& name) {
  Json account = {{"metadata", {{"name", "default"}}}};
  create_if_absent(store_, resource_of("serviceaccounts"), std::move(account), name);
}

size_t NamespaceController::purge(const std::string& name) {
  size_t remaining = 0;
  for (const auto& resource : api::all_resources()) {
    if (!resource.namespaced) continue;
    store::ListOptions options;
    options.prefix = resource.key_prefix(name);
    auto list = store_.list(options);
    for (const auto& item : list.items) {
      if (has_deletion_timestamp(*item)) {
        ++remaining;  // waiting for its finalizers
        continue;
      }
      std::string key = resource.key(name, (*item)["metadata"].value("name", std::string()));
      try {
        auto result = delete_or_mark(store_, key, *item, {}, 0, false);
        if (has_deletion_timestamp(*result) && has_finalizers(*result)) ++remaining;
      } catch (const store::StoreError& error) {
        if (error.code() != store::StoreError::Code::NotFound) ++remaining;
      }
    }
  }
  return remaining;
}

bool NamespaceController::sync(const std::string& name) {
  const auto& namespaces = resource_of("namespaces");
  std::string key = namespaces.key("", name);
  auto ns = store_.get(key);
  if (!ns) return true;
  if (!has_deletion_timestamp(*ns)) {
    ensure_default_service_account(name);
    return true;
  }
  if (purge(name) > 0) return false;  // retry until the finalizers of what is left are done
  Json desired = *ns;
  desired["spec"]["finalizers"] = Json::array();
  desired["spec"].erase("finalizers");
  desired["status"]["phase"] = "Terminating";
  try {
    if (has_finalizers(desired)) {
      store_.update(key, std::move(desired), resource_version_of(*ns));
      return true;  // metadata finalizers remain; their owners finish the deletion
    }
    store_.remove(key, resource_version_of(*ns));
    log::info("namespace deleted", {{"namespace", name}});
  } catch (const store::StoreError& error) {
    if (error.code() == store::StoreError::Code::NotFound) return true;
    if (error.code() == store::StoreError::Code::Conflict) return false;
    throw;
  }
  return true;
}

}  // namespace skiff::apiserver
