// Scheduling benchmark: a real `skiff server` (SQLite store, temp data dir) with SIMULATED
// nodes (registered through the API, leases renewed, no kubelet work) and bare pods created
// over HTTPS by 8 clients (keep-alive connections on two event loops, request_load.h) as fast as
// the server takes them. The scheduler binds them.
//
// Measures, for 100 and 1,000 nodes: pods bound per second (first create -> last binding
// seen), p50/p99 latency of the create requests during the run, and the server's RSS at the
// end. kube-scheduler manages about 100 pods/s in the Kubernetes 5,000-node tests.
//
// Run: build/tests/scheduler_bench [pods=10000] [node counts...=100 1000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "tests/bench/support/request_load.h"
#include "tests/integration/support/admin_tls.h"
#include "tests/integration/support/simulated_nodes.h"
#include "tests/integration/support/test_server.h"

using Clock = std::chrono::steady_clock;
using namespace skiff;

namespace {

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Counts bound pods from a watch on all pods, until `total` are bound.
class BindingCounter {
 public:
  // Watches from `resource_version` so that no binding made after it is missed.
  BindingCounter(const std::string& url, http::ClientOptions client, int total,
                 std::string resource_version)
      : url_(url),
        client_(std::move(client)),
        total_(total),
        resource_version_(std::move(resource_version)) {
    thread_ = std::thread([this] { run(); });
  }
  ~BindingCounter() {
    if (thread_.joinable()) thread_.join();
  }
  // Blocks until every pod is bound (or the watch times out); returns when the last one was.
  Clock::time_point wait() {
    thread_.join();
    return last_;
  }
  int bound() const { return bound_; }

 private:
  void run() {
    http::HttpClient client(client_);
    std::string buffer;
    client.stream(
        "GET",
        url_ + "/api/v1/namespaces/bench/pods?watch=1&timeoutSeconds=600&resourceVersion=" +
            resource_version_,
        [&](std::string_view chunk) {
          buffer.append(chunk);
          for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
            // A pod's text names spec.nodeName once it is bound (and nowhere else: status
            // has no such field). Found without parsing the event, which cost this counter
            // more CPU than the server's decision took.
            const std::string_view line(buffer.data(), nl);
            const bool bound = line.rfind(R"({"type":"MODIFIED")", 0) == 0 &&
                               line.find(R"("nodeName":")") != std::string_view::npos;
            buffer.erase(0, nl + 1);
            if (bound) {
              if (++bound_ == total_) {
                last_ = Clock::now();
                return false;
              }
            }
          }
          return true;
        });
  }
  std::string url_;
  http::ClientOptions client_;
  int total_;
  std::string resource_version_;
  int bound_ = 0;
  Clock::time_point last_;
  std::thread thread_;
};

void run(int node_count, int pods) {
  skiff::testing::TestServer server({"--log-level=warn"});
  skiff::testing::SimulatedNodesOptions options;
  options.server_url = server.url();
  options.client = server.admin_client_options();
  options.count = node_count;
  options.run_pods = false;
  options.lease_renew_interval = std::chrono::seconds(10);
  skiff::testing::SimulatedNodes nodes(options);
  nodes.start();
  http::HttpClient setup(server.admin_client_options());
  setup.request("POST", server.url() + "/api/v1/namespaces",
                R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}})",
                {{"Content-Type", "application/json"}});

  auto listed = setup.request("GET", server.url() + "/api/v1/namespaces/bench/pods");
  BindingCounter counter(server.url(), server.admin_client_options(), pods,
                         Json::parse(listed.body)["metadata"]["resourceVersion"]);
  skiff::bench::LoadOptions load;
  load.port = server.port();
  auto tls = skiff::testing::admin_tls_context(server);
  load.tls = &tls;
  load.connections = 8;
  load.threads = 2;
  load.total = pods;
  load.expected_status = 201;
  load.make_request = [](int i) {
    // Built as text: the client's CPU goes to its connections, not to JSON trees.
    return skiff::bench::LoadRequest{
        boost::beast::http::verb::post, "/api/v1/namespaces/bench/pods",
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-)" + std::to_string(i) +
            R"(","namespace":"bench"},"spec":{"containers":[{"name":"app","image":"busybox",)"
            R"("resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}})"};
  };
  const auto start = Clock::now();
  const auto result = skiff::bench::run_load(load);
  if (result.failures) std::fprintf(stderr, "creates: %d failed\n", result.failures);
  const auto created = Clock::now();
  const auto last_bound = counter.wait();
  const double seconds = std::chrono::duration<double>(last_bound - start).count();
  std::printf(
      "nodes=%d pods=%d bound=%d  create phase %.2f s  bound/s %.0f  create latency p50 %.2f ms "
      "p99 %.2f ms  server RSS %.1f MiB\n",
      node_count, pods, counter.bound(), std::chrono::duration<double>(created - start).count(),
      counter.bound() / seconds, skiff::bench::percentile(result.latencies_ms, 0.50),
      skiff::bench::percentile(result.latencies_ms, 0.99), rss_kib(server.pid()) / 1024.0);
  std::fflush(stdout);
  nodes.stop();
}

}  // namespace

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::vector<int> node_counts;
  for (int i = 2; i < argc; ++i) node_counts.push_back(std::atoi(argv[i]));
  if (node_counts.empty()) node_counts = {100, 1000};
  for (int nodes : node_counts) run(nodes, pods);
  return 0;
}
