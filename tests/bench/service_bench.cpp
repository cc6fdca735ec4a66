// The services plane on real podman, one node in a network namespace (as
// tests/integration/services_podman_test.cpp sets it up, so the host's network is never touched):
//  1. Data path: wrk against the same busybox httpd pod (one replica, a 64-byte static file;
//     busybox httpd closes every connection, so each request is a new connection and goes
//     through the NAT rules) directly by pod IP, by ClusterIP, by NodePort on the node address
//     and by the LoadBalancer address, from the "lan" namespace (a machine outside the cluster,
//     given a route to the pod subnet via the node for the direct case) and from inside the node
//     namespace. Each path runs `rounds` times, the paths interleaved, so the spread shows the
//     noise; the ratio is to the direct path from the same place.
//  2. Endpoint change -> rules in place: a Service without selector and its EndpointSlice; the
//     slice's address is patched through the API and `nft monitor` in the node namespace
//     timestamps the first rule naming the new address. Measured alone and with 200 more
//     such services present.
// Needs root, podman, runc, busybox-static (tests/integration/support/podman_test_env.h), ip and
// nft, and wrk (`apt-get install -y wrk`); skips with the reason when one is missing.
//
// Usage: service_bench [seconds=10] [connections=16] [rounds=2] [changes=20]
//        (wrk runs with 2 threads, `connections` connections, for `seconds` per path and round)
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "tests/integration/support/netns.h"
#include "tests/integration/support/node_lan.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"
#include "tests/integration/support/wait.h"

using skiff::Json;
using skiff::testing::CommandResult;
using skiff::testing::run_command;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr const char* kToken = "service-bench-token";
constexpr int kWrkThreads = 2;

double millis(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(
      values.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(values.size())));
  return values[index];
}

std::string wrk_unavailable_reason() {
  if (run_command({"wrk", "--version"}).exit_code == 127)
    return "wrk is not installed (Debian: apt-get install -y wrk)";
  return "";
}

// Runs `kubectl args` in the server's namespace; throws with its output when it fails.
std::string kubectl(skiff::testing::TestServer& server, const std::vector<std::string>& args,
                    const std::string& input = "") {
  CommandResult result = server.kubectl(args, input);
  if (result.exit_code != 0) {
    std::string command = "kubectl";
    for (const auto& arg : args) command += " " + arg;
    throw std::runtime_error(command + ": " + result.out + result.err);
  }
  return result.out;
}

// ---- 1. data path ----

std::string web_manifest(const std::string& image) {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: )" +
         image + R"(
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
        command:
        - sh
        - -c
        - |
          mkdir -p /www
          printf '%063d\n' 0 > /www/index.html
          exec httpd -f -p 8080 -h /www
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 8081, targetPort: http}]
)";
}

struct Path {
  std::string name;
  std::string from;   // "lan" or "node": where wrk runs
  std::string netns;  // its namespace
  std::string url;
  std::string baseline;  // the direct path from the same place ("" for a direct path)
};

struct WrkRun {
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long errors = 0;  // socket errors + non-2xx
};

double wrk_duration_ms(const std::string& value, const std::string& unit) {
  const double number = std::stod(value);
  if (unit == "us") return number / 1000;
  if (unit == "ms") return number;
  if (unit == "s") return number * 1000;
  if (unit == "m") return number * 60000;
  throw std::runtime_error("wrk: unknown unit " + unit);
}

