#pragma once
// Runs one probe once. Behind an interface so that the pod workers' tests script the results;
// the real one is RuntimeProbeRunner (exec through the runtime, HTTP and TCP from the host to
// the pod IP).
#include <string>

#include "agent/pods/pod_spec.h"

namespace skiff::agent::pods {

enum class ProbeType { Startup, Liveness, Readiness };
std::string_view to_string(ProbeType type);

enum class ProbeResult { Success, Failure };

struct ProbeOutcome {
  ProbeResult result = ProbeResult::Success;
  std::string message;  // why it failed (kept for logs and events)
};

struct ProbeTarget {
  std::string container_id;
  std::string container_name;
  std::string pod_ip;
};

class ProbeRunner {
 public:
  virtual ~ProbeRunner() = default;
  // Returns within about probe.timeout; never throws (a probe that cannot run has failed).
  // Called from worker threads: implementations are thread-safe.
  virtual ProbeOutcome run(ProbeType type, const ProbeSpec& probe, const ProbeTarget& target) = 0;
};

}  // namespace skiff::agent::pods
