// Scheduling benchmark: a real `skiff server` (SQLite store, temp data dir) with SIMULATED
// nodes (registered through the API, leases renewed, no kubelet work) and bare pods created
// over HTTPS by 8 clients (keep-alive connections on two event loops, request_load.h) as fast as
// the server takes them, or by a ReplicaSet's controller in the server. The scheduler binds them.
//
// Measures, for 100 and 1,000 nodes: pods bound per second (first create -> last binding
// seen), p50/p99 latency of the create requests during the run, and the server's RSS at the
// end. Then a ReplicaSet of as many replicas (its create -> the last binding). Then the
// scheduler alone: the same pods created while every node is cordoned (each one
// found unschedulable once), then the nodes uncordoned; pods bound per second from the first
// uncordon to the last binding. kube-scheduler manages about 100 pods/s in the Kubernetes
// 5,000-node tests.
//
// Run: build/tests/scheduler_bench [pods=10000] [node counts...=100 1000]
//      (SCHEDULER_BENCH_MODES=replicaset for one of the runs: pods, replicaset, backlog;
//      SCHEDULER_BENCH_CONNECTIONS=16 for more clients creating pods than the default 8)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "tests/bench/support/process_status.h"
#include "tests/bench/support/request_load.h"
#include "tests/integration/support/admin_tls.h"
#include "tests/integration/support/simulated_nodes.h"
#include "tests/integration/support/test_server.h"

using Clock = std::chrono::steady_clock;
using namespace skiff;

namespace {

using bench::status_kib;

std::string rss_mib(pid_t pid) {
  char text[64];
  std::snprintf(text, sizeof text, "%.1f MiB (anon %.1f)", status_kib(pid, "VmRSS") / 1024.0,
                status_kib(pid, "RssAnon") / 1024.0);
  return text;
}

// Counts the pod watch events that `counts` picks (it sees each event's JSON line), from
// `resource_version` on, until `total`.
class EventCounter {
 public:
  EventCounter(const std::string& url, http::ClientOptions client, int total,
               std::string resource_version, std::function<bool(std::string_view)> counts)
      : url_(url),
        client_(std::move(client)),
        total_(total),
        resource_version_(std::move(resource_version)),
        counts_(std::move(counts)) {
    thread_ = std::thread([this] { run(); });
  }
  ~EventCounter() {
    if (thread_.joinable()) thread_.join();
  }
  // Blocks until `total` were counted (or the watch timed out); returns when the last one came.
  Clock::time_point wait() {
    thread_.join();
    return last_;
  }
  int counted() const { return counted_; }

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
            const bool counted = counts_(std::string_view(buffer.data(), nl));
            buffer.erase(0, nl + 1);
            if (counted && ++counted_ == total_) {
              last_ = Clock::now();
              return false;
            }
          }
          return true;
        });
  }
  std::string url_;
  http::ClientOptions client_;
  int total_;
  std::string resource_version_;
  std::function<bool(std::string_view)> counts_;
  int counted_ = 0;
  Clock::time_point last_;
  std::thread thread_;
};

// Events are matched in their text, not parsed: parsing every one cost this benchmark's
// process more CPU than the server's scheduling decision took.
bool is_modified(std::string_view line) {
  return line.rfind(R"({"type":"MODIFIED")", 0) == 0;
}
// A pod's text names spec.nodeName once it is bound, and nowhere else (status has no such field).
bool is_binding(std::string_view line) {
  return is_modified(line) && line.find(R"("nodeName":")") != std::string_view::npos;
}
// The scheduler's PodScheduled=False condition (written once per pod while no node fits).
bool is_unschedulable(std::string_view line) {
  return is_modified(line) && line.find(R"("reason":"Unschedulable")") != std::string_view::npos;
}

// SCHEDULER_BENCH_CONNECTIONS (default 8): how many keep-alive connections create the pods.
int client_connections() {
  const char* text = std::getenv("SCHEDULER_BENCH_CONNECTIONS");
  const int connections = text != nullptr ? std::atoi(text) : 0;
  return connections > 0 ? connections : 8;
}

