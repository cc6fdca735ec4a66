#pragma once
// One pod's worker, as the kubelet has one per pod: it keeps the pod's containers as the spec
// says and reports the pod's status.
//
// A worker is driven from outside and owns no thread: update() hands it a newer Pod (spec,
// deletionTimestamp), sync() does one round (look at the runtime, run due probes, take the steps
// compute_pod_actions decides until nothing changes, report the status if it changed) and says
// when it wants to run again (a backoff ending, a probe due, a volume refresh). PodManager gives
// each worker a thread; unit tests call sync() directly with a ManualClock and the fake runtime.
//
// Deletion: once the pod has a deletionTimestamp (or forget() was called), the next sync runs the
// preStop hooks and stops the containers with the grace period (at least 2 s, as the kubelet),
// stops and removes the sandboxes, deletes the pod's volume directory, reports the final status
// and then pod_stopped. That sync blocks for as long as the containers take to stop.
//
// Not thread-safe: one caller at a time. Runtime failures do not escape: sync() logs them and
// asks to be run again a little later.
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "agent/pods/backoff.h"
#include "agent/pods/clock.h"
#include "agent/pods/image_puller.h"
#include "agent/pods/pod_actions.h"
#include "agent/pods/pod_dns.h"
#include "agent/pods/pod_interfaces.h"
#include "agent/pods/pod_snapshot.h"
#include "agent/pods/pod_spec.h"
#include "agent/pods/pod_status.h"
#include "agent/pods/pod_volumes.h"
#include "agent/pods/probe_runner.h"
#include "agent/pods/probe_tracker.h"
#include "agent/runtime/runtime.h"

namespace skiff::agent::pods {

struct PodWorkerDeps {
  runtime::Runtime& runtime;
  ObjectSource& objects;
  PodStatusSink& sink;
  ProbeRunner& probes;
  const Clock& clock;
};

struct PodWorkerOptions {
  std::filesystem::path root_dir = "/var/lib/skiff/agent";  // volumes under <root>/pods/<uid>/
  std::string host_ip;
  std::string runtime_name = "podman";  // the containerID scheme in status
  // How often configMap/secret volumes are compared with their objects without being told.
  std::chrono::seconds volume_refresh{60};
  // After a runtime failure, how soon the worker tries again.
  std::chrono::seconds error_retry{5};
  // The shortest stop grace period (the kubelet's minimumGracePeriodInSeconds).
  std::chrono::seconds minimum_grace{2};
  // The pods' resolv.conf (pod_dns.h); an empty cluster_dns leaves it to the runtime.
  NodeDnsSettings dns;
  // The runtime network pod sandboxes join; "" = the runtime's default.
  std::string network;
};

class PodWorker {
 public:
  // `pod` is the API object; its status (if any) is the starting point of the reported one.
  PodWorker(PodWorkerDeps deps, PodWorkerOptions options, const Json& pod);

  void update(const Json& pod);
  // The API object is gone (force-deleted, or deleted while the agent was away): the next sync
  // stops everything with the last known grace period and reports nothing more.
  void forget();
  // A ConfigMap or Secret changed: the next sync refreshes volumes and retries what failed for
  // want of it.
  void objects_changed();
  bool references(std::string_view kind, const std::string& name) const;

  // One round; returns when to run again (none: only when something happens).
  std::optional<TimePoint> sync();

  const PodKey& key() const { return spec_.key; }
  bool stopped() const { return stopped_; }
  bool deleting() const { return spec_.deleting || forgotten_; }
  bool forgotten() const { return forgotten_; }
  const Json& status() const { return status_; }

 private:
  struct ContainerProbes {
    std::optional<ProbeTracker> startup, liveness, readiness;
    bool started = false;
  };

  void parse(const Json& pod);
  std::optional<PodDns> resolv_conf(const Json& pod) const;
  std::optional<TimePoint> run(TimePoint now);
  std::optional<TimePoint> terminate();
  bool refresh_volumes(TimePoint now);
  void run_probes(const PodSnapshot& snapshot, TimePoint now);
  void start_probes(ContainerProbes& probes, const ContainerSpec& spec,
                    const runtime::ContainerStatus& instance, bool started_before);
  bool probe(ProbeTracker& tracker, const runtime::ContainerStatus& instance,
             const PodSnapshot& snapshot, TimePoint now);
  bool execute(const PodActions& actions, const PodSnapshot& snapshot, TimePoint now);
  bool start_container(const StartContainer& start, const std::string& sandbox_id,
                       uint32_t sandbox_attempt, TimePoint now);
  bool start_created(const std::string& id, const std::string& name, TimePoint now);
  bool may_try_start(const std::string& name, TimePoint now);
  void start_failed(const std::string& name, const std::string& reason, const std::string& message,
                    TimePoint now);
  runtime::PodSandboxConfig sandbox_config(uint32_t attempt) const;
  const ContainerSpec* container_spec(const std::string& name) const;
  void publish(const PodSnapshot& snapshot, TimePoint now);
  std::optional<TimePoint> next_wake(const PodActions& actions, TimePoint now) const;
  std::map<std::string, ProbeView> probe_views() const;
  bool previously(const std::string& name, const std::string& container_id,
                  const char* field) const;

  PodWorkerDeps deps_;
  PodWorkerOptions options_;
  Json pod_;
  PodSpecView spec_;
  std::string spec_error_;     // the pod cannot run as written; every container waits with this
  std::optional<PodDns> dns_;  // none: the runtime's resolv.conf
  std::string qos_class_;
  PodObserver observer_;
  ImagePuller images_;
  PodVolumes volumes_;
  Backoff crash_backoff_;  // by container name
  Backoff start_backoff_;  // by container name: config, create and start errors
  std::map<std::string, ContainerWaiting> waiting_;  // by container name
  std::map<std::string, ContainerProbes> probes_;    // by container id
  std::set<std::string> unhealthy_;                  // container ids a probe condemned
  std::optional<TimePoint> retry_at_;                // an image or start retry
  std::set<std::string> tried_this_sync_;            // container names: one start try per sync
  std::optional<TimePoint> volumes_refreshed_at_;
  bool volumes_dirty_ = true;
  std::string volume_error_;
  std::string pod_ip_;
  bool terminal_ = false;
  bool forgotten_ = false;
  bool stopped_ = false;
  Json initial_status_;  // the API's status when the worker started (probe state after restarts)
  Json status_;          // the last built
  Json reported_;        // the last reported
};

}  // namespace skiff::agent::pods
