#include "server/scheduler/scheduler.h"

#include <optional>

#include "pkg/api/errors.h"
#include "pkg/api/json_compare.h"
#include "pkg/api/time.h"
#include "server/controllers/json_access.h"
#include "server/scheduler/schedule.h"

namespace skiff::scheduler {

namespace json = controllers::json;

namespace {
constexpr const char* kComponent = "default-scheduler";

// What of a Node the filters read: spec (taints, unschedulable), labels, allocatable and the
// condition statuses — not heartbeat times.
Json filter_view(const Json& node) {
  Json conditions = Json::object();
  for (const auto& condition : json::at(node, {"status", "conditions"})) {
    conditions[condition.value("type", "")] = condition.value("status", "");
  }
  return {json::at(node, {"spec"}), json::at(node, {"metadata", "labels"}),
          json::at(node, {"status", "allocatable"}), conditions};
}
}  // namespace

Scheduler::Scheduler(Informer& nodes, Informer& pods, controllers::Client& client,
                     controllers::EventRecorder& events, SchedulerOptions options)
    : nodes_(nodes),
      pods_(pods),
      client_(client),
      events_(events),
      options_(std::move(options)),
      loop_("scheduler", [this](const std::string& key) { return sync(key); }) {
  pods_.add_handler(
      [this](const ObjectPtr& old, const ObjectPtr& current) { on_pod_change(old, current); });
  nodes_.add_handler(
      [this](const ObjectPtr& old, const ObjectPtr& current) { on_node_change(old, current); });
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::start() {
  loop_.start(1);  // one scheduling cycle at a time: each decision sees the previous one
  loop_.enqueue_after("\x01flush", options_.unschedulable_flush);
}

void Scheduler::stop() {
  loop_.stop();  // no binding is sent after this
  std::unique_lock lock(flight_mutex_);
  flight_changed_.wait(lock, [this] { return bindings_in_flight_ == 0; });
}

std::uint64_t Scheduler::bound() const {
  std::lock_guard lock(mutex_);
  return bound_;
}

bool Scheduler::wants(const Json& pod) const {
  if (!json::string_at(pod, {"spec", "nodeName"}).empty()) return false;
  if (pod.at("metadata").contains("deletionTimestamp")) return false;
  const std::string phase = json::string_at(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return false;
  return json::string_at(pod, {"spec", "schedulerName"}, "default-scheduler") ==
         options_.scheduler_name;
}

namespace {

// Whether what pod_usage() reads is the same in both versions of a pod: the spec apart from
// nodeName (a binding changes only that) and the owner references. Status writes, the most
// frequent pod changes, leave them alone, and so does a binding.
bool same_usage_inputs(const Json& old, const Json& current) {
  const Json& old_spec = json::at(old, {"spec"});
  const Json& spec = json::at(current, {"spec"});
  if (!old_spec.is_object() || !spec.is_object()) return false;
  if (!api::equal_members_except(old_spec, spec,
                                 [](const std::string& key) { return key == "nodeName"; })) {
    return false;
  }
  return json::at(old, {"metadata", "ownerReferences"}) ==
         json::at(current, {"metadata", "ownerReferences"});
}

}  // namespace

void Scheduler::on_pod_change(const ObjectPtr& old, const ObjectPtr& current) {
  const std::string key = controllers::object_key(current ? *current : *old);
  const std::string old_node = old ? json::string_at(*old, {"spec", "nodeName"}) : "";
  const std::string new_node = current ? json::string_at(*current, {"spec", "nodeName"}) : "";
  const bool occupies = current && pod_occupies_node(*current);
  // Worked out before taking the lock: this runs on the store's write path.
  std::optional<PodUsage> usage;
  if (occupies && !(old && same_usage_inputs(*old, *current))) usage = pod_usage(*current);
  {
    std::lock_guard lock(mutex_);
    // Bound (by us or anyone) or deleted: an assumption ends here, and its binding, still
    // queued, is not attempted.
    const bool assumption_over = !new_node.empty() || !current;
    auto counted = counted_.find(key);
    if (!occupies) {
      // Only an assumption still waiting for its binding keeps counting.
      if (counted != counted_.end() && (assumption_over || !counted->second.assumed_pod)) {
        uncount_locked(key);
      }
    } else if (!usage && counted != counted_.end() && counted->second.node == new_node) {
      counted->second.assumed_pod = nullptr;
    } else {
      if (!usage) usage = pod_usage(*current);  // nothing was counted to carry over
      uncount_locked(key);
      count_locked(key, new_node, std::move(*usage), nullptr);
    }
  }
  if (current && wants(*current)) {
    std::lock_guard lock(mutex_);
    // A parked pod is retried when something changes, not when its own status is written.
    if (unschedulable_.count(key) == 0) loop_.enqueue(key);
  }
  // A pod leaving a node frees room for the parked ones.
  const bool freed = !old_node.empty() && (!current || !scheduler::pod_occupies_node(*current));
  if (freed) retry_unschedulable();
}

void Scheduler::count_locked(const std::string& pod_key, const std::string& node, PodUsage usage,
                             ObjectPtr assumed_pod) {
  usage_by_node_[node].add(usage);
  dirty_usage_.insert(node);
  counted_.insert_or_assign(pod_key, Counted{node, std::move(usage), std::move(assumed_pod)});
}

void Scheduler::uncount_locked(const std::string& pod_key) {
  auto counted = counted_.find(pod_key);
  if (counted == counted_.end()) return;
  const std::string& node = counted->second.node;
  if (auto sums = usage_by_node_.find(node); sums != usage_by_node_.end()) {
    sums->second.remove(counted->second.usage);
    if (sums->second.pod_count == 0) usage_by_node_.erase(sums);
  }
  dirty_usage_.insert(node);
  counted_.erase(counted);
}

void Scheduler::on_node_change(const ObjectPtr& old, const ObjectPtr& current) {
  {
    std::lock_guard lock(mutex_);
    if (!old || !current) {
      nodes_changed_ = true;
    } else {
      dirty_nodes_.insert(json::string_at(*current, {"metadata", "name"}));
    }
  }
  // Only a change the filters can see helps a parked pod (not a heartbeat).
  if (!old || !current || filter_view(*old) != filter_view(*current)) retry_unschedulable();
}

void Scheduler::retry_unschedulable() {
  std::set<std::string> parked;
  {
    std::lock_guard lock(mutex_);
    parked.swap(unschedulable_);
  }
  for (const auto& key : parked) loop_.enqueue(key);
}

void Scheduler::refresh_snapshots() {
  std::set<std::string> dirty_nodes;
  std::set<std::string> dirty_usage;
  bool rebuild_all = false;
  {
    std::lock_guard lock(mutex_);
    dirty_nodes.swap(dirty_nodes_);
    dirty_usage.swap(dirty_usage_);
    rebuild_all = nodes_changed_;
    nodes_changed_ = false;
  }
  if (!rebuild_all) {
    for (const auto& name : dirty_nodes) {
      auto it = snapshot_index_.find(name);
      if (it == snapshot_index_.end()) continue;
      ObjectPtr node = nodes_.get(name);
      if (!node) {
        rebuild_all = true;
        break;
      }
      snapshots_[it->second] = snapshot_of(node);
    }
  }
  if (rebuild_all) {
    snapshots_.clear();
    snapshot_index_.clear();
    for (const auto& node : nodes_.list()) {
      snapshot_index_[json::string_at(*node, {"metadata", "name"})] = snapshots_.size();
      snapshots_.push_back(snapshot_of(node));
    }
    return;
  }
  static const NodeUsage kNoPods;
  std::lock_guard lock(mutex_);
  for (const auto& name : dirty_usage) {
    auto it = snapshot_index_.find(name);
    if (it == snapshot_index_.end() || dirty_nodes.contains(name)) continue;
    auto sums = usage_by_node_.find(name);
    (sums == usage_by_node_.end() ? kNoPods : sums->second).apply_to(snapshots_[it->second]);
  }
}

NodeSnapshot Scheduler::snapshot_of(const ObjectPtr& node) {
  NodeSnapshot snapshot = make_snapshot(node);
  std::lock_guard lock(mutex_);
  if (auto sums = usage_by_node_.find(snapshot.name); sums != usage_by_node_.end()) {
    sums->second.apply_to(snapshot);
  }
  return snapshot;
}

controllers::SyncResult Scheduler::sync(const std::string& pod_key) {
  if (pod_key == "\x01flush") {
    retry_unschedulable();
    return controllers::SyncResult::after(options_.unschedulable_flush);
  }
  ObjectPtr pod = pods_.get(pod_key);
  if (!pod || !wants(*pod)) return controllers::SyncResult::done();
  {
    std::lock_guard lock(mutex_);
    auto counted = counted_.find(pod_key);
    if (counted != counted_.end() && counted->second.assumed_pod) {
      return controllers::SyncResult::done();  // being bound
    }
  }

  // Snapshots belong to this (the only scheduling) thread: no lock while deciding, so the
  // informer handlers, which run on the store's write path, never wait for a decision.
  refresh_snapshots();
  PodInfo info(*pod);
  ScheduleResult result = schedule(info, snapshots_, ++decisions_);
  if (!result.scheduled()) {
    {
      std::lock_guard lock(mutex_);
      unschedulable_.insert(pod_key);
    }
    record_unschedulable(*pod, result.message);
    return controllers::SyncResult::done();
  }
  {
    // Counted at once: the next decision's refresh sees it before the informer does.
    std::lock_guard lock(mutex_);
    uncount_locked(pod_key);
    count_locked(pod_key, *result.node_name, std::move(info.usage), pod);
  }
  bind(pod_key, pod, *result.node_name);
  return controllers::SyncResult::done();
}

void Scheduler::bind(const std::string& pod_key, const ObjectPtr& pod, const std::string& node) {
  const auto [namespace_name, name] = controllers::split_key(pod_key);
  Json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata",
                   {{"name", name},
                    {"namespace", namespace_name},
                    {"uid", json::string_at(*pod, {"metadata", "uid"})}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  {
    // The scheduling thread waits here only when the store is that far behind.
    std::unique_lock lock(flight_mutex_);
    flight_changed_.wait(lock,
                         [this] { return bindings_in_flight_ < options_.max_bindings_in_flight; });
    ++bindings_in_flight_;
  }
  client_.request_async(
      "POST",
      controllers::object_path(controllers::pods_resource(), namespace_name, name, "binding"),
      &binding, [this, pod_key, pod, node](Json, std::exception_ptr error) {
        binding_answered(pod_key, pod, node, error);
        // Last: once the count is back to zero a stopping scheduler may be destroyed.
        std::lock_guard lock(flight_mutex_);
        --bindings_in_flight_;
        flight_changed_.notify_all();
      });
}

// Runs on the store's writer thread (or on the scheduling thread when the answer came at once):
// only quick bookkeeping here.
void Scheduler::binding_answered(const std::string& pod_key, const ObjectPtr& pod,
                                 const std::string& node, std::exception_ptr error) {
  if (error) {
    {
      std::lock_guard lock(mutex_);
      auto counted = counted_.find(pod_key);
      if (counted != counted_.end() && counted->second.assumed_pod) uncount_locked(pod_key);
    }
    // Already bound or gone meanwhile: nothing left to do. Anything else: try again later.
    try {
      std::rethrow_exception(error);
    } catch (const api::ApiError& failure) {
      if (failure.code() != 409 && failure.code() != 404) loop_.queue().add_rate_limited(pod_key);
    } catch (...) {
      loop_.queue().add_rate_limited(pod_key);
    }
    return;
  }
  {
    std::lock_guard lock(mutex_);
    ++bound_;
  }
  events_.record(*pod, "Normal", "Scheduled", "Successfully assigned " + pod_key + " to " + node,
                 kComponent);
}

void Scheduler::record_unschedulable(const Json& pod, const std::string& message) {
  events_.record(pod, "Warning", "FailedScheduling", message, kComponent);
  // The PodScheduled condition, written only when it changes (kubectl get shows Pending either
  // way; describe shows the reason).
  for (const auto& condition : json::at(pod, {"status", "conditions"})) {
    if (condition.value("type", "") == "PodScheduled" &&
        condition.value("reason", "") == "Unschedulable" &&
        condition.value("message", "") == message) {
      return;
    }
  }
  Json conditions = Json::array();
  for (const auto& condition : json::at(pod, {"status", "conditions"})) {
    if (condition.value("type", "") != "PodScheduled") conditions.push_back(condition);
  }
  conditions.push_back({{"type", "PodScheduled"},
                        {"status", "False"},
                        {"lastProbeTime", nullptr},
                        {"lastTransitionTime", api::now_rfc3339()},
                        {"reason", "Unschedulable"},
                        {"message", message}});
  Json patch = {
      {"metadata", {{"resourceVersion", json::string_at(pod, {"metadata", "resourceVersion"})}}},
      {"status", {{"conditions", conditions}, {"phase", "Pending"}}}};
  try {
    controllers::merge_patch(client_, controllers::pods_resource(),
                             json::string_at(pod, {"metadata", "namespace"}),
                             json::string_at(pod, {"metadata", "name"}), patch, "status");
  } catch (const api::ApiError&) {
    // Stale or gone: the next attempt writes it again.
  }
}

}  // namespace skiff::scheduler
