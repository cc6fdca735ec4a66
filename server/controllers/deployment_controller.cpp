#include "server/controllers/deployment_controller.h"

#include <algorithm>

#include "pkg/api/errors.h"
#include "pkg/api/selectors.h"
#include "pkg/api/time.h"
#include "server/controllers/deployment_rollout.h"
#include "server/controllers/deployment_status.h"
#include "server/controllers/deployment_util.h"
#include "server/controllers/json_access.h"
#include "server/controllers/ownership.h"
#include "server/controllers/replicaset_util.h"

namespace skiff::controllers {

namespace {
constexpr const char* kDeploymentController = "deployment-controller";

bool being_deleted(const Json& object) {
  return object.at("metadata").contains("deletionTimestamp");
}
std::string uid_of(const Json& object) {
  return json::string_at(object, {"metadata", "uid"});
}
std::string name_of(const Json& object) {
  return json::string_at(object, {"metadata", "name"});
}
std::string namespace_of(const Json& object) {
  return json::string_at(object, {"metadata", "namespace"});
}
}  // namespace

DeploymentController::DeploymentController(Informer& deployments, Informer& replicasets,
                                           Informer& pods, Client& client, EventRecorder& events,
                                           Clock& clock)
    : deployments_(deployments),
      replicasets_(replicasets),
      pods_(pods),
      client_(client),
      events_(events),
      loop_(
          "deployment", [this](const std::string& key) { return sync(key); }, clock) {
  deployments_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    loop_.enqueue(object_key(current ? *current : *old));
  });
  replicasets_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    for (const ObjectPtr& rs : {old, current}) {
      if (!rs) continue;
      for (const auto& ref : json::at(*rs, {"metadata", "ownerReferences"})) {
        if (ref.value("controller", false) && ref.value("kind", "") == "Deployment") {
          loop_.enqueue(namespace_of(*rs) + "/" + ref.value("name", ""));
        }
      }
    }
  });
  // Recreate waits for the old pods to be gone: a pod deletion may unblock it.
  pods_.add_handler([this](const ObjectPtr& old, const ObjectPtr& current) {
    if (current || !old) return;
    if (controller_uid(*old) == nullptr) return;
    for (const auto& ref : json::at(*old, {"metadata", "ownerReferences"})) {
      if (!ref.value("controller", false) || ref.value("kind", "") != "ReplicaSet") continue;
      ObjectPtr rs = replicasets_.get(namespace_of(*old), ref.value("name", ""));
      if (!rs) continue;
      for (const auto& rs_ref : json::at(*rs, {"metadata", "ownerReferences"})) {
        if (rs_ref.value("controller", false) && rs_ref.value("kind", "") == "Deployment") {
          loop_.enqueue(namespace_of(*rs) + "/" + rs_ref.value("name", ""));
        }
      }
    }
  });
}

