#pragma once
// Shared pieces of the node service's unit tests: the real API server over a memory store with
// an in-process client (no sockets), object builders, and a sink that records a node's stream.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pkg/api/errors.h"
#include "server/apiserver/api_server.h"
#include "server/controllers/client.h"
#include "server/nodeservice/node_service.h"
#include "server/nodeservice/node_watch.h"
#include "server/store/memory_store.h"

namespace skiff::nodeservice::testing {

using namespace std::chrono_literals;
using controllers::pods_resource;

// A NodeStatus as an agent reports it.
inline Json agent_node_status(const std::string& ready = "True") {
  return {{"capacity", {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}}},
          {"allocatable", {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}}},
          {"addresses", {{{"type", "InternalIP"}, {"address", "192.0.2.7"}}}},
          {"nodeInfo",
           {{"operatingSystem", "linux"},
            {"architecture", "arm64"},
            {"kernelVersion", "6.1.0"},
            {"containerRuntimeVersion", "podman://4.3.1"},
            {"kubeletVersion", "v1.32.0-skiff"}}},
          {"conditions",
           {{{"type", "Ready"},
             {"status", ready},
             {"reason", "KubeletReady"},
             {"message", "skiff agent is posting ready status"}}}}};
}

inline Json pod_object(const std::string& name, const std::string& node,
                       const Json& extra_spec = Json::object()) {
  Json spec = {{"containers", {{{"name", "app"}, {"image", "busybox"}}}}};
  if (!node.empty()) spec["nodeName"] = node;
  spec.update(extra_spec);
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", spec}};
}

inline Json config_map_object(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", {{"key", value}}}};
}

class ApiFixture : public ::testing::Test {
 protected:
  explicit ApiFixture(size_t window = store::WatchHub::kDefaultWindowSize)
      : store(window),
        api(store, apiserver::ApiServerOptions{"127.0.0.1:6443", false}),
        inner([this](http::Request& r) { return api.handle(r); }) {
    api.start();
  }
  ~ApiFixture() override { api.stop(); }

  Json create_pod(const std::string& name, const std::string& node,
                  const Json& extra_spec = Json::object()) {
    return controllers::create(client, pods_resource(), pod_object(name, node, extra_spec));
  }
  Json create_config_map(const std::string& name, const std::string& value) {
    const Json body = config_map_object(name, value);
    return client.request("POST", "/api/v1/namespaces/default/configmaps", &body);
  }
  Json get(const std::string& path) { return client.request("GET", path, nullptr); }
  Json pod(const std::string& name) { return get("/api/v1/namespaces/default/pods/" + name); }
  bool pod_exists(const std::string& name) {
    try {
      pod(name);
      return true;
    } catch (const api::ApiError& error) {
      if (error.code() == 404) return false;
      throw;
    }
  }
  // DELETE with the pod's default grace: a bound pod is only marked.
  void delete_pod(const std::string& name) {
    controllers::remove(client, pods_resource(), "default", name);
  }

  store::MemoryStore store;
  apiserver::ApiServer api;
  controllers::InProcessClient inner;
  controllers::Client& client = inner;  // the base declares request()'s default arguments
};

// Records a node's stream; blocks a send while `hold` is set (to make the agent look slow).
class RecordingSink : public NodeEventSink {
 public:
  bool send(const NodeWatchEvent& event) override {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !hold; });
    events_.push_back(event);
    changed_.notify_all();
    return accept;
  }
  // Waits until `predicate` holds for the events so far; fails the test on timeout.
  bool wait_for(const std::function<bool(const std::vector<NodeWatchEvent>&)>& predicate,
                const std::string& what, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, timeout, [&] { return predicate(events_); })) return true;
    ADD_FAILURE() << "timed out waiting for " << what << " (" << events_.size() << " events)";
    return false;
  }
  bool wait_count(std::size_t count, std::chrono::milliseconds timeout = 5s) {
    return wait_for([count](const auto& events) { return events.size() >= count; },
                    std::to_string(count) + " events", timeout);
  }
  std::vector<NodeWatchEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    events_.clear();
  }
  void set_hold(bool value) {
    std::lock_guard lock(mutex_);
    hold = value;
    changed_.notify_all();
  }
  bool accept = true;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<NodeWatchEvent> events_;
  bool hold = false;
};

// Runs one watch on a thread until stopped.
class RunningWatch {
 public:
  RunningWatch(NodeService& service, NodeWatchRequest request, RecordingSink& sink)
      : thread_([this, &service, request, &sink] {
          end = service.watch(request, sink, [this] { return stop_.load(); });
          ended = true;
        }) {}
  ~RunningWatch() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::atomic<bool> ended{false};
  NodeWatchEnd end = NodeWatchEnd::Stopped;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// "Added Pod default/web" style lines, for readable expectations.
inline std::string describe(const NodeWatchEvent& event) {
  using Type = NodeWatchEvent::Type;
  static const char* types[] = {"Added", "Modified", "Deleted", "Reset", "Synced", "Bookmark"};
  std::string text = types[static_cast<int>(event.type)];
  if (event.type == Type::Reset || event.type == Type::Synced || event.type == Type::Bookmark) {
    return text;
  }
  static const char* kinds[] = {"Pod",           "ConfigMap", "Secret", "Service",
                                "EndpointSlice", "Node",      "Ingress"};
  const Json& metadata = event.object->at("metadata");
  return text + " " + kinds[static_cast<int>(event.kind)] + " " + metadata.value("namespace", "") +
         "/" + metadata.value("name", "");
}

inline std::vector<std::string> describe(const std::vector<NodeWatchEvent>& events) {
  std::vector<std::string> out;
  for (const auto& event : events) out.push_back(describe(event));
  return out;
}

}  // namespace skiff::nodeservice::testing