// One server with `node_count` simulated nodes and a "bench" namespace.
struct BenchCluster {
  explicit BenchCluster(int node_count)
      : node_count(node_count), nodes(node_options(server, node_count)) {
    nodes.start();
    http::HttpClient setup(server.admin_client_options());
    setup.request("POST", server.url() + "/api/v1/namespaces",
                  R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}})",
                  {{"Content-Type", "application/json"}});
  }
  ~BenchCluster() { nodes.stop(); }

  static skiff::testing::SimulatedNodesOptions node_options(
      const skiff::testing::TestServer& server, int count) {
    skiff::testing::SimulatedNodesOptions options;
    options.server_url = server.url();
    options.client = server.admin_client_options();
    options.count = count;
    options.run_pods = false;
    options.lease_renew_interval = std::chrono::seconds(10);
    return options;
  }

  // The revision to watch from: nothing in the namespace after it is missed.
  std::string pods_revision() {
    http::HttpClient client(server.admin_client_options());
    auto listed = client.request("GET", server.url() + "/api/v1/namespaces/bench/pods");
    return Json::parse(listed.body)["metadata"]["resourceVersion"];
  }

  // Sends `total` requests over 8 connections; fails loudly when any is refused.
  bench::LoadResult load(int total, unsigned expected_status,
                         std::function<bench::LoadRequest(int)> make_request) {
    bench::LoadOptions options;
    options.port = server.port();
    options.tls = &tls;
    options.connections = client_connections();
    options.threads = 2;
    options.total = total;
    options.expected_status = expected_status;
    options.make_request = std::move(make_request);
    auto result = bench::run_load(options);
    if (result.failures) std::fprintf(stderr, "%d requests failed\n", result.failures);
    return result;
  }

  bench::LoadResult create_pods(int count) {
    return load(count, 201, [](int i) {
      // Built as text: the client's CPU goes to its connections, not to JSON trees.
      return bench::LoadRequest{
          boost::beast::http::verb::post, "/api/v1/namespaces/bench/pods",
          R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-)" + std::to_string(i) +
              R"(","namespace":"bench"},"spec":{"containers":[{"name":"app","image":"busybox",)"
              R"("resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}})"};
    });
  }

  // Cordons or uncordons every node (kubectl cordon's merge patch).
  void set_unschedulable(bool unschedulable) {
    load(node_count, 200, [this, unschedulable](int i) {
      return bench::LoadRequest{
          boost::beast::http::verb::patch, "/api/v1/nodes/" + nodes.node_name(i + 1),
          std::string(R"({"spec":{"unschedulable":)") + (unschedulable ? "true" : "false") + "}}",
          "application/merge-patch+json"};
    });
  }
  skiff::testing::TestServer server{{"--log-level=warn"}};
  boost::asio::ssl::context tls = skiff::testing::admin_tls_context(server);
  int node_count;
  skiff::testing::SimulatedNodes nodes;
};

// Pods created while the scheduler binds them: what a user applying a big Deployment waits for.
void run_end_to_end(int node_count, int pods) {
  BenchCluster cluster(node_count);
  EventCounter bindings(cluster.server.url(), cluster.server.admin_client_options(), pods,
                        cluster.pods_revision(), is_binding);
  const auto start = Clock::now();
  const auto created = cluster.create_pods(pods);
  const auto last_bound = bindings.wait();
  std::printf(
      "nodes=%d pods=%d bound=%d  create phase %.2f s  bound/s %.0f  create latency p50 %.2f ms "
      "p99 %.2f ms  server RSS %s\n",
      node_count, pods, bindings.counted(), created.seconds,
      bindings.counted() / std::chrono::duration<double>(last_bound - start).count(),
      bench::percentile(created.latencies_ms, 0.50), bench::percentile(created.latencies_ms, 0.99),
      rss_mib(cluster.server.pid()).c_str());
  std::fflush(stdout);
}