WrkRun run_wrk(const Path& path, int seconds, int connections) {
  const std::vector<std::string> argv = skiff::testing::in_netns(
      path.netns, {"wrk", "-t", std::to_string(kWrkThreads), "-c", std::to_string(connections),
                   "-d", std::to_string(seconds) + "s", "--latency", path.url});
  CommandResult result = run_command(argv, "", seconds + 60);
  if (result.exit_code != 0)
    throw std::runtime_error("wrk " + path.url + ": " + result.out + result.err);
  WrkRun run;
  std::smatch match;
  const std::string& out = result.out;
  if (std::regex_search(out, match, std::regex(R"(Requests/sec:\s+([0-9.]+))")))
    run.requests_per_second = std::stod(match[1]);
  if (std::regex_search(out, match, std::regex(R"(\n\s+50%\s+([0-9.]+)(us|ms|s|m)\b)")))
    run.p50_ms = wrk_duration_ms(match[1], match[2]);
  if (std::regex_search(out, match, std::regex(R"(\n\s+99%\s+([0-9.]+)(us|ms|s|m)\b)")))
    run.p99_ms = wrk_duration_ms(match[1], match[2]);
  if (std::regex_search(
          out, match,
          std::regex(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))")))
    for (int i = 1; i <= 4; ++i) run.errors += std::stol(match[i]);
  if (std::regex_search(out, match, std::regex(R"(Non-2xx or 3xx responses: (\d+))")))
    run.errors += std::stol(match[1]);
  if (run.requests_per_second == 0) throw std::runtime_error("wrk " + path.url + ": " + out);
  return run;
}

void measure_data_path(const std::vector<Path>& paths, int seconds, int connections, int rounds) {
  // Every path must answer before anything is measured.
  for (const Path& path : paths) {
    const std::vector<std::string> curl = skiff::testing::in_netns(
        path.netns, {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "3", path.url});
    if (!skiff::testing::eventually([&] { return run_command(curl).out == "200"; }, 20s)) {
      const CommandResult last = run_command(curl);
      // What the packet met, for the report.
      std::fprintf(stderr, "%s\n",
                   run_command(skiff::testing::in_netns(path.netns, {"nft", "list", "ruleset"}))
                       .out.c_str());
      throw std::runtime_error("no answer from " + path.url + " (" + path.name + ") from the " +
                               path.from + ": curl exit code " + std::to_string(last.exit_code) +
                               " " + last.out + last.err);
    }
  }
  std::map<std::string, std::vector<WrkRun>> runs;
  for (int round = 0; round < rounds; ++round) {
    for (const Path& path : paths) {
      std::fprintf(stderr, "round %d/%d: %s (%s) ...\n", round + 1, rounds, path.name.c_str(),
                   path.url.c_str());
      runs[path.name].push_back(run_wrk(path, seconds, connections));
    }
  }
  auto mean_rps = [&](const std::string& name) {
    double sum = 0;
    for (const WrkRun& run : runs[name]) sum += run.requests_per_second;
    return sum / static_cast<double>(runs[name].size());
  };
  std::printf(
      "\ndata path: wrk -t %d -c %d -d %ds --latency, a new connection per request (busybox "
      "httpd), one backend pod, %d rounds interleaved\n",
      kWrkThreads, connections, seconds, rounds);
  std::printf("%-26s %-5s %-28s %-22s %-20s %-20s %s\n", "path", "from", "url", "requests/s",
              "p50 ms", "p99 ms", "errors  vs direct");
  for (const Path& path : paths) {
    std::string rps, p50, p99;
    long errors = 0;
    for (const WrkRun& run : runs[path.name]) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%s%.0f", rps.empty() ? "" : " / ", run.requests_per_second);
      rps += cell;
      std::snprintf(cell, sizeof cell, "%s%.2f", p50.empty() ? "" : " / ", run.p50_ms);
      p50 += cell;
      std::snprintf(cell, sizeof cell, "%s%.2f", p99.empty() ? "" : " / ", run.p99_ms);
      p99 += cell;
      errors += run.errors;
    }
    std::string ratio = "1.00 (baseline)";
    if (!path.baseline.empty()) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "%.2fx", mean_rps(path.name) / mean_rps(path.baseline));
      ratio = cell;
    }
    std::printf("%-26s %-5s %-28s %-22s %-20s %-20s %-7ld %s\n", path.name.c_str(),
                path.from.c_str(), path.url.c_str(), rps.c_str(), p50.c_str(), p99.c_str(), errors,
                ratio.c_str());
  }
  std::printf(
      "(per-round figures separated by /; the ratio compares mean requests/s; goal >= 0.95x)\n");
}

