#include "agent/nodeclient/report_queue.h"

#include <algorithm>

namespace skiff::agent::nodeclient {

namespace {

std::string key_of(const PodRef& pod) {
  return pod.uid.empty() ? pod.namespace_name + "/" + pod.name : pod.uid;
}

}  // namespace

void ReportQueue::add_status(const PodRef& pod, Json status) {
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(key_of(pod));
  // A pod whose deletion is being confirmed has nothing more to report.
  if (it != waiting_.end() && it->second.type == PodReport::Type::Deletion) return;
  put_locked({PodReport::Type::Status, pod, std::move(status), next_sequence_++});
}

void ReportQueue::add_deletion(const PodRef& pod) {
  std::lock_guard lock(mutex_);
  put_locked({PodReport::Type::Deletion, pod, nullptr, next_sequence_++});
}

void ReportQueue::put_locked(PodReport report) {
  waiting_[key_of(report.pod)] = std::move(report);
}

std::vector<PodReport> ReportQueue::take() {
  std::lock_guard lock(mutex_);
  std::vector<PodReport> reports;
  reports.reserve(waiting_.size());
  for (auto& [key, report] : waiting_) reports.push_back(std::move(report));
  waiting_.clear();
  std::sort(reports.begin(), reports.end(),
            [](const PodReport& a, const PodReport& b) { return a.sequence < b.sequence; });
  return reports;
}

void ReportQueue::retry(PodReport report) {
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(key_of(report.pod));
  if (it != waiting_.end()) return;  // newer news about this pod arrived meanwhile
  waiting_.emplace(key_of(report.pod), std::move(report));
}

bool ReportQueue::empty() const {
  std::lock_guard lock(mutex_);
  return waiting_.empty();
}

}  // namespace skiff::agent::nodeclient
