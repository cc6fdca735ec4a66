// The ingress proxy against nginx as a reverse proxy, same backend, same run, on loopback:
//   backend  an nginx answering every request with a 13-byte body (1 worker)
//   nginx    a second nginx proxying to it with upstream keep-alive (keepalive 64,
//            proxy_http_version 1.1), `workers` worker processes, access log off, setting the
//            same forwarding headers skiff sets (X-Forwarded-For/-Proto/-Host/-Port, X-Real-IP),
//            as an nginx ingress controller does
//   skiff    agent/ingress/IngressProxy in this process, `workers` threads, routing a host-less
//            Prefix "/" rule to a Service whose one endpoint is the backend
// wrk (2 threads, `connections` connections, `seconds` per run) runs against each proxy in
// turn, `rounds` times, and prints requests/s and the p50/p99 latency of every run; then the
// medians and the ratio. The skiff proxy's resident memory (this process, which is little else)
// is printed at rest before the load and after it.
//
// Needs nginx and wrk (`apt-get install -y nginx-light wrk`; the packaged nginx service may be
// stopped, this bench runs its own instances on free ports). Skips with the reason otherwise.
//
// Usage: ingress_bench [seconds=10] [connections=50] [rounds=3] [workers=2] [io=io_uring|epoll]
// (io: how skiff's workers do their I/O; io_uring is the default where the kernel allows it)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "agent/ingress/ingress_proxy.h"
#include "agent/ingress/snapshot_builder.h"
#include "tests/integration/support/test_server.h"

using skiff::Json;
using skiff::testing::CommandResult;
using skiff::testing::run_command;
using skiff::testing::TempDir;

