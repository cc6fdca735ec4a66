#include "agent/node_network.h"

#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::agent {

using nodeclient::ObjectKind;

NodeNetwork::NodeNetwork(NodeNetworkOptions options, NodeNetworkHooks hooks, Lister list)
    : options_(std::move(options)), hooks_(std::move(hooks)), list_(std::move(list)) {}

NodeNetwork::~NodeNetwork() {
  stop();
}

void NodeNetwork::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    util::name_this_thread("node-network");
    run();
  });
}

void NodeNetwork::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void NodeNetwork::object_changed(ObjectKind kind, const Json&) {
  mark(kind);
}

void NodeNetwork::object_removed(ObjectKind kind, const Json&) {
  mark(kind);
}

void NodeNetwork::settings_received(const nodeclient::ClusterSettings& settings) {
  std::lock_guard lock(mutex_);
  if (settings_ && *settings_ == settings) return;
  if (settings_ && settings_->network_backend != settings.network_backend) {
    log::warn("the server's network backend changed; restart the agent to apply it",
              {{"was", settings_->network_backend}, {"now", settings.network_backend}});
  }
  settings_ = settings;
  services_dirty_ = nodes_dirty_ = start_pending_ = true;
  wake_.notify_all();
}

void NodeNetwork::mark(ObjectKind kind) {
  std::lock_guard lock(mutex_);
  if (kind == ObjectKind::Service || kind == ObjectKind::EndpointSlice) {
    services_dirty_ = true;
  } else if (kind == ObjectKind::Node) {
    nodes_dirty_ = true;
  } else {
    return;
  }
  wake_.notify_all();
}

std::string NodeNetwork::pod_cidr_of(const std::vector<Json>& nodes, const std::string& node_name) {
  for (const auto& node : nodes) {
    if (!node.is_object()) continue;
    const Json& metadata = node.value("metadata", Json::object());
    if (!metadata.is_object() || metadata.value("name", "") != node_name) continue;
    const Json& spec = node.value("spec", Json::object());
    if (!spec.is_object()) return "";
    const auto cidr = spec.find("podCIDR");
    return cidr != spec.end() && cidr->is_string() ? cidr->get<std::string>() : "";
  }
  return "";
}

Json NodeNetwork::list_json(ObjectKind kind) const {
  Json out = Json::array();
  for (auto& object : list_(kind)) out.push_back(std::move(object));
  return out;
}

void NodeNetwork::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] {
      return stopping_ || (settings_ && (services_dirty_ || nodes_dirty_ || start_pending_));
    });
    if (stopping_) return;
    // Let a burst of changes (a rollout touches many slices) settle into one round.
    wake_.wait_for(lock, options_.debounce, [this] { return stopping_; });
    if (stopping_) return;
    const nodeclient::ClusterSettings settings = *settings_;
    const bool services = services_dirty_, nodes = nodes_dirty_;
    services_dirty_ = nodes_dirty_ = start_pending_ = false;
    lock.unlock();
    const bool done = work(settings, services, nodes);
    lock.lock();
    if (!done) {
      start_pending_ = !pods_started_;
      services_dirty_ = services_dirty_ || services;
      nodes_dirty_ = nodes_dirty_ || nodes;
      wake_.wait_for(lock, options_.retry_delay, [this] { return stopping_; });
    }
  }
}

bool NodeNetwork::work(const nodeclient::ClusterSettings& settings, bool services, bool nodes) {
  bool done = true;
  bool pods_started;
  {
    std::lock_guard lock(mutex_);
    pods_started = pods_started_;
  }
  if (!pods_started) {
    try {
      std::string network;
      std::string pod_cidr;
      bool ready = true;
      if (settings.network_backend != "none") {
        pod_cidr = pod_cidr_of(list_(ObjectKind::Node), options_.node_name);
        ready = !pod_cidr.empty();  // the server's node IPAM has not given one yet
        if (ready && hooks_.bring_up_pod_network)
          network = hooks_.bring_up_pod_network(settings, pod_cidr);
      }
      if (ready) {
        if (hooks_.pods_may_start) hooks_.pods_may_start(settings, network);
        std::lock_guard lock(mutex_);
        pods_started_ = true;
        nodes_dirty_ = true;  // the routes waited for the pod network (below)
        log::info(
            "pod network ready",
            {{"podCIDR", pod_cidr}, {"backend", settings.network_backend}, {"network", network}});
      }
    } catch (const std::exception& error) {
      log::error("cannot set up the pod network; retrying",
                 {{"error", error.what()}, {"node", options_.node_name}});
      done = false;
    }
  }
  if (services && hooks_.services_changed) {
    try {
      hooks_.services_changed(settings, list_json(ObjectKind::Service),
                              list_json(ObjectKind::EndpointSlice));
    } catch (const std::exception& error) {
      log::error("cannot apply the services; retrying", {{"error", error.what()}});
      done = false;
    }
  }
  // Routes wait for the pod network (starting pods marks the nodes dirty again): the vxlan
  // device holds an address of this node's pod subnet, and podman refuses to create a network
  // whose subnet is already on the host.
  bool pod_network_up;
  {
    std::lock_guard lock(mutex_);
    pod_network_up = pods_started_;
  }
  if (nodes && pod_network_up && hooks_.nodes_changed) {
    try {
      hooks_.nodes_changed(settings, list_json(ObjectKind::Node));
    } catch (const std::exception& error) {
      log::error("cannot apply the routes to other nodes; retrying", {{"error", error.what()}});
      done = false;
    }
  }
  return done;
}

}  // namespace skiff::agent
