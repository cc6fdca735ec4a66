#include "server/controllers/replicaset_controller.h"

#include <algorithm>

#include "pkg/api/errors.h"
#include "pkg/api/selectors.h"
#include "pkg/api/time.h"
#include "server/controllers/deployment_util.h"
#include "server/controllers/json_access.h"
#include "server/controllers/ownership.h"
#include "server/controllers/replicaset_util.h"
#include "server/controllers/slow_start.h"

namespace skiff::controllers {

namespace {
constexpr const char* kReplicaSetController = "replicaset-controller";

bool being_deleted(const Json& object) {
  return object.at("metadata").contains("deletionTimestamp");
}
const std::string& uid_of(const Json& object) {
  return object.at("metadata").at("uid").get_ref<const std::string&>();
}
}  // namespace

Json pod_from_template(const Json& replicaset) {
  const Json& metadata = replicaset.at("metadata");
  const Json& pod_template = json::at(replicaset, {"spec", "template"});
  Json pod_metadata = {{"generateName", metadata.value("name", "") + "-"},
                       {"namespace", metadata.value("namespace", "")},
                       {"ownerReferences", Json::array({controller_reference(replicaset)})}};
  for (const char* field : {"labels", "annotations", "finalizers"}) {
    const Json& value = json::at(pod_template, {"metadata", field});
    if (!value.is_null()) pod_metadata[field] = value;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", std::move(pod_metadata)},
          {"spec", json::at(pod_template, {"spec"})}};
}

ReplicaSetController::ReplicaSetController(Informer& replicasets, Informer& pods, Client& client,
                                           EventRecorder& events, Clock& clock)
    : replicasets_(replicasets),
      pods_(pods),
      client_(client),
      events_(events),
      loop_(
          "replicaset", [this](const std::string& key) { return sync(key); }, clock) {
  replicasets_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    loop_.enqueue(object_key(current ? *current : *old));
  });
  pods_.add_handler(
      [this](const ObjectPtr& old, const ObjectPtr& current) { on_pod_change(old, current); });
}

void ReplicaSetController::on_pod_change(const ObjectPtr& old, const ObjectPtr& current) {
  if (old && current && !replicaset_sees_change(*old, *current)) return;
  // The owning ReplicaSet(s) before and after; an orphan may be adopted by any matching one.
  for (const ObjectPtr& pod : {old, current}) {
    if (!pod) continue;
    bool has_controller = false;
    for (const auto& ref : json::at(*pod, {"metadata", "ownerReferences"})) {
      if (!ref.value("controller", false)) continue;
      has_controller = true;
      if (ref.value("kind", "") == "ReplicaSet") {
        loop_.enqueue(pod->at("metadata").value("namespace", "") + "/" + ref.value("name", ""));
      }
    }
    if (!has_controller && pod == current) enqueue_matching_replicasets(*pod);
  }
}

void ReplicaSetController::enqueue_matching_replicasets(const Json& pod) {
  const Json& labels = json::at(pod, {"metadata", "labels"});
  for (const auto& rs : replicasets_.list(pod.at("metadata").value("namespace", ""))) {
    try {
      if (api::LabelSelector::from_json(json::at(*rs, {"spec", "selector"})).matches(labels)) {
        loop_.enqueue(object_key(*rs));
      }
    } catch (const std::exception&) {
      // An invalid selector selects nothing (validation keeps these out anyway).
    }
  }
}

