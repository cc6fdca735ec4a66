#include "pkg/util/handoff_batch.h"

#include "pkg/log/log.h"

namespace skiff::util {

namespace {
thread_local HandoffBatch* open_batch = nullptr;
}  // namespace

HandoffBatch::HandoffBatch() : outermost_(open_batch == nullptr) {
  if (outermost_) open_batch = this;
}

HandoffBatch::~HandoffBatch() {
  if (!outermost_) return;
  open_batch = nullptr;
  for (auto& [target, work] : kept_) {
    try {
      target->post_all(std::move(work));
    } catch (const std::exception& error) {
      // Out of memory while queueing. A destructor has no one to pass this to; the work is
      // lost as a post that throws loses it (an answer not written: its connection times out).
      log::error("handed-off work dropped", {{"items", work.size()}, {"error", error.what()}});
    }
  }
}

void HandoffBatch::hand_off(HandoffTarget& target, std::function<void()> work) {
  HandoffBatch* batch = open_batch;
  if (batch == nullptr) return target.post(std::move(work));
  // A batch hands work to one or two I/O threads: a linear look is the quickest.
  for (auto& [kept_target, work_list] : batch->kept_) {
    if (kept_target == &target) {
      work_list.push_back(std::move(work));
      return;
    }
  }
  batch->kept_.emplace_back(&target, std::vector<std::function<void()>>{});
  batch->kept_.back().second.push_back(std::move(work));
}

}  // namespace skiff::util