// ---- 2. endpoint change -> rules ----

// `nft monitor` in a namespace, kept running; remembers when each line arrived.
class NftMonitor {
 public:
  explicit NftMonitor(std::string netns) : netns_(std::move(netns)) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      skiff::testing::exec_child({"nsenter", "--net=/run/netns/" + netns_, "nft", "monitor"});
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
    reader_ = std::thread([this] { read_lines(); });
  }
  ~NftMonitor() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    reader_.join();
    ::close(read_fd_);
  }
  NftMonitor(const NftMonitor&) = delete;
  NftMonitor& operator=(const NftMonitor&) = delete;

  // nft starts listening a while after the fork: until a probe table of ours (made and deleted
  // in the namespace) shows up, a rule change could pass unseen.
  void wait_until_listening() {
    const std::vector<std::string> probe = {
        "nsenter", "--net=/run/netns/" + netns_, "nft",
        "add table ip skiff-bench-probe; delete table ip skiff-bench-probe"};
    for (int attempt = 0;; ++attempt) {
      run_command(probe);
      try {
        wait_for("skiff-bench-probe", 200ms);
        break;
      } catch (const std::runtime_error&) {
        if (attempt == 50) throw std::runtime_error("nft monitor shows no events");
      }
    }
    clear();
  }

  // Forgets every line seen so far.
  void clear() {
    std::lock_guard lock(mutex_);
    lines_.clear();
  }

  // When the first line (since clear()) containing `text` arrived; throws after `timeout`.
  Steady::time_point wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    size_t checked = 0;
    const auto deadline = Steady::now() + timeout;
    for (;;) {
      for (; checked < lines_.size(); ++checked)
        if (lines_[checked].second.find(text) != std::string::npos) return lines_[checked].first;
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && checked == lines_.size())
        throw std::runtime_error("no nftables rule naming " + text + " within " +
                                 std::to_string(timeout.count()) + " ms");
    }
  }

 private:
  void read_lines() {
    std::string buffer;
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
      if (n <= 0) return;
      const auto now = Steady::now();
      buffer.append(chunk, static_cast<size_t>(n));
      std::lock_guard lock(mutex_);
      for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
        lines_.emplace_back(now, buffer.substr(0, nl));
        buffer.erase(0, nl + 1);
      }
      cv_.notify_all();
    }
  }

  std::string netns_;
  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::pair<Steady::time_point, std::string>> lines_;
};

