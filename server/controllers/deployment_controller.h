#pragma once
// The Deployment controller: rolls a Deployment's pod template out through ReplicaSets.
//
// sync("<ns>/<name>") is one step toward the desired state (rollout math in
// deployment_rollout.h, status in deployment_status.h, naming and revisions in
// deployment_util.h):
//   1. claim ReplicaSets (adopt matching orphans, release ones that stopped matching);
//   2. the new ReplicaSet is the one whose template equals the Deployment's (ignoring the
//      pod-template-hash label); it gets revision = max(old) + 1 — so `rollout undo`, which
//      copies an older template back, revives that ReplicaSet under a new revision;
//   3. paused: only scale (the single active ReplicaSet follows spec.replicas); otherwise one
//      RollingUpdate or Recreate step: create the new ReplicaSet and scale ReplicaSets;
//   4. once complete, delete old ReplicaSets beyond revisionHistoryLimit;
//   5. write status (counters, Available and Progressing conditions) when it changed; requeue
//      for the progress deadline.
// The Deployment's own revision annotation follows its new ReplicaSet's.
// Not here: proportional scaling of several active ReplicaSets when replicas change mid-rollout
// (the new ReplicaSet absorbs the change), deleting ReplicaSets of a deleted Deployment (the
// garbage collector does that).
#include <string>
#include <vector>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

class DeploymentController {
 public:
  // `replicasets` and `pods` need the "controller" index (controller_uid_index).
  DeploymentController(Informer& deployments, Informer& replicasets, Informer& pods, Client& client,
                       EventRecorder& events, Clock& clock = steady_clock());

  void start(int workers) { loop_.start(workers); }
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

 private:
  std::vector<Json> claim_replicasets(const Json& deployment);
  // Creates the new ReplicaSet, or returns the existing one of that name when it has the same
  // template (a lost race with ourselves); throws Conflict after bumping collisionCount
  // otherwise.
  Json create_new_replicaset(const Json& deployment, int replicas, std::int64_t revision);
  void scale(const Json& deployment, const Json& replicaset, int replicas);
  bool old_pods_running(const std::vector<Json>& old_replicasets) const;
  // Moves the new ReplicaSet to `revision` when it is lower, and the Deployment's revision
  // annotation to the ReplicaSet's; `deployment` becomes the patched object.
  void sync_revision_annotations(Json& deployment, const Json& new_replicaset,
                                 std::int64_t revision);

  Informer& deployments_;
  Informer& replicasets_;
  Informer& pods_;
  Client& client_;
  EventRecorder& events_;
  ControllerLoop loop_;
};

}  // namespace skiff::controllers
