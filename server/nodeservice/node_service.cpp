#include "server/nodeservice/node_service.h"

#include <algorithm>

#include "pkg/api/errors.h"
#include "pkg/api/time.h"
#include "pkg/api/validation.h"
#include "pkg/log/log.h"
#include "server/nodeservice/status_merge.h"

namespace skiff::nodeservice {

namespace {

using controllers::leases_resource;
using controllers::nodes_resource;
using controllers::pods_resource;

// Compare-and-swap retries for writes whose conflict only means "someone wrote meanwhile".
constexpr int kWriteAttempts = 5;

LeaseTiming timing_for(std::chrono::milliseconds grace) {
  using std::chrono::milliseconds;
  const auto renew = std::clamp(grace / 4, milliseconds(100), milliseconds(10000));
  const auto seconds = std::max<int64_t>(1, (grace.count() + 999) / 1000);
  return {renew, static_cast<int>(seconds)};
}

void require_node_name(const std::string& name) {
  if (name.empty()) throw api::bad_request("node name is required");
  auto errors = api::validate_dns1123_subdomain(name);
  if (!errors.empty()) {
    throw api::bad_request("invalid node name \"" + name + "\": " + errors.front());
  }
}

std::string uid_of(const Json& object) {
  return object.value("metadata", Json::object()).value("uid", "");
}

bool is_conflict(const api::ApiError& error) {
  return error.code() == 409;
}

// The pod by `pod`'s name, checked to be the same pod and bound to `node_name`. Null when gone.
store::ObjectPtr bound_pod(store::Store& store, const std::string& node_name, const PodRef& pod) {
  if (pod.namespace_name.empty() || pod.name.empty()) {
    throw api::bad_request("pod namespace and name are required");
  }
  store::ObjectPtr current = store.get(pods_resource().key(pod.namespace_name, pod.name));
  if (!current) return nullptr;
  if (!pod.uid.empty() && uid_of(*current) != pod.uid) {
    throw api::conflict("pods", pod.name,
                        "the pod was replaced (uid " + uid_of(*current) +
                            ", the node reported for uid " + pod.uid + ")");
  }
  const std::string bound_to = node_name_of(*current);
  if (bound_to != node_name) {
    throw api::forbidden("node \"" + node_name + "\" may not write pod " + pod.namespace_name +
                         "/" + pod.name + ": it is " +
                         (bound_to.empty() ? std::string("not bound to a node")
                                           : "bound to node \"" + bound_to + "\""));
  }
  return current;
}

}  // namespace

NodeService::NodeService(store::Store& store, controllers::Client& client,
                         NodeServiceOptions options)
    : store_(store),
      client_(client),
      options_(options),
      timing_(timing_for(options.node_monitor_grace_period)) {}

NodeService::~NodeService() {
  shutdown();
}

Json NodeService::register_node(const NodeRegistration& registration) {
  require_node_name(registration.node_name);
  if (!registration.status.is_object()) {
    throw api::bad_request("node status must be a JSON object (a NodeStatus)");
  }
  const std::string key = nodes_resource().key("", registration.node_name);
  Json node;
  for (int attempt = 1;; ++attempt) {
    const std::string now = api::now_rfc3339();
    store::ObjectPtr current = store_.get(key);
    try {
      node = current ? update_node(*current, registration, now) : create_node(registration, now);
      break;
    } catch (const api::ApiError& error) {
      // 409: created by someone else meanwhile, or a stale resourceVersion: read again.
      if (!is_conflict(error) || attempt == kWriteAttempts) throw;
    }
  }
  ensure_lease(node);
  {
    std::lock_guard lock(mutex_);
    registered_status_[registration.node_name] = registration.status;
  }
  return node;
}

Json NodeService::create_node(const NodeRegistration& registration, const std::string& now) {
  Json labels = Json::object();
  for (const auto& [k, v] :
       node_labels(registration.node_name, registration.status, registration.labels)) {
    labels[k] = v;
  }
  Json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", registration.node_name}, {"labels", labels}}},
               {"spec", Json::object()},
               {"status", stamp_node_status(registration.status, Json(), now)}};
  Json created = controllers::create(client_, nodes_resource(), node);
  log::info("node registered", {{"node", registration.node_name}});
  return created;
}

Json NodeService::update_node(const Json& current, const NodeRegistration& registration,
                              const std::string& now) {
  Json node = current;
  const Json& stored_labels = current["metadata"].value("labels", Json::object());
  Json missing = Json::object();
  for (const auto& [k, v] :
       node_labels(registration.node_name, registration.status, registration.labels)) {
    if (stored_labels.value(k, std::string("\x01")) != v) missing[k] = v;
  }
  if (!missing.empty()) {
    // A merge patch adds ours and keeps labels others set (kubectl label).
    node = controllers::merge_patch(client_, nodes_resource(), "", registration.node_name,
                                    {{"metadata", {{"labels", missing}}}});
  }
  Json desired = node;
  desired["status"] =
      stamp_node_status(registration.status, node.value("status", Json::object()), now);
  return controllers::update_status(client_, nodes_resource(), desired);
}