SyncResult ReplicaSetController::sync(const std::string& key) {
  ObjectPtr cached = replicasets_.get(key);
  if (!cached) return SyncResult::done();
  const Json& replicaset = *cached;

  std::vector<ObjectPtr> owned = claim_pods(replicaset);
  std::vector<ObjectPtr> active;
  for (auto& pod : owned) {
    if (is_pod_active(*pod)) active.push_back(std::move(pod));
  }

  if (!being_deleted(replicaset)) {
    const int desired = desired_replicas(replicaset);
    const int diff = static_cast<int>(active.size()) - desired;
    if (diff < 0) {
      // New pods only add to what was counted (no need to look at every pod again).
      for (auto& pod : create_pods(replicaset, std::min(-diff, kBurst))) {
        active.push_back(std::move(pod));
      }
    }
    if (diff > 0) {
      delete_pods(replicaset, active, std::min(diff, kBurst));
      // Our deletes are already in the cache (see the header): recount from it.
      active.clear();
      for (const auto& pod : pods_.by_index("controller", uid_of(replicaset))) {
        if (is_pod_active(*pod)) active.push_back(pod);
      }
    }
  }

  const auto now = api::Clock::now();
  Json status = replicaset_status(replicaset, active, now);
  if (status != json::at(replicaset, {"status"})) {
    Json updated = replicaset;
    updated["status"] = std::move(status);
    update_status(client_, replicasets_resource(), updated);
  }

  // Without minReadySeconds a pod is available as soon as it is ready: nothing to wait for.
  const std::int32_t min_ready = min_ready_seconds(replicaset);
  std::optional<std::chrono::seconds> next;
  for (std::size_t i = 0; min_ready > 0 && i < active.size(); ++i) {
    auto wait = time_until_available(*active[i], min_ready, now);
    if (wait && (!next || *wait < *next)) next = wait;
  }
  if (next) return SyncResult::after(*next + std::chrono::milliseconds(100));
  return SyncResult::done();
}

// The pods it controls and the namespace's orphans, from the informer's indexes: a sync follows
// every change of its pods, so it must not look at every pod of the namespace.
std::vector<ObjectPtr> ReplicaSetController::claim_pods(const Json& replicaset) {
  const std::string& uid = uid_of(replicaset);
  const std::string namespace_name = replicaset.at("metadata").value("namespace", "");
  const auto selector = api::LabelSelector::from_json(json::at(replicaset, {"spec", "selector"}));
  const bool deleting = being_deleted(replicaset);
  std::vector<ObjectPtr> owned = pods_.by_index("controller", uid);
  std::erase_if(owned, [&](const ObjectPtr& cached) {
    const Json& pod = *cached;
    // A reference across namespaces is not ownership (Kubernetes' garbage collector agrees).
    if (json::text_at(pod, {"metadata", "namespace"}) != namespace_name) return true;
    if (deleting || selector.matches(json::at(pod, {"metadata", "labels"}))) return false;
    // Release: drop our reference; the pod stays (the user relabelled it on purpose).
    merge_patch(client_, pods_resource(), namespace_name,
                json::string_at(pod, {"metadata", "name"}), release_patch(pod, uid));
    return true;
  });
  if (deleting) return owned;  // a ReplicaSet being deleted adopts nothing
  for (const auto& cached : pods_.by_index("orphans", namespace_name)) {
    const Json& pod = *cached;
    if (being_deleted(pod) || !selector.matches(json::at(pod, {"metadata", "labels"}))) continue;
    owned.push_back(std::make_shared<const Json>(
        merge_patch(client_, pods_resource(), namespace_name,
                    json::string_at(pod, {"metadata", "name"}), adopt_patch(pod, replicaset))));
  }
  return owned;
}

std::vector<ObjectPtr> ReplicaSetController::create_pods(const Json& replicaset, int count) {
  SlowStartResult result =
      create_slow_start(client_, pods_resource(), pod_from_template(replicaset), count);
  std::vector<ObjectPtr> created;
  for (Json& pod : result.created) {
    events_.record(replicaset, "Normal", "SuccessfulCreate",
                   "Created pod: " + json::string_at(pod, {"metadata", "name"}),
                   kReplicaSetController);
    created.push_back(std::make_shared<const Json>(std::move(pod)));
  }
  if (!result.first_error) return created;
  try {
    std::rethrow_exception(result.first_error);
  } catch (const api::ApiError& error) {
    events_.record(replicaset, "Warning", "FailedCreate",
                   std::string("Error creating: ") + error.what(), kReplicaSetController);
    throw;  // the rest are created on the retry
  }
}

void ReplicaSetController::delete_pods(const Json& replicaset, const std::vector<ObjectPtr>& pods,
                                       int count) {
  for (const auto& object : pods_to_delete(pods, static_cast<std::size_t>(count))) {
    const Json& pod = *object;
    const std::string name = pod.at("metadata").value("name", "");
    if (remove(client_, pods_resource(), pod.at("metadata").value("namespace", ""), name,
               uid_of(pod))) {
      events_.record(replicaset, "Normal", "SuccessfulDelete", "Deleted pod: " + name,
                     kReplicaSetController);
    }
  }
}

}  // namespace skiff::controllers
