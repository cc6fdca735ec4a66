#pragma once
// The pod workers' two seams to the rest of the agent, kept small so that the node connection
// (which arrives later) is a thin adapter over them:
//  - ObjectSource: where the ConfigMaps and Secrets a pod references are read (the agent's copy
//    of what the server sent).
//  - PodStatusSink: where a worker reports the status it computed and that a deleted pod is fully
//    stopped (so the agent can confirm the deletion with grace period 0).
#include <optional>
#include <string>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::agent::pods {

struct PodKey {
  std::string namespace_name;
  std::string name;
  std::string uid;

  std::string text() const { return namespace_name + "/" + name; }
  bool operator==(const PodKey&) const = default;
};

class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  // The object as the API shapes it ("ConfigMap" or "Secret"), or none when it does not exist.
  // Called from worker threads: implementations are thread-safe.
  virtual std::optional<Json> get(std::string_view kind, const std::string& namespace_name,
                                  const std::string& name) = 0;
};

class PodStatusSink {
 public:
  virtual ~PodStatusSink() = default;
  // The pod's whole `status` object; called only when it differs from the last one reported.
  virtual void pod_status_changed(const PodKey& pod, const Json& status) = 0;
  // A pod being deleted has no container, sandbox or volume left. Called again when the pod is
  // updated after that (the confirmation may have been lost). Called from worker threads.
  virtual void pod_stopped(const PodKey& pod) = 0;
};

}  // namespace skiff::agent::pods