Json selectorless_service(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}}},
          {"spec", {{"ports", {{{"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}}}}}};
}

Json endpoint_slice(const std::string& service, const std::string& address) {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"name", service + "-bench"}, {"labels", {{"kubernetes.io/service-name", service}}}}},
          {"addressType", "IPv4"},
          {"endpoints", {{{"addresses", {address}}, {"conditions", {{"ready", true}}}}}},
          {"ports", {{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}}}};
}

void must_create(skiff::http::HttpClient& api, const std::string& url, const Json& object) {
  auto response = api.request("POST", url, object.dump(), {{"Content-Type", "application/json"}});
  if (response.status != 201)
    throw std::runtime_error("POST " + url + ": " + std::to_string(response.status) + " " +
                             response.body);
}

struct ChangeTimes {
  std::vector<double> acknowledged_ms;  // request sent -> API answered
  std::vector<double> in_rules_ms;      // request sent -> nftables rule with the new address
};

// Patches the slice of service `name` to a new address `changes` times (one warm-up first).
ChangeTimes measure_changes(skiff::http::HttpClient& api, const std::string& server_url,
                            NftMonitor& monitor, const std::string& name, int changes,
                            int address_block) {
  const std::string slice_url =
      server_url + "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/" + name + "-bench";
  ChangeTimes times;
  for (int i = -1; i < changes; ++i) {
    // Three-digit last octets: no address is a prefix of another.
    const int n = i + 1;
    const std::string address = "10.98." + std::to_string(address_block * 10 + n / 100) + "." +
                                std::to_string(100 + n % 100);
    const Json patch = {
        {"endpoints", {{{"addresses", {address}}, {"conditions", {{"ready", true}}}}}}};
    monitor.clear();
    const auto sent = Steady::now();
    auto response = api.request("PATCH", slice_url, patch.dump(),
                                {{"Content-Type", "application/merge-patch+json"}});
    const auto acknowledged = Steady::now();
    if (response.status != 200)
      throw std::runtime_error("PATCH " + slice_url + ": " + std::to_string(response.status) + " " +
                               response.body);
    const auto in_rules = monitor.wait_for(address + "/", 10s);
    if (i >= 0) {
      times.acknowledged_ms.push_back(millis(acknowledged - sent));
      times.in_rules_ms.push_back(millis(in_rules - sent));
    }
    std::this_thread::sleep_for(100ms);  // changes apart, not batched together
  }
  return times;
}

void print_changes(const char* what, const ChangeTimes& times) {
  const auto& ms = times.in_rules_ms;
  std::printf("%-34s %8.1f %8.1f %8.1f %14.1f   (n=%zu)\n", what, percentile(ms, 50),
              percentile(ms, 99), *std::max_element(ms.begin(), ms.end()),
              percentile(times.acknowledged_ms, 50), ms.size());
}

void measure_endpoint_changes(const skiff::testing::NetworkNamespace& node,
                              const std::string& server_url,
                              const skiff::http::ClientOptions& admin, int changes,
                              int extra_services) {
  NftMonitor monitor(node.name());
  monitor.wait_until_listening();
  ChangeTimes alone, crowded;
  node.enter([&] {
    skiff::http::HttpClient api(admin);
    const std::string services = server_url + "/api/v1/namespaces/default/services";
    const std::string slices =
        server_url + "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";
    must_create(api, services, selectorless_service("bench-ep"));
    must_create(api, slices, endpoint_slice("bench-ep", "10.97.255.254"));
    alone = measure_changes(api, server_url, monitor, "bench-ep", changes, 0);

    for (int i = 0; i < extra_services; ++i) {
      const std::string name = "filler-" + std::to_string(i);
      must_create(api, services, selectorless_service(name));
      must_create(api, slices,
                  endpoint_slice(name, "10.97." + std::to_string(i / 200) + "." +
                                           std::to_string(i % 200 + 10)));
    }
    const std::string last = "10.97." + std::to_string((extra_services - 1) / 200) + "." +
                             std::to_string((extra_services - 1) % 200 + 10) + "/";
    // The fillers' rules in place before measuring (the last one created is the last to come).
    if (!skiff::testing::eventually(
            [&] {
              return node.exec({"nft", "list", "table", "ip", "skiff"}).out.find(last) !=
                     std::string::npos;
            },
            60s))
      throw std::runtime_error("the filler services' rules did not appear");
    crowded = measure_changes(api, server_url, monitor, "bench-ep", changes, 1);
  });
  const std::string chains = node.exec({"nft", "list", "table", "ip", "skiff"}).out;
  const long rule_lines = std::count(chains.begin(), chains.end(), '\n');
  std::printf(
      "\nendpoint change -> rules in place: PATCH an EndpointSlice's address, `nft monitor` in the "
      "node namespace sees the first rule naming it; %d changes, 100 ms apart\n",
      changes);
  std::printf("%-34s %8s %8s %8s %14s\n", "", "p50 ms", "p99 ms", "max ms", "API ack p50 ms");
  print_changes("1 service", alone);
  char what[64];
  std::snprintf(what, sizeof what, "%d services (table %ld lines)", extra_services + 1, rule_lines);
  print_changes(what, crowded);
  std::printf("(goal: within 100 ms)\n");
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
  const int connections = argc > 2 ? std::max(1, std::atoi(argv[2])) : 16;
  const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 2;
  const int changes = argc > 4 ? std::max(1, std::atoi(argv[4])) : 20;
  constexpr int kExtraServices = 200;
  for (const std::string& reason :
       {skiff::testing::PodmanTestEnv::unavailable_reason(),
        skiff::testing::netns_unavailable_reason(), wrk_unavailable_reason()}) {
    if (!reason.empty()) {
      std::printf("service_bench: skipped: %s\n", reason.c_str());
      return 0;
    }
  }
  std::printf(
      "reproduce: build/tests/service_bench %d %d %d %d   (seconds connections rounds changes)\n",
      seconds, connections, rounds, changes);
  try {
    skiff::testing::NodeLan lan(skiff::testing::LanLayout::kSharedLink, 1, "sb");
    const skiff::testing::NetworkNamespace& node = lan.node(0);
    skiff::testing::PodmanTestEnv podman(node.name());
    skiff::testing::TestServer server(
        {"--disable-agent=false", "--token", kToken, "--node-name", "node-0", "--node-ip",
         lan.node_ip(0), "--container-runtime-endpoint", podman.socket_path()},
        "", node.name());
    if (!skiff::testing::eventually([&] { return server.node_ready("node-0"); }, 30s))
      throw std::runtime_error("node-0 did not become Ready");

    kubectl(server, {"apply", "-f", "-"}, web_manifest(podman.image()));
    kubectl(server, {"rollout", "status", "deployment/web", "--timeout=120s"});
    if (!skiff::testing::eventually(
            [&] {
              Json lb = server.get_json({"service", "web-lb"});
              return lb.is_object() &&
                     !lb["status"]["loadBalancer"].value("ingress", Json::array()).empty();
            },
            30s))
      throw std::runtime_error("web-lb got no load balancer address");
    const Json pod = server.get_json({"pods", "-l", "app=web"})["items"][0];
    const std::string pod_ip = pod["status"]["podIP"];
    const std::string pod_cidr = server.get_json({"node", "node-0"})["spec"]["podCIDR"];
    const std::string cluster_ip = server.get_json({"service", "web"})["spec"]["clusterIP"];
    const std::string node_port = std::to_string(
        server.get_json({"service", "web-np"})["spec"]["ports"][0]["nodePort"].get<int>());
    const std::string lb_ip =
        server.get_json({"service", "web-lb"})["status"]["loadBalancer"]["ingress"][0]["ip"];
    // The lan machine reaches pods directly through the node (what a router would be told).
    lan.lan().must({"ip", "route", "add", pod_cidr, "via", lan.node_ip(0)});
    // A real node has a default route; without one a ClusterIP connection from the node itself
    // fails at the routing lookup (ENETUNREACH), before the nat-output hook could DNAT it.
    node.must({"ip", "route", "add", "default", "via", lan.lan_ip(0)});

    const std::string lan_ns = lan.lan().name();
    const std::vector<Path> paths = {
        {"direct (pod IP)", "lan", lan_ns, "http://" + pod_ip + ":8080/", ""},
        {"NodePort (node address)", "lan", lan_ns,
         "http://" + lan.node_ip(0) + ":" + node_port + "/", "direct (pod IP)"},
        {"LoadBalancer", "lan", lan_ns, "http://" + lb_ip + ":8081/", "direct (pod IP)"},
        {"direct (pod IP), on node", "node", node.name(), "http://" + pod_ip + ":8080/", ""},
        {"ClusterIP, on node", "node", node.name(), "http://" + cluster_ip + "/",
         "direct (pod IP), on node"},
    };
    measure_data_path(paths, seconds, connections, rounds);

    measure_endpoint_changes(node, server.url(), server.admin_client_options(), changes,
                             kExtraServices);
    // The destructors stop the server, remove every pod and the podman storage, and delete the
    // namespaces (also when something above threw).
  } catch (const std::exception& e) {
    std::fprintf(stderr, "service_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
