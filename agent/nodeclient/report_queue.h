#pragma once
// What the agent still has to tell the server about its pods, coalesced: for one pod only the
// latest status waits, and a confirmed deletion replaces its status. Reports survive
// reconnects; the session takes them, and puts back the ones that failed for now. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/nodeclient/node_session.h"

namespace skiff::agent::nodeclient {

struct PodReport {
  enum class Type { Status, Deletion };
  Type type = Type::Status;
  PodRef pod;
  Json status;            // Status
  uint64_t sequence = 0;  // order of arrival
};

class ReportQueue {
 public:
  void add_status(const PodRef& pod, Json status);
  void add_deletion(const PodRef& pod);
  // Every waiting report, oldest first; the queue is left empty.
  std::vector<PodReport> take();
  // A report whose delivery failed for now goes back, unless a newer one for the pod arrived.
  void retry(PodReport report);
  bool empty() const;

 private:
  void put_locked(PodReport report);

  mutable std::mutex mutex_;
  std::map<std::string, PodReport> waiting_;  // by pod uid (or namespace/name without one)
  uint64_t next_sequence_ = 1;
};

}  // namespace skiff::agent::nodeclient
