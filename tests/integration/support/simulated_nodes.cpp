#include "tests/integration/support/simulated_nodes.h"

#include <stdexcept>

#include "pkg/api/time.h"
#include "pkg/http/client.h"

namespace skiff::testing {

namespace {

constexpr const char* kLeaseNamespace = "kube-node-lease";

http::HeaderList json_headers() {
  return {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
}

void expect_ok(const http::ClientResponse& response, const std::string& what) {
  if (response.status >= 200 && response.status < 300) return;
  throw std::runtime_error(what + ": HTTP " + std::to_string(response.status) + " " +
                           response.body);
}

// A pod IP derived from the uid, unique enough for tests (10.42.x.y).
std::string fake_pod_ip(const std::string& uid) {
  std::size_t hash = std::hash<std::string>{}(uid);
  return "10.42." + std::to_string(hash % 250 + 1) + "." + std::to_string((hash >> 8) % 250 + 2);
}

}  // namespace

SimulatedNodes::SimulatedNodes(SimulatedNodesOptions options) : options_(std::move(options)) {}

SimulatedNodes::~SimulatedNodes() {
  stop();
}

std::string SimulatedNodes::node_name(int index) const {
  return options_.name_prefix + std::to_string(index);
}

void SimulatedNodes::start() {
  http::HttpClient client(options_.client);  // one connection for all: 1,000 handshakes cost 2 s
  for (int i = 1; i <= options_.count; ++i) {
    register_node(client, node_name(i));
    std::lock_guard lock(mutex_);
    nodes_.insert(node_name(i));
  }
  threads_.emplace_back([this] { renew_loop(); });
  if (options_.run_pods) {
    threads_.emplace_back([this] { watch_loop(); });
    for (int i = 0; i < options_.writer_threads; ++i) {
      threads_.emplace_back([this] { writer_loop(); });
    }
  }
}

void SimulatedNodes::stop() {
  stopping_ = true;
  changed_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void SimulatedNodes::stop_node(const std::string& name) {
  std::lock_guard lock(mutex_);
  silent_nodes_.insert(name);
}

void SimulatedNodes::resume_node(const std::string& name) {
  // A kubelet coming back posts its status (Ready) as soon as it sees the node marked Unknown.
  http::HttpClient client(options_.client);
  register_node(client, name);
  std::lock_guard lock(mutex_);
  silent_nodes_.erase(name);
}

bool SimulatedNodes::silent(const std::string& node) const {
  std::lock_guard lock(mutex_);
  return silent_nodes_.count(node) > 0;
}

void SimulatedNodes::register_node(http::HttpClient& client, const std::string& name) {
  const std::string now = api::now_rfc3339();
  Json resources = {
      {"cpu", options_.cpu}, {"memory", options_.memory}, {"pods", options_.max_pods}};
  Json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata",
                {{"name", name},
                 {"labels",
                  {{"kubernetes.io/hostname", name},
                   {"kubernetes.io/os", "linux"},
                   {"kubernetes.io/arch", "amd64"}}}}},
               {"status",
                {{"capacity", resources},
                 {"allocatable", resources},
                 {"conditions",
                  {{{"type", "Ready"},
                    {"status", "True"},
                    {"reason", "KubeletReady"},
                    {"message", "simulated kubelet is posting ready status"},
                    {"lastHeartbeatTime", now},
                    {"lastTransitionTime", now}}}},
                 {"addresses",
                  {{{"type", "InternalIP"}, {"address", "192.0.2.1"}},
                   {{"type", "Hostname"}, {"address", name}}}},
                 {"nodeInfo",
                  {{"kubeletVersion", "v1.32.0-skiff-sim"},
                   {"operatingSystem", "linux"},
                   {"architecture", "amd64"}}}}}};
  auto created =
      client.request("POST", options_.server_url + "/api/v1/nodes", node.dump(), json_headers());
  if (created.status == 409) {
    // Re-registration keeps the object; make sure its status says Ready again.
    auto current = client.request("GET", options_.server_url + "/api/v1/nodes/" + name);
    expect_ok(current, "get node " + name);
    Json existing = Json::parse(current.body);
    existing["status"] = node["status"];
    expect_ok(client.request("PUT", options_.server_url + "/api/v1/nodes/" + name + "/status",
                             existing.dump(), json_headers()),
              "update node status " + name);
  } else {
    expect_ok(created, "create node " + name);
    // The server keeps the status of a create? Nodes take status on create in Kubernetes, but
    // write it through the status subresource too in case the API dropped it.
    Json stored = Json::parse(created.body);
    if (!stored.contains("status") || !stored["status"].contains("conditions")) {
      stored["status"] = node["status"];
      expect_ok(client.request("PUT", options_.server_url + "/api/v1/nodes/" + name + "/status",
                               stored.dump(), json_headers()),
                "update node status " + name);
    }
  }
  Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name}, {"namespace", kLeaseNamespace}}},
                {"spec",
                 {{"holderIdentity", name},
                  {"leaseDurationSeconds", 40},
                  {"renewTime", api::format_rfc3339_micro(api::Clock::now())}}}};
  auto lease_created =
      client.request("POST",
                     options_.server_url + "/apis/coordination.k8s.io/v1/namespaces/" +
                         kLeaseNamespace + "/leases",
                     lease.dump(), json_headers());
  if (lease_created.status != 409) expect_ok(lease_created, "create lease " + name);
}