void NodeService::ensure_lease(const Json& node) {
  const std::string name = node["metadata"].value("name", "");
  const Json owner = {
      {"apiVersion", "v1"}, {"kind", "Node"}, {"name", name}, {"uid", uid_of(node)}};
  const Json spec = {{"holderIdentity", name},
                     {"leaseDurationSeconds", timing_.duration_seconds},
                     {"renewTime", api::format_rfc3339_micro(api::Clock::now())}};
  store::ObjectPtr current = store_.get(leases_resource().key(kLeaseNamespace, name));
  if (!current) {
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata",
                   {{"name", name},
                    {"namespace", kLeaseNamespace},
                    // Deleted with its Node by the garbage collector, as a kubelet's lease is.
                    {"ownerReferences", Json::array({owner})}}},
                  {"spec", spec}};
    try {
      controllers::create(client_, leases_resource(), lease);
      return;
    } catch (const api::ApiError& error) {
      if (!is_conflict(error)) throw;  // created meanwhile: patch it below
    }
  }
  // One durable write per registration (holder or owner may change); renewals stay volatile.
  controllers::merge_patch(
      client_, leases_resource(), kLeaseNamespace, name,
      {{"metadata", {{"ownerReferences", Json::array({owner})}}}, {"spec", spec}});
}

void NodeService::renew_lease(const std::string& node_name) {
  require_node_name(node_name);
  const Json patch = {{"spec", {{"renewTime", api::format_rfc3339_micro(api::Clock::now())}}}};
  try {
    controllers::merge_patch(client_, leases_resource(), kLeaseNamespace, node_name, patch);
  } catch (const api::ApiError& error) {
    if (error.code() != 404) throw;
    store::ObjectPtr node = store_.get(nodes_resource().key("", node_name));
    if (!node) throw api::not_found("nodes", node_name);
    ensure_lease(*node);  // someone deleted the lease; the node is still there
  }
  restore_conditions(node_name);
}

void NodeService::restore_conditions(const std::string& node_name) {
  Json reported;
  {
    std::lock_guard lock(mutex_);
    auto it = registered_status_.find(node_name);
    if (it == registered_status_.end()) return;  // registered with another server process
    reported = it->second;
  }
  store::ObjectPtr node = store_.get(nodes_resource().key("", node_name));
  if (!node) throw api::not_found("nodes", node_name);
  const Json& stored = node->value("status", Json::object());
  if (condition_status(stored, "Ready") == condition_status(reported, "Ready")) return;
  Json desired = *node;
  desired["status"] = stamp_node_status(reported, stored, api::now_rfc3339());
  try {
    controllers::update_status(client_, nodes_resource(), desired);
    log::info("node status restored after silence", {{"node", node_name}});
  } catch (const api::ApiError& error) {
    if (!is_conflict(error)) throw;  // written meanwhile: the next renewal looks again
  }
}

void NodeService::report_pod_status(const std::string& node_name, const PodRef& pod,
                                    const Json& status) {
  require_node_name(node_name);
  if (!status.is_object()) throw api::bad_request("pod status must be a JSON object");
  for (int attempt = 1;; ++attempt) {
    store::ObjectPtr current = bound_pod(store_, node_name, pod);
    if (!current) throw api::not_found("pods", pod.name);
    Json desired = *current;
    desired["status"] = merge_pod_status(status, current->value("status", Json::object()));
    try {
      controllers::update_status(client_, pods_resource(), desired);
      return;
    } catch (const api::ApiError& error) {
      if (!is_conflict(error) || attempt == kWriteAttempts) throw;
    }
  }
}

void NodeService::confirm_pod_deleted(const std::string& node_name, const PodRef& pod) {
  require_node_name(node_name);
  store::ObjectPtr current;
  try {
    current = bound_pod(store_, node_name, pod);
  } catch (const api::ApiError& error) {
    if (is_conflict(error)) return;  // replaced: the pod the node ran is gone already
    throw;
  }
  if (!current) return;
  if (!current->at("metadata").contains("deletionTimestamp")) {
    throw api::conflict("pods", pod.name,
                        "it is not being deleted; a node confirms only pods marked for deletion");
  }
  try {
    controllers::remove(client_, pods_resource(), pod.namespace_name, pod.name, uid_of(*current),
                        0);
  } catch (const api::ApiError& error) {
    if (!is_conflict(error)) throw;  // uid precondition failed: that pod is gone
  }
}

NodeWatchEnd NodeService::watch(const NodeWatchRequest& request, NodeEventSink& sink,
                                const std::function<bool()>& should_stop) {
  require_node_name(request.node_name);
  NodeWatch watch(store_, request, options_.watch_limits);
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return NodeWatchEnd::Stopped;
    watches_.insert(&watch);
  }
  struct Unregister {
    NodeService& service;
    NodeWatch* watch;
    ~Unregister() {
      std::lock_guard lock(service.mutex_);
      service.watches_.erase(watch);
    }
  } unregister{*this, &watch};
  return watch.run(sink, should_stop);
}

void NodeService::shutdown() {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  for (NodeWatch* watch : watches_) watch->stop();
}

}  // namespace skiff::nodeservice
