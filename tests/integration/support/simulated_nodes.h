#pragma once
// SIMULATED nodes for tests and benchmarks (no containers): registers N Node objects with
// their Leases, renews the leases, and plays each node's kubelet through the API exactly as an
// agent would — a pod bound to one of its nodes is reported Running and Ready (with a fake pod
// IP), and a pod marked for deletion is confirmed with a delete of grace period 0.
//
// It talks to a real skiff server over HTTPS (one watch on pods, a few writer threads), so
// everything it does goes through admission and reaches the controllers like real agent
// traffic. stop_node() makes one node go silent (no lease renewals, no kubelet work) to test
// node failure; resume_node() brings it back.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/http/client.h"

namespace skiff::testing {

struct SimulatedNodesOptions {
  std::string server_url;  // https://127.0.0.1:PORT
  // How every request authenticates and verifies the server: a TestServer's
  // admin_client_options() (the admin may write Nodes, Leases and pod status for any node).
  http::ClientOptions client;
  int count = 2;
  std::string name_prefix = "sim-node-";  // nodes are <prefix>1 .. <prefix>N
  std::string cpu = "4";
  std::string memory = "8Gi";
  std::string max_pods = "110";
  std::chrono::milliseconds lease_renew_interval{2000};
  bool run_pods = true;  // play the kubelet (Running/Ready, deletion confirmation)
  int writer_threads = 2;
};

class SimulatedNodes {
 public:
  explicit SimulatedNodes(SimulatedNodesOptions options);
  ~SimulatedNodes();  // stops every thread; the Node objects stay (the server is torn down)
  SimulatedNodes(const SimulatedNodes&) = delete;
  SimulatedNodes& operator=(const SimulatedNodes&) = delete;

  // Registers the nodes (Ready) and their leases, then starts renewing and the kubelet loop.
  // Throws std::runtime_error when the API refuses.
  void start();
  void stop();

  std::string node_name(int index) const;  // 1-based
  void stop_node(const std::string& name);
  void resume_node(const std::string& name);

  // Pods this simulator reported Running so far.
  std::uint64_t pods_started() const { return pods_started_.load(); }

 private:
  void register_node(http::HttpClient& client, const std::string& name);
  void renew_loop();
  void watch_loop();
  void writer_loop();
  void handle_pod(const Json& pod);
  void enqueue(std::function<void(http::HttpClient&)> work);
  bool silent(const std::string& node) const;

  SimulatedNodesOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> pods_started_{0};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> silent_nodes_;
  std::set<std::string> nodes_;
  std::set<std::string> started_uids_;  // pods already reported Running
  std::set<std::string> deleting_uids_;
  std::deque<std::function<void(http::HttpClient&)>> work_;
  std::vector<std::thread> threads_;
};

}  // namespace skiff::testing
