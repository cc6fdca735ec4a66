#pragma once
// The agent's pods: one PodWorker per pod uid, fed with the pods the server binds to this node,
// and the ConfigMap/Secret changes they depend on.
//
// Restarts: adopt() lists what the runtime already runs (sandboxes carry the io.kubernetes.pod.*
// labels). A worker made for such a pod finds its running containers and keeps them: nothing is
// restarted or duplicated. set_pods() then says which pods exist at all; adopted pods missing
// from it were deleted while the agent was away and are stopped (with the grace period their
// containers recorded) without reports.
//
// Running: start() gives every worker a thread (as the kubelet has a goroutine per pod; a worker
// blocks while its containers stop with their grace period) and starts a relister that lists the
// runtime's containers every relist_period and wakes the workers whose containers changed state
// (the kubelet's PLEG: one list call per period for all pods, no per-container polling). Without
// start(), sync_all() and relist() drive everything on the caller's thread (unit tests).
//
// A worker that stopped a deleted pod is dropped; its uid is remembered until remove_pod() (the
// API object is gone) so that a late update does not start the pod again; pod_stopped is repeated
// for such updates, in case the confirmation was lost.
//
// Thread-safe. The destructor stops the threads and leaves every container running.
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/pods/pod_worker.h"

namespace skiff::agent::pods {

struct PodManagerOptions {
  PodWorkerOptions worker;
  std::chrono::milliseconds relist_period{1000};
};

class PodManager {
 public:
  PodManager(runtime::Runtime& runtime, ObjectSource& objects, PodStatusSink& sink,
             ProbeRunner& probes, const Clock& clock, PodManagerOptions options = {});
  ~PodManager();
  PodManager(const PodManager&) = delete;
  PodManager& operator=(const PodManager&) = delete;

  // The pods the runtime has (call once, before set_pods). Throws RuntimeError when the runtime
  // cannot be asked.
  std::vector<PodKey> adopt();
  // Every pod bound to this node (after a list). Adopted pods not in it are stopped.
  void set_pods(const std::vector<Json>& pods);
  // A pod was added or changed (new spec, deletionTimestamp). Bad input is logged and ignored.
  void update_pod(const Json& pod);
  // The pod's API object is gone: stop it (if still running) and forget it.
  void remove_pod(const std::string& uid);
  // A ConfigMap or Secret changed: workers that use it refresh their volumes and retry starts.
  void object_changed(std::string_view kind, const std::string& namespace_name,
                      const std::string& name);

  void start();
  void stop();  // joins the threads; containers keep running

  // Without threads: runs every worker with something pending or due, once.
  void sync_all();
  // Lists the runtime and wakes the workers whose containers changed; returns their uids.
  std::vector<std::string> relist();

  // The last status a worker built, if the pod has a worker.
  std::optional<Json> status(const std::string& uid) const;
  size_t worker_count() const;

 private:
  struct Slot;
  using SlotPtr = std::shared_ptr<Slot>;

  SlotPtr slot(const std::string& uid) const;
  void make_slot(const PodKey& key, const Json& pod, bool forget);
  void run_slot(const SlotPtr& slot);  // a worker thread
  // Hands the slot's pending inputs to its worker and syncs it if anything is pending or due;
  // returns whether it ran.
  bool step(Slot& slot, bool only_if_due);
  void reap();  // joins and drops workers that finished
  void relist_loop();

  runtime::Runtime& runtime_;
  ObjectSource& objects_;
  PodStatusSink& sink_;
  ProbeRunner& probes_;
  const Clock& clock_;
  PodManagerOptions options_;

  mutable std::mutex mutex_;
  std::map<std::string, SlotPtr> slots_;  // by uid
  std::set<std::string> finished_;        // uids whose deletion was completed
  std::map<std::string, PodKey> adopted_;
  std::map<std::string, std::chrono::seconds> adopted_grace_;
  std::map<std::string, std::pair<std::string, runtime::ContainerState>> last_relist_;  // by id
  bool running_ = false;
  bool stopping_ = false;
  std::condition_variable relist_wake_;
  std::thread relister_;
};

}  // namespace skiff::agent::pods
