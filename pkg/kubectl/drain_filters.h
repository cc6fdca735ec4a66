#pragma once
// Which pods `kubectl drain` evicts, skips or refuses, as kubectl's drain filters decide
// (DaemonSet-managed, mirror, emptyDir, no controller), and how it words the outcome. Pure:
// the one fact that needs the API (does a DaemonSet still exist) comes in as a callback.
#include <functional>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct DrainOptions {
  bool force = false;                 // --force: evict pods without a controller
  bool ignore_daemonsets = false;     // --ignore-daemonsets
  bool delete_emptydir_data = false;  // --delete-emptydir-data
};

struct PodDrainVerdict {
  enum class Kind { Okay, Skip, Warning, Error };
  bool evict = false;
  Kind kind = Kind::Okay;
  std::string message;  // for Warning and Error
};

// The outcome of looking up a pod's controlling DaemonSet.
struct DaemonSetLookup {
  bool exists = false;
  bool not_found = false;  // the server said 404 (an orphaned pod)
  std::string error;       // the error text when !exists
};
using DaemonSetLookupFn =
    std::function<DaemonSetLookup(const std::string& namespace_name, const std::string& name)>;

// The verdict for one pod: the filters run in kubectl's order and the first that refuses (or
// skips) decides; otherwise the last filter's verdict stands.
PodDrainVerdict drain_verdict(const Json& pod, const DrainOptions& options,
                              const DaemonSetLookupFn& daemonset);

struct PodVerdict {
  Json pod;
  PodDrainVerdict verdict;
};

// Verdicts for every pod of a PodList's items.
std::vector<PodVerdict> drain_verdicts(const Json& pods, const DrainOptions& options,
                                       const DaemonSetLookupFn& daemonset);

// The pods to evict.
std::vector<Json> pods_to_evict(const std::vector<PodVerdict>& verdicts);
// "message: ns/a, ns/b; other: ns/c" for warnings, "" when none.
std::string drain_warnings(const std::vector<PodVerdict>& verdicts);
// One error text per distinct message ("cannot delete <message>: ns/a, ns/b", worded as
// kubectl 1.32 does); empty when drain may proceed.
std::vector<std::string> drain_errors(const std::vector<PodVerdict>& verdicts);

}  // namespace skiff::kubectl
