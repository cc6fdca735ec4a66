#include "pkg/kubectl/rollout_watch.h"

#include <algorithm>
#include <optional>
#include <ostream>

#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/rollout_status.h"

namespace skiff::kubectl {
namespace {

using Clock = std::chrono::steady_clock;

// How long one watch request may stay open when there is no --timeout (kubectl's informers
// ask for 5-10 minutes and re-watch).
constexpr std::chrono::seconds kWatchWindow{300};

std::string resource_version(const Json& object) {
  const Json& rv = member(member(object, "metadata"), "resourceVersion");
  return rv.is_string() ? rv.get<std::string>() : "";
}

class RolloutFollower {
 public:
  RolloutFollower(Context& ctx, const TargetObject& target, const RolloutWatchOptions& options)
      : ctx_(ctx), target_(target), options_(options) {
    if (options.timeout.count() > 0) deadline_ = Clock::now() + options.timeout;
  }

  int run() {
    const std::string selector = "metadata.name=" + target_.name();
    const std::string collection = target_.type.collection_path(target_.namespace_name);
    std::string rv;
    bool need_list = true;
    while (!finished_) {
      if (need_list) {
        Json list = ctx_.api().get(collection + query_string({{"fieldSelector", selector}}),
                                   "list " + target_.type.qualified());
        rv = resource_version(list);
        for (const auto& item : member(list, "items")) {
          if (auto failure = on_object(item); !failure.empty()) throw usage_error(failure);
          if (finished_) return 0;
        }
        need_list = false;
      }
      if (expired()) throw usage_error("timed out waiting for the condition");
      std::string query = query_string({{"allowWatchBookmarks", "true"},
                                        {"fieldSelector", selector},
                                        {"resourceVersion", rv},
                                        {"timeoutSeconds", std::to_string(window_seconds())},
                                        {"watch", "true"}});
      // The callback runs inside the HTTP client's transfer: it records failures and stops
      // the stream instead of throwing through it.
      std::string failure;
      ctx_.api().watch(collection + query, kAcceptJson, [&](const Json& event) {
        if (!event.is_object()) return true;
        const std::string type = event.value("type", std::string());
        const Json& object = member(event, "object");
        if (type == "ERROR") {
          // 410 Gone: our resourceVersion is too old; start over from a fresh list.
          if (member(object, "code") == 410)
            need_list = true;
          else
            failure = object.value("message", std::string("the watch failed"));
          return false;
        }
        if (!resource_version(object).empty()) rv = resource_version(object);
        if (type == "ADDED" || type == "MODIFIED") failure = on_object(object);
        if (type == "DELETED") failure = "object has been deleted";
        return failure.empty() && !finished_ && !expired();
      });
      if (!failure.empty()) throw usage_error(failure);
    }
    return 0;
  }

 private:
  // Prints the status line for one state of the Deployment; returns the error that ends the
  // command ("" when none).
  std::string on_object(const Json& deployment) {
    RolloutStatus status = deployment_rollout_status(deployment, options_.revision);
    if (!status.error.empty()) return status.error;
    ctx_.out << status.message << "\n";
    ctx_.out.flush();
    if (status.done || !options_.watch) finished_ = true;
    return "";
  }

  bool expired() const { return deadline_ && Clock::now() >= *deadline_; }

  // The watch's timeoutSeconds: the rest of --timeout (rounded up), else kWatchWindow.
  long long window_seconds() const {
    if (!deadline_) return kWatchWindow.count();
    auto left = std::chrono::ceil<std::chrono::seconds>(*deadline_ - Clock::now());
    return std::max<long long>(1, left.count());
  }

  Context& ctx_;
  const TargetObject& target_;
  RolloutWatchOptions options_;
  std::optional<Clock::time_point> deadline_;
  bool finished_ = false;
};

}  // namespace

int watch_rollout_status(Context& ctx, const TargetObject& deployment,
                         const RolloutWatchOptions& options) {
  return RolloutFollower(ctx, deployment, options).run();
}

}  // namespace skiff::kubectl