SyncResult DeploymentController::sync(const std::string& key) {
  ObjectPtr cached = deployments_.get(key);
  if (!cached || being_deleted(*cached)) return SyncResult::done();
  Json deployment = *cached;
  const auto now = api::Clock::now();
  const std::string now_text = api::format_rfc3339(now);

  std::vector<Json> all = claim_replicasets(deployment);
  int new_index = find_new_replicaset(deployment, all);
  std::vector<Json> old;
  for (int i = 0; i < static_cast<int>(all.size()); ++i) {
    if (i != new_index) old.push_back(all[i]);
  }
  std::optional<Json> new_rs;
  if (new_index >= 0) new_rs = all[new_index];
  Json status = json::at(deployment, {"status"});
  if (!status.is_object()) status = Json::object();
  const bool paused = json::at(deployment, {"spec", "paused"}) == true;
  const std::int64_t revision = next_revision(old);

  if (paused) {
    // Only scaling: the single active ReplicaSet (or the new one) follows spec.replicas.
    std::vector<const Json*> active;
    for (const auto& rs : all) {
      if (desired_replicas(rs) > 0) active.push_back(&rs);
    }
    const Json* target = active.size() == 1 ? active[0] : (new_rs ? &*new_rs : nullptr);
    if (target && active.size() <= 1 && desired_replicas(*target) != desired_replicas(deployment)) {
      scale(deployment, *target, desired_replicas(deployment));
    }
    const Json* progressing = find_condition(status, "Progressing");
    if (!progressing || json::string_at(*progressing, {"reason"}) != kReasonDeploymentPaused) {
      mark_paused(status, now_text);
    }
  } else {
    const Json* progressing = find_condition(status, "Progressing");
    if (progressing && json::string_at(*progressing, {"reason"}) == kReasonDeploymentPaused) {
      mark_resumed(status, now_text);
    }
    if (new_rs) {
      sync_revision_annotations(deployment, *new_rs, revision);
      if (!find_condition(status, "Progressing")) {
        mark_found_new_replicaset(deployment, status, name_of(*new_rs), now_text);
      }
    }
    const RolloutParams params = rollout_params(deployment);
    std::optional<ReplicaSetState> new_state;
    if (new_rs) new_state = replicaset_state(*new_rs);
    std::vector<ReplicaSetState> old_states;
    for (const auto& rs : old) old_states.push_back(replicaset_state(rs));
    RolloutStep step = params.recreate
                           ? recreate_step(params, new_state, old_states, old_pods_running(old))
                           : rolling_update_step(params, new_state, old_states);
    if (step.create_new_with) {
      Json created = create_new_replicaset(deployment, *step.create_new_with, revision);
      mark_new_replicaset_created(deployment, status, name_of(created), now_text);
      sync_revision_annotations(deployment, created, revision);
    }
    for (const auto& action : step.scale) {
      ObjectPtr rs = replicasets_.get(namespace_of(deployment), action.name);
      if (rs) scale(deployment, *rs, action.replicas);
    }
  }

  // Re-read: our own writes are already in the cache.
  all.clear();
  for (const auto& rs : replicasets_.by_index("controller", uid_of(deployment))) {
    if (!being_deleted(*rs)) all.push_back(*rs);
  }
  new_index = find_new_replicaset(deployment, all);
  const Json* new_now = new_index >= 0 ? &all[new_index] : nullptr;
  Json with_status = deployment;
  with_status["status"] = status;
  Json next = paused ? calculate_status(with_status, all, new_now, now_text)
                     : sync_rollout_status(with_status, all, new_now, now);

  if (!paused && deployment_complete(deployment, next)) {
    std::vector<Json> old_now;
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
      if (i != new_index) old_now.push_back(all[i]);
    }
    for (const auto& name : replicasets_to_clean_up(deployment, old_now)) {
      remove(client_, replicasets_resource(), namespace_of(deployment), name);
    }
  }

  if (next != json::at(deployment, {"status"})) {
    with_status["status"] = next;
    update_status(client_, deployments_resource(), with_status);
  }
  if (!paused) {
    if (auto wait = time_until_progress_deadline(deployment, next, now)) {
      return SyncResult::after(*wait + std::chrono::seconds(1));
    }
  }
  return SyncResult::done();
}

std::vector<Json> DeploymentController::claim_replicasets(const Json& deployment) {
  const std::string uid = uid_of(deployment);
  const auto selector = api::LabelSelector::from_json(json::at(deployment, {"spec", "selector"}));
  std::vector<Json> owned;
  for (const auto& cached : replicasets_.list(namespace_of(deployment))) {
    const Json& rs = *cached;
    if (being_deleted(rs)) continue;
    const std::string* controller = controller_uid(rs);
    const bool matches = selector.matches(json::at(rs, {"metadata", "labels"}));
    if (controller != nullptr && *controller == uid) {
      if (matches) {
        owned.push_back(rs);
        continue;
      }
      merge_patch(client_, replicasets_resource(), namespace_of(rs), name_of(rs),
                  release_patch(rs, uid));
      continue;
    }
    if (controller != nullptr || !matches) continue;
    owned.push_back(merge_patch(client_, replicasets_resource(), namespace_of(rs), name_of(rs),
                                adopt_patch(rs, deployment)));
  }
  return owned;
}

