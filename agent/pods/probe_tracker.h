#pragma once
// The state of one probe of one container instance, as the kubelet's probe worker keeps it, as a
// pure state machine: when the probe is due, and what its consecutive results mean.
//
//  - Nothing runs before started_at + initialDelaySeconds; then every periodSeconds.
//  - The verdict flips only after successThreshold consecutive successes or failureThreshold
//    consecutive failures. Before any verdict: readiness is "not ready", liveness "alive",
//    startup "not started".
//  - A startup probe stops once it succeeded. After a liveness or startup failure the tracker
//    holds (the container is restarted; the new instance gets a new tracker).
#include <optional>

#include "agent/pods/clock.h"
#include "agent/pods/probe_runner.h"

namespace skiff::agent::pods {

class ProbeTracker {
 public:
  // `initial` overrides the verdict before any result (an agent that restarted keeps a ready
  // container ready until its probe says otherwise).
  ProbeTracker(ProbeType type, ProbeSpec spec, TimePoint container_started_at,
               std::optional<ProbeResult> initial = std::nullopt);

  ProbeType type() const { return type_; }
  const ProbeSpec& spec() const { return spec_; }
  // None when the probe will not run again (startup succeeded, liveness/startup failed).
  std::optional<TimePoint> next_due() const;
  bool due(TimePoint now) const;
  void record(ProbeResult result, TimePoint now);

  // The verdict so far: true = success (ready, alive, started).
  bool succeeded() const { return verdict_ == ProbeResult::Success; }
  bool failed() const { return verdict_ == ProbeResult::Failure; }

 private:
  ProbeType type_;
  ProbeSpec spec_;
  TimePoint first_due_;
  std::optional<TimePoint> last_run_;
  std::optional<ProbeResult> verdict_;
  std::optional<ProbeResult> last_result_;
  int run_length_ = 0;
  bool done_ = false;
};

}  // namespace skiff::agent::pods
