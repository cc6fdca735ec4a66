#include "agent/pods/probe_tracker.h"

namespace skiff::agent::pods {

std::string_view to_string(ProbeType type) {
  switch (type) {
    case ProbeType::Startup:
      return "Startup";
    case ProbeType::Liveness:
      return "Liveness";
    case ProbeType::Readiness:
      return "Readiness";
  }
  return "Unknown";
}

ProbeTracker::ProbeTracker(ProbeType type, ProbeSpec spec, TimePoint container_started_at,
                           std::optional<ProbeResult> initial)
    : type_(type), spec_(std::move(spec)), first_due_(container_started_at + spec_.initial_delay) {
  if (type_ == ProbeType::Liveness) verdict_ = ProbeResult::Success;
  if (type_ == ProbeType::Readiness) verdict_ = ProbeResult::Failure;
  if (initial) verdict_ = initial;
}

std::optional<TimePoint> ProbeTracker::next_due() const {
  if (done_) return std::nullopt;
  if (!last_run_) return first_due_;
  return *last_run_ + spec_.period;
}

bool ProbeTracker::due(TimePoint now) const {
  std::optional<TimePoint> next = next_due();
  return next && now >= *next;
}

void ProbeTracker::record(ProbeResult result, TimePoint now) {
  last_run_ = now;
  run_length_ = last_result_ == result ? run_length_ + 1 : 1;
  last_result_ = result;
  const int threshold =
      result == ProbeResult::Success ? spec_.success_threshold : spec_.failure_threshold;
  if (run_length_ < threshold) return;
  verdict_ = result;
  if (type_ == ProbeType::Startup && result == ProbeResult::Success) done_ = true;
  if (type_ != ProbeType::Readiness && result == ProbeResult::Failure) done_ = true;
}

}  // namespace skiff::agent::pods