Json DeploymentController::create_new_replicaset(const Json& deployment, int replicas,
                                                 std::int64_t revision) {
  const std::int64_t collisions = json::int_at(deployment, {"status", "collisionCount"});
  Json replicaset = build_new_replicaset(deployment, replicas, revision, collisions);
  try {
    Json created = create(client_, replicasets_resource(), replicaset);
    events_.record(
        deployment, "Normal", "ScalingReplicaSet",
        "Scaled up replica set " + name_of(created) + " from 0 to " + std::to_string(replicas),
        kDeploymentController);
    return created;
  } catch (const api::ApiError& error) {
    if (error.code() != 409) throw;
    ObjectPtr existing = replicasets_.get(namespace_of(deployment), name_of(replicaset));
    if (existing &&
        templates_equal_ignoring_hash(json::at(*existing, {"spec", "template"}),
                                      json::at(deployment, {"spec", "template"})) &&
        is_controlled_by(*existing, uid_of(deployment))) {
      return *existing;
    }
    // A different ReplicaSet holds the name: hash again with the next collision count.
    Json bumped = deployment;
    bumped["status"]["collisionCount"] = collisions + 1;
    update_status(client_, deployments_resource(), bumped);
    throw;
  }
}

void DeploymentController::scale(const Json& deployment, const Json& replicaset, int replicas) {
  const int from = desired_replicas(replicaset);
  Json annotations = {{kDesiredReplicasAnnotation, std::to_string(desired_replicas(deployment))},
                      {kMaxReplicasAnnotation,
                       std::to_string(desired_replicas(deployment) + max_surge(deployment))}};
  Json patch = {
      {"metadata",
       {{"annotations", annotations},
        {"resourceVersion", json::string_at(replicaset, {"metadata", "resourceVersion"})}}},
      {"spec", {{"replicas", replicas}}}};
  merge_patch(client_, replicasets_resource(), namespace_of(replicaset), name_of(replicaset),
              patch);
  if (from == replicas) return;
  events_.record(deployment, "Normal", "ScalingReplicaSet",
                 std::string(replicas > from ? "Scaled up" : "Scaled down") + " replica set " +
                     name_of(replicaset) + " from " + std::to_string(from) + " to " +
                     std::to_string(replicas),
                 kDeploymentController);
}

bool DeploymentController::old_pods_running(const std::vector<Json>& old_replicasets) const {
  for (const auto& rs : old_replicasets) {
    for (const auto& pod : pods_.by_index("controller", uid_of(rs))) {
      const std::string phase = json::string_at(*pod, {"status", "phase"});
      if (phase != "Succeeded" && phase != "Failed") return true;
    }
  }
  return false;
}

void DeploymentController::sync_revision_annotations(Json& deployment, const Json& new_replicaset,
                                                     std::int64_t revision) {
  Json rs = new_replicaset;
  if (set_revision(rs, revision)) {
    merge_patch(client_, replicasets_resource(), namespace_of(rs), name_of(rs),
                {{"metadata",
                  {{"annotations", {{kRevisionAnnotation, std::to_string(revision)}}},
                   {"resourceVersion", json::string_at(rs, {"metadata", "resourceVersion"})}}}});
  }
  const std::string rs_revision =
      json::string_at(rs, {"metadata", "annotations", kRevisionAnnotation});
  if (json::string_at(deployment, {"metadata", "annotations", kRevisionAnnotation}) !=
      rs_revision) {
    // A plain merge patch without resourceVersion: only this annotation changes. The result
    // carries the resourceVersion the status write below must use.
    deployment =
        merge_patch(client_, deployments_resource(), namespace_of(deployment), name_of(deployment),
                    {{"metadata", {{"annotations", {{kRevisionAnnotation, rs_revision}}}}}});
  }
}

}  // namespace skiff::controllers