void SimulatedNodes::renew_loop() {
  http::HttpClient client(options_.client);
  while (!stopping_) {
    std::vector<std::string> nodes;
    {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, options_.lease_renew_interval, [this] { return stopping_.load(); });
      if (stopping_) return;
      for (const auto& node : nodes_) {
        if (!silent_nodes_.count(node)) nodes.push_back(node);
      }
    }
    for (const auto& node : nodes) {
      // A merge patch of renewTime, as a kubelet's lease update changes nothing else.
      Json patch = {{"spec", {{"renewTime", api::format_rfc3339_micro(api::Clock::now())}}}};
      try {
        client.request("PATCH",
                       options_.server_url + "/apis/coordination.k8s.io/v1/namespaces/" +
                           kLeaseNamespace + "/leases/" + node,
                       patch.dump(), {{"Content-Type", "application/merge-patch+json"}});
      } catch (const std::exception&) {
        // The server may be restarting; the next round renews again.
      }
    }
  }
}

void SimulatedNodes::watch_loop() {
  http::HttpClient client(options_.client);
  std::string resource_version = "0";
  // Start over from a fresh list (a watch from "0" replays every pod as ADDED) and look at
  // every pod again, as a kubelet's resync would.
  const auto relist = [&] {
    resource_version = "0";
    std::lock_guard lock(mutex_);
    started_uids_.clear();
    deleting_uids_.clear();
  };
  while (!stopping_) {
    std::string buffer;
    try {
      // A short watch, resumed from the last resourceVersion: stop() waits for it to end.
      client.stream(
          "GET",
          options_.server_url + "/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=1" +
              "&resourceVersion=" + resource_version,
          [&](std::string_view chunk) {
            buffer.append(chunk);
            for (auto newline = buffer.find('\n'); newline != std::string::npos;
                 newline = buffer.find('\n')) {
              Json event = Json::parse(buffer.substr(0, newline), nullptr, false);
              buffer.erase(0, newline + 1);
              if (!event.is_object()) continue;
              const std::string type = event.value("type", "");
              if (type == "ERROR") {  // expired (e.g. the server restarted)
                relist();
                return false;
              }
              const Json& object = event["object"];
              if (object.contains("metadata")) {
                resource_version = object["metadata"].value("resourceVersion", resource_version);
              }
              if (type == "ADDED" || type == "MODIFIED") handle_pod(object);
            }
            return !stopping_.load();
          });
    } catch (const std::exception&) {
      // The server is gone (restarting). A status write that failed meanwhile gets no second
      // event if the server comes back at the same revision, so look at every pod again once
      // it is back, as a kubelet's status manager retries what it could not write.
      relist();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void SimulatedNodes::handle_pod(const Json& pod) {
  const std::string node = pod.value("spec", Json::object()).value("nodeName", "");
  {
    std::lock_guard lock(mutex_);
    if (node.empty() || !nodes_.count(node) || silent_nodes_.count(node)) return;
  }
  const Json& metadata = pod["metadata"];
  const std::string uid = metadata.value("uid", "");
  const std::string path = "/api/v1/namespaces/" + metadata.value("namespace", "") + "/pods/" +
                           metadata.value("name", "");
  if (metadata.contains("deletionTimestamp")) {
    {
      std::lock_guard lock(mutex_);
      if (!deleting_uids_.insert(uid).second) return;
    }
    enqueue([this, path, uid](http::HttpClient& client) {
      Json options = {{"apiVersion", "v1"},
                      {"kind", "DeleteOptions"},
                      {"gracePeriodSeconds", 0},
                      {"preconditions", {{"uid", uid}}}};
      long status = 0;
      try {
        status =
            client.request("DELETE", options_.server_url + path, options.dump(), json_headers())
                .status;
      } catch (const std::exception&) {
      }
      if (status != 200 && status != 404) {
        std::lock_guard lock(mutex_);
        deleting_uids_.erase(uid);  // try again on the next event or relist
      }
    });
    return;
  }
  const Json& status = pod.value("status", Json::object());
  if (status.value("phase", "") == "Running") return;
  {
    std::lock_guard lock(mutex_);
    if (!started_uids_.insert(uid).second) return;
  }
  enqueue([this, path, pod, uid](http::HttpClient& client) {
    const std::string now = api::now_rfc3339();
    Json containers = Json::array();
    for (const auto& container : pod["spec"].value("containers", Json::array())) {
      containers.push_back({{"name", container.value("name", "")},
                            {"image", container.value("image", "")},
                            {"imageID", "sim://" + container.value("image", "")},
                            {"ready", true},
                            {"started", true},
                            {"restartCount", 0},
                            {"state", {{"running", {{"startedAt", now}}}}}});
    }
    Json conditions = Json::array();
    for (const char* type :
         {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
      conditions.push_back({{"type", type},
                            {"status", "True"},
                            {"lastProbeTime", nullptr},
                            {"lastTransitionTime", now}});
    }
    const std::string ip = fake_pod_ip(pod["metadata"].value("uid", ""));
    Json patch = {{"status",
                   {{"phase", "Running"},
                    {"conditions", conditions},
                    {"hostIP", "192.0.2.1"},
                    {"podIP", ip},
                    {"podIPs", {{{"ip", ip}}}},
                    {"startTime", now},
                    {"containerStatuses", containers}}}};
    long status = 0;
    try {
      status = client
                   .request("PATCH", options_.server_url + path + "/status", patch.dump(),
                            {{"Content-Type", "application/merge-patch+json"}})
                   .status;
    } catch (const std::exception&) {
      // The server is down: the next event (or the relist after it returns) tries again.
    }
    if (status >= 200 && status < 300) {
      ++pods_started_;
    } else {
      std::lock_guard lock(mutex_);
      started_uids_.erase(uid);
    }
  });
}

void SimulatedNodes::enqueue(std::function<void(http::HttpClient&)> work) {
  {
    std::lock_guard lock(mutex_);
    work_.push_back(std::move(work));
  }
  changed_.notify_all();
}

void SimulatedNodes::writer_loop() {
  http::HttpClient client(options_.client);  // one keep-alive connection per writer
  while (true) {
    std::function<void(http::HttpClient&)> work;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_.load() || !work_.empty(); });
      if (stopping_) return;
      work = std::move(work_.front());
      work_.pop_front();
    }
    try {
      work(client);
    } catch (const std::exception&) {
      // Transient (server restart): the next watch event retries.
    }
  }
}

}  // namespace skiff::testing