// One ReplicaSet of `pods` replicas: its controller creates the pods (in the server, no HTTPS)
// while the scheduler binds them, as after `kubectl scale --replicas=10000` or the apply of a big
// Deployment. Timed from the ReplicaSet's create to the last binding.
void run_replicaset(int node_count, int pods) {
  BenchCluster cluster(node_count);
  EventCounter bindings(cluster.server.url(), cluster.server.admin_client_options(), pods,
                        cluster.pods_revision(), is_binding);
  Json replicaset = Json::parse(R"({"apiVersion":"apps/v1","kind":"ReplicaSet",
    "metadata":{"name":"bench","namespace":"bench"},
    "spec":{"selector":{"matchLabels":{"app":"bench"}},
      "template":{"metadata":{"labels":{"app":"bench"}},
        "spec":{"containers":[{"name":"app","image":"busybox",
          "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}}})");
  replicaset["spec"]["replicas"] = pods;
  http::HttpClient client(cluster.server.admin_client_options());
  const auto start = Clock::now();
  const auto created =
      client.request("POST", cluster.server.url() + "/apis/apps/v1/namespaces/bench/replicasets",
                     replicaset.dump(), {{"Content-Type", "application/json"}});
  if (created.status != 201) {
    std::fprintf(stderr, "the ReplicaSet was refused: %ld %s\n", created.status,
                 created.body.c_str());
    std::exit(1);
  }
  const auto last_bound = bindings.wait();
  std::printf("nodes=%d ReplicaSet of %d replicas: bound=%d  bound/s %.0f  server RSS %s\n",
              node_count, pods, bindings.counted(),
              bindings.counted() / std::chrono::duration<double>(last_bound - start).count(),
              rss_mib(cluster.server.pid()).c_str());
  std::fflush(stdout);
}

// The scheduler alone: `pods` pending pods (every node cordoned) are bound once the nodes are
// uncordoned, as when nodes come back to a cluster with work waiting. Timed from the first
// uncordon to the last binding; the creates are done before.
void run_backlog(int node_count, int pods) {
  BenchCluster cluster(node_count);
  cluster.set_unschedulable(true);
  EventCounter pending(cluster.server.url(), cluster.server.admin_client_options(), pods,
                       cluster.pods_revision(), is_unschedulable);
  cluster.create_pods(pods);
  pending.wait();
  if (pending.counted() != pods) {
    std::fprintf(stderr, "only %d of %d pods were found unschedulable\n", pending.counted(), pods);
    std::exit(1);
  }
  const std::string revision_before = cluster.pods_revision();
  EventCounter bindings(cluster.server.url(), cluster.server.admin_client_options(), pods,
                        revision_before, is_binding);
  const std::string rss_pending = rss_mib(cluster.server.pid());
  const auto start = Clock::now();
  cluster.set_unschedulable(false);
  const auto last_bound = bindings.wait();
  // Every write takes a revision: the bindings, the uncordons, lease renewals and any retry
  // that failed again (an event and a condition). The Scheduled events mostly come after: the
  // event recorder writes them in the background.
  const long long writes = std::stoll(cluster.pods_revision()) - std::stoll(revision_before);
  std::printf(
      "nodes=%d backlog of %d pending pods: bound=%d  bound/s %.0f  writes %lld  server RSS "
      "pending %s, bound %s\n",
      node_count, pods, bindings.counted(),
      bindings.counted() / std::chrono::duration<double>(last_bound - start).count(), writes,
      rss_pending.c_str(), rss_mib(cluster.server.pid()).c_str());
  std::fflush(stdout);
}

}  // namespace

// SCHEDULER_BENCH_MODES="pods,replicaset,backlog" (the default) picks the runs, e.g. to profile
// one.
bool wanted(std::string_view mode) {
  const char* modes = std::getenv("SCHEDULER_BENCH_MODES");
  return modes == nullptr || std::string_view(modes).find(mode) != std::string_view::npos;
}

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::vector<int> node_counts;
  for (int i = 2; i < argc; ++i) node_counts.push_back(std::atoi(argv[i]));
  if (node_counts.empty()) node_counts = {100, 1000};
  for (int nodes : node_counts) {
    if (wanted("pods")) run_end_to_end(nodes, pods);
    if (wanted("replicaset")) run_replicaset(nodes, pods);
    if (wanted("backlog")) run_backlog(nodes, pods);
  }
  return 0;
}