namespace {

unsigned short free_port() {
  boost::asio::io_context context;
  boost::asio::ip::tcp::acceptor acceptor(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// An nginx in the foreground (its master as our child), stopped by the destructor.
class Nginx {
 public:
  Nginx(const std::string& directory, const std::string& http_block, int workers) {
    const std::string config = directory + "/nginx.conf";
    std::ofstream(config) << "worker_processes " << workers << ";\ndaemon off;\npid " << directory
                          << "/nginx.pid;\nerror_log " << directory
                          << "/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n"
                          << "  access_log off;\n  client_body_temp_path " << directory
                          << ";\n  proxy_temp_path " << directory << ";\n"
                          << http_block << "}\n";
    pid_ = fork();
    if (pid_ == 0) {
      skiff::testing::exec_child({"nginx", "-p", directory, "-c", config});
    }
  }
  pid_t pid() const { return pid_; }
  ~Nginx() {
    if (pid_ <= 0) return;
    kill(pid_, SIGQUIT);
    int status;
    waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = -1;
};

bool answers(unsigned short port) {
  for (int i = 0; i < 100; ++i) {
    CommandResult result = run_command({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                        "http://127.0.0.1:" + std::to_string(port) + "/"});
    if (result.out == "200") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

struct WrkRun {
  double requests_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long errors = 0;
};

double to_ms(const std::string& number, const std::string& unit) {
  const double value = std::stod(number);
  if (unit == "us") return value / 1000;
  if (unit == "s") return value * 1000;
  return value;
}

WrkRun wrk(unsigned short port, int seconds, int connections) {
  CommandResult result = run_command(
      {"wrk", "-t2", "-c" + std::to_string(connections), "-d" + std::to_string(seconds) + "s",
       "--latency", "http://127.0.0.1:" + std::to_string(port) + "/"},
      "", seconds + 30);
  WrkRun run;
  std::smatch match;
  if (std::regex_search(result.out, match, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    run.requests_per_second = std::stod(match[1]);
  }
  if (std::regex_search(result.out, match, std::regex(R"(50%\s+([0-9.]+)(us|ms|s))"))) {
    run.p50_ms = to_ms(match[1], match[2]);
  }
  if (std::regex_search(result.out, match, std::regex(R"(99%\s+([0-9.]+)(us|ms|s))"))) {
    run.p99_ms = to_ms(match[1], match[2]);
  }
  if (std::regex_search(result.out, match, std::regex(R"(Non-2xx or 3xx responses:\s+(\d+))"))) {
    run.errors += std::stol(match[1]);
  }
  if (std::regex_search(result.out, match, std::regex(R"(Socket errors:.*timeout (\d+))"))) {
    run.errors += std::stol(match[1]);
  }
  return run;
}

// CPU seconds (user + system) used so far by `pid` and, with `children`, by its child processes
// (nginx's workers).
double cpu_seconds(pid_t pid, bool children) {
  auto one = [](pid_t id) {
    std::ifstream stat("/proc/" + std::to_string(id) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0.0;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int index = 3; fields >> field; ++index) {
      if (index == 14 || index == 15) ticks += std::stod(field);
      if (index == 15) break;
    }
    return ticks / sysconf(_SC_CLK_TCK);
  };
  if (!children) return one(pid);
  double total = 0;
  std::ifstream list("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  for (pid_t child; list >> child;) total += one(child);
  return total;
}

long rss_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return 0;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 50;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  const int workers = argc > 4 ? std::atoi(argv[4]) : 2;
  const std::string io = argc > 5 ? argv[5] : "io_uring";
  if (io != "io_uring" && io != "epoll") {
    std::printf("FAILED: io must be io_uring or epoll, not %s\n", io.c_str());
    return 1;
  }
  for (const char* tool : {"nginx", "wrk", "curl"}) {
    if (run_command({"sh", "-c", std::string("command -v ") + tool}).exit_code != 0) {
      std::printf("SKIPPED: %s is not installed (apt-get install -y nginx-light wrk curl)\n", tool);
      return 0;
    }
  }

  const unsigned short backend_port = free_port();
  const unsigned short nginx_port = free_port();
  TempDir backend_dir, proxy_dir;
  Nginx backend(backend_dir.path(),
                "  server {\n    listen 127.0.0.1:" + std::to_string(backend_port) +
                    " reuseport;\n    keepalive_requests 1000000;\n"
                    "    location / { return 200 \"hello, skiff\\n\"; }\n  }\n",
                1);
  Nginx nginx_proxy(proxy_dir.path(),
                    "  upstream backend {\n    server 127.0.0.1:" + std::to_string(backend_port) +
                        ";\n    keepalive 64;\n  }\n  server {\n    listen 127.0.0.1:" +
                        std::to_string(nginx_port) +
                        " reuseport;\n    keepalive_requests 1000000;\n    location / {\n"
                        "      proxy_pass http://backend;\n      proxy_http_version 1.1;\n"
                        "      proxy_set_header Connection \"\";\n"
                        "      proxy_set_header Host $host;\n"
                        "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                        "      proxy_set_header X-Real-IP $remote_addr;\n"
                        "      proxy_set_header X-Forwarded-Proto $scheme;\n"
                        "      proxy_set_header X-Forwarded-Host $host;\n"
                        "      proxy_set_header X-Forwarded-Port $server_port;\n"
                        "    }\n  }\n",
                    workers);

  const long rss_before_proxy = rss_kib("VmRSS:");
  skiff::agent::ingress::ProxyOptions options;
  options.bind_address = "127.0.0.1";
  options.http_port = 0;
  options.https_port = -1;
  options.workers = static_cast<unsigned>(workers);
  options.io_uring = io == "io_uring";
  skiff::agent::ingress::IngressProxy proxy(options);
  proxy.start();
  skiff::agent::ingress::SnapshotInput input;
  input.ingresses = {Json::parse(R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
      "metadata":{"name":"bench","namespace":"default","creationTimestamp":"2026-01-01T00:00:00Z"},
      "spec":{"ingressClassName":"skiff","rules":[{"http":{"paths":[{"path":"/",
      "pathType":"Prefix","backend":{"service":{"name":"backend","port":{"number":80}}}}]}}]}})")};
  input.services = Json::array({Json::parse(R"({"apiVersion":"v1","kind":"Service",
      "metadata":{"name":"backend","namespace":"default"},
      "spec":{"clusterIP":"10.43.0.99","ports":[{"name":"http","port":80,"protocol":"TCP"}]}})")});
  Json slice = Json::parse(R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
      "metadata":{"name":"backend-1","namespace":"default",
                  "labels":{"kubernetes.io/service-name":"backend"}},
      "addressType":"IPv4","endpoints":[{"addresses":["127.0.0.1"],"conditions":{"ready":true}}],
      "ports":[{"name":"http","protocol":"TCP","port":0}]})");
  slice["ports"][0]["port"] = backend_port;
  input.endpoint_slices = Json::array({slice});
  skiff::agent::ingress::CertificateCache certificates;
  auto build = skiff::agent::ingress::build_snapshot(input, certificates);
  proxy.publish(build.snapshot);

  if (!answers(backend_port) || !answers(nginx_port) || !answers(proxy.http_port())) {
    std::printf("FAILED: a proxy or the backend does not answer 200\n");
    return 1;
  }
  const long rest_rss = rss_kib("VmRSS:");
  std::printf(
      "skiff ingress proxy at rest: RSS %.1f MiB (this process; %.1f MiB of it came with "
      "the proxy: before it started the process had %.1f MiB)\n",
      rest_rss / 1024.0, (rest_rss - rss_before_proxy) / 1024.0, rss_before_proxy / 1024.0);
  std::printf("wrk -t2 -c%d -d%ds, %d rounds, %d workers each; skiff's I/O through %s\n\n",
              connections, seconds, rounds, workers, proxy.uses_io_uring() ? "io_uring" : "epoll");
  std::printf("%-6s %-6s %12s %9s %9s %13s %7s\n", "round", "proxy", "req/s", "p50 ms", "p99 ms",
              "CPU us/req", "errors");
  std::vector<double> nginx_rps, skiff_rps, nginx_p99, skiff_p99;
  wrk(nginx_port, 2, connections);  // warm both up
  wrk(proxy.http_port(), 2, connections);
  for (int round = 1; round <= rounds; ++round) {
    for (bool skiff_turn : {false, true}) {
      const double cpu_before =
          skiff_turn ? cpu_seconds(getpid(), false) : cpu_seconds(nginx_proxy.pid(), true);
      const WrkRun run = wrk(skiff_turn ? proxy.http_port() : nginx_port, seconds, connections);
      const double cpu_used =
          (skiff_turn ? cpu_seconds(getpid(), false) : cpu_seconds(nginx_proxy.pid(), true)) -
          cpu_before;
      const double requests = run.requests_per_second * seconds;
      std::printf("%-6d %-6s %12.0f %9.2f %9.2f %13.1f %7ld\n", round,
                  skiff_turn ? "skiff" : "nginx", run.requests_per_second, run.p50_ms, run.p99_ms,
                  requests > 0 ? cpu_used * 1e6 / requests : 0.0, run.errors);
      std::fflush(stdout);
      (skiff_turn ? skiff_rps : nginx_rps).push_back(run.requests_per_second);
      (skiff_turn ? skiff_p99 : nginx_p99).push_back(run.p99_ms);
    }
  }
  const double ratio = median(skiff_rps) / std::max(1.0, median(nginx_rps));
  std::printf(
      "\nmedian req/s: nginx %.0f, skiff %.0f (%.2fx); median p99: nginx %.2f ms, "
      "skiff %.2f ms\n",
      median(nginx_rps), median(skiff_rps), ratio, median(nginx_p99), median(skiff_p99));
  std::printf("skiff: %llu requests over %llu upstream connections\n",
              static_cast<unsigned long long>(proxy.counters().requests.load()),
              static_cast<unsigned long long>(proxy.counters().upstream_connects.load()));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("skiff: %lld client connections still open after the load (0 expected)\n",
              static_cast<long long>(proxy.counters().open_connections.open()));
  std::printf(
      "skiff ingress proxy after the load, at rest: RSS %.1f MiB (%.1f MiB more than "
      "before the proxy started), peak %.1f MiB\n",
      rss_kib("VmRSS:") / 1024.0, (rss_kib("VmRSS:") - rss_before_proxy) / 1024.0,
      rss_kib("VmHWM:") / 1024.0);
  return 0;
}
