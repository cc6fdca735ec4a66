#pragma once
// The ReplicaSet controller: keeps spec.replicas active pods matching each ReplicaSet's
// selector, and its status current.
//
// sync("<ns>/<name>"):
//   1. claim pods: adopt matching orphans (controller ownerReference added with the pod's
//      resourceVersion as precondition), release owned pods whose labels stopped matching;
//   2. create missing pods (<rs>-<5 random chars> from the template; in slow-start batches,
//      slow_start.h) or delete surplus ones in the order Kubernetes does (replicaset_util.h:
//      pods_to_delete);
//   3. write status (replicas, fullyLabeled, ready, available, observedGeneration) when it
//      changed; requeue when a ready pod becomes available later (minReadySeconds).
//
// No "expectations" bookkeeping as client-go needs: the in-process store publishes every write
// to the informers before the API call returns, so the next sync already sees its own writes.
// Not here: deleting the pods of a deleted ReplicaSet (the garbage collector does it through
// their ownerReferences), ReplicaFailure conditions.
#include <string>

#include "server/controllers/client.h"
#include "server/controllers/controller.h"
#include "server/controllers/event_recorder.h"
#include "server/controllers/informer.h"

namespace skiff::controllers {

class ReplicaSetController {
 public:
  // Informers must have the `controller_uid_index` index named "controller", and `pods` the
  // `orphan_namespace_index` named "orphans"; they, the client and the recorder must outlive
  // the controller. Register before the informers start.
  ReplicaSetController(Informer& replicasets, Informer& pods, Client& client, EventRecorder& events,
                       Clock& clock = steady_clock());

  void start(int workers) { loop_.start(workers); }
  void stop() { loop_.stop(); }
  ControllerLoop& loop() { return loop_; }

  SyncResult sync(const std::string& key);

  // Most pods created or deleted in one sync (Kubernetes' burstReplicas).
  static constexpr int kBurst = 500;

 private:
  void on_pod_change(const ObjectPtr& old, const ObjectPtr& current);
  void enqueue_matching_replicasets(const Json& pod);
  std::vector<ObjectPtr> claim_pods(const Json& replicaset);
  // The pods created, as the API answered them; throws when a create was refused.
  std::vector<ObjectPtr> create_pods(const Json& replicaset, int count);
  void delete_pods(const Json& replicaset, const std::vector<ObjectPtr>& pods, int count);

  Informer& replicasets_;
  Informer& pods_;
  Client& client_;
  EventRecorder& events_;
  ControllerLoop loop_;
};

// The pod a ReplicaSet creates: generateName "<rs>-", the template's labels, annotations and
// spec, a controller ownerReference to the ReplicaSet. Pure.
Json pod_from_template(const Json& replicaset);

}  // namespace skiff::controllers
