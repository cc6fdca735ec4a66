// Pod startup on real podman, through skiff and directly, in the same run:
//  - one pod at a time: POST the pod -> the API shows it Running (scheduler, node protocol, pod
//    worker, podman), against creating the same pod + container and starting it straight
//    through podman's API (what a hand-written client pays; no scheduling, no status);
//  - a 30-replica Deployment: apply -> every pod Running, against 30 such direct starts made
//    concurrently;
//  - then the skiff server process (control plane + embedded agent) idle with 0 and with 30 pods:
//    resident memory and CPU over a quiet interval. podman's own API service is reported
//    apart: it is podman's, and it is absent where podman.socket is socket-activated.
// Needs root and podman (see tests/integration/support/podman_test_env.h).
//
// Usage: pod_startup_bench [single_runs] [idle_seconds]   (defaults 10 and 20)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/runtime/podman/podman_client.h"
#include "pkg/api/json.h"
#include "pkg/http/client.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"

namespace rt = skiff::agent::runtime;
using skiff::Json;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

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

void report(const char* what, const std::vector<double>& ms) {
  std::printf("%-40s p50 %7.1f ms   p99 %7.1f ms   (n=%zu)\n", what, percentile(ms, 50),
              percentile(ms, 99), ms.size());
}

// Remembers when each pod was first seen Running on a watch of the default namespace.
class RunningWatch {
 public:
  RunningWatch(const std::string& server_url, const skiff::http::ClientOptions& options) {
    thread_ = std::thread([this, server_url, options] {
      skiff::http::HttpClient client(options);
      std::string buffer;
      while (!stopping_) {
        try {
          client.stream(
              "GET", server_url + "/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=2",
              [&](std::string_view chunk) {
                buffer.append(chunk);
                for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
                  Json event = Json::parse(buffer.substr(0, nl), nullptr, false);
                  buffer.erase(0, nl + 1);
                  if (event.is_object()) seen(event["object"]);
                }
                return !stopping_.load();
              });
        } catch (const std::exception&) {
          std::this_thread::sleep_for(50ms);
        }
      }
    });
  }
  ~RunningWatch() {
    stopping_ = true;
    thread_.join();
  }
  // Waits until `name` is Running; returns when it was first seen so.
  Steady::time_point wait_running(const std::string& name, std::chrono::seconds timeout = 120s) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return running_.count(name) > 0; }))
      throw std::runtime_error("pod " + name + " did not become Running");
    return running_[name];
  }
  std::vector<double> running_after(const std::map<std::string, Steady::time_point>& created) {
    std::lock_guard lock(mutex_);
    std::vector<double> ms;
    for (const auto& [name, at] : created) {
      auto it = running_.find(name);
      if (it != running_.end()) ms.push_back(millis(it->second - at));
    }
    return ms;
  }
  size_t running_count(const std::string& prefix) {
    std::lock_guard lock(mutex_);
    return static_cast<size_t>(std::count_if(running_.begin(), running_.end(), [&](auto& entry) {
      return entry.first.rfind(prefix, 0) == 0;
    }));
  }
  std::map<std::string, Steady::time_point> first_seen(const std::string& prefix) {
    std::lock_guard lock(mutex_);
    std::map<std::string, Steady::time_point> out;
    for (const auto& [name, at] : added_)
      if (name.rfind(prefix, 0) == 0) out[name] = at;
    return out;
  }

 private:
  void seen(const Json& pod) {
    const std::string name = pod["metadata"].value("name", "");
    const auto now = Steady::now();
    std::lock_guard lock(mutex_);
    added_.emplace(name, now);
    if (pod.value("status", Json::object()).value("phase", "") == "Running") {
      running_.emplace(name, now);
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Steady::time_point> running_, added_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

Json pod_json(const std::string& name, const std::string& image) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"bench", "single"}}}}},
          {"spec",
           {{"terminationGracePeriodSeconds", 0},
            {"containers",
             {{{"name", "app"},
               {"image", image},
               {"imagePullPolicy", "IfNotPresent"},
               {"command", {"/bin/sleep", "3600"}}}}}}}};
}

// What a hand-written client sends to start the same pod: a pod on the bridge, a container in
// it, start.
void direct_start(rt::podman::PodmanClient& client, const std::string& name,
                  const std::string& image) {
  const Json pod = {{"name", name}, {"netns", {{"nsmode", "bridge"}}}};
  auto created_pod = client.request("POST", "/pods/create", pod.dump());
  if (created_pod.status >= 400) throw std::runtime_error("direct pod: " + created_pod.body);
  const Json container = {{"name", name + "-app"},
                          {"pod", Json::parse(created_pod.body).at("Id")},
                          {"image", image},
                          {"entrypoint", {"/bin/sleep", "3600"}}};
  auto created = client.request("POST", "/containers/create", container.dump());
  if (created.status >= 400) throw std::runtime_error("direct create: " + created.body);
  const std::string id = Json::parse(created.body).at("Id").get<std::string>();
  auto started = client.request("POST", "/containers/" + id + "/start");
  if (started.status >= 400) throw std::runtime_error("direct start: " + started.body);
}

void direct_remove(rt::podman::PodmanClient& client, const std::string& name) {
  client.request("DELETE", "/pods/" + name + "?force=true&t=0");
}

struct ProcessSample {
  double rss_mib = 0;
  double anon_mib = 0;  // private memory; the rest of RSS is shared library pages
  double cpu_seconds = 0;
};

ProcessSample sample(pid_t pid) {
  ProcessSample out;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) out.rss_mib = std::stod(line.substr(6)) / 1024.0;
    if (line.rfind("RssAnon:", 0) == 0) out.anon_mib = std::stod(line.substr(8)) / 1024.0;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  if (values.size() > 12) {
    out.cpu_seconds =
        (std::stod(values[11]) + std::stod(values[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return out;
}

void report_idle(const char* what, pid_t server, pid_t podman_service, int seconds) {
  const ProcessSample before = sample(server);
  const ProcessSample podman_before = sample(podman_service);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const ProcessSample after = sample(server);
  const ProcessSample podman_after = sample(podman_service);
  std::printf(
      "%-40s RSS %5.1f MiB (anon %4.1f)   CPU %5.2f%%   (podman service: RSS %.1f MiB, CPU "
      "%.2f%%)\n",
      what, after.rss_mib, after.anon_mib,
      100.0 * (after.cpu_seconds - before.cpu_seconds) / seconds, podman_after.rss_mib,
      100.0 * (podman_after.cpu_seconds - podman_before.cpu_seconds) / seconds);
}

pid_t podman_service_pid(const std::string& socket_path) {
  auto result = skiff::testing::run_command({"fuser", socket_path});
  std::istringstream pids(result.out);
  pid_t pid = 0;
  pids >> pid;
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  const int single_runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
  const int idle_seconds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;
  if (std::string reason = skiff::testing::PodmanTestEnv::unavailable_reason(); !reason.empty()) {
    std::printf("pod_startup_bench: skipped: %s\n", reason.c_str());
    return 0;
  }
  try {
    skiff::testing::PodmanTestEnv env;
    // In the host's network namespace: leave the host's network alone.
    skiff::testing::TestServer server({"--disable-agent=false", "--node-name", "bench",
                                       "--container-runtime-endpoint", env.socket_path(),
                                       "--network-backend", "none", "--disable-kube-proxy",
                                       "--disable", "dns", "--disable", "ingress"});
    rt::podman::PodmanClient direct(env.socket_path());
    skiff::http::HttpClient api(server.admin_client_options());
    RunningWatch watch(server.url(), server.admin_client_options());
    for (auto deadline = Steady::now() + 30s;;) {
      auto node = api.request("GET", server.url() + "/api/v1/nodes/bench");
      if (node.status == 200 && node.body.find("\"KubeletReady\"") != std::string::npos) break;
      if (Steady::now() > deadline) throw std::runtime_error("the node did not become Ready");
      std::this_thread::sleep_for(100ms);
    }
    const pid_t podman_pid = podman_service_pid(env.socket_path());
    report_idle("idle, 0 pods: skiff server + agent", server.pid(), podman_pid, idle_seconds);

    // One pod at a time, alternating with the direct path so both see the same load.
    std::vector<double> skiff_ms, direct_ms;
    for (int i = -1; i < single_runs; ++i) {  // one warm-up round, not counted
      const std::string name = "single-" + std::to_string(i + 1);
      const auto start = Steady::now();
      auto created =
          api.request("POST", server.url() + "/api/v1/namespaces/default/pods",
                      pod_json(name, env.image()).dump(), {{"Content-Type", "application/json"}});
      if (created.status != 201) throw std::runtime_error("create pod: " + created.body);
      const auto running = watch.wait_running(name);
      const double through_skiff = millis(running - start);

      const auto direct_start_at = Steady::now();
      direct_start(direct, "direct-" + std::to_string(i + 1), env.image());
      const double straight = millis(Steady::now() - direct_start_at);
      if (i >= 0) {
        skiff_ms.push_back(through_skiff);
        direct_ms.push_back(straight);
      }
    }
    std::printf("one pod, create -> Running, %d runs each, alternating\n", single_runs);
    report("skiff (API -> scheduler -> agent -> podman)", skiff_ms);
    report("podman API directly (pod + container)", direct_ms);
    std::printf("%-40s p50 %7.2fx   p99 %7.2fx\n", "ratio skiff / direct",
                percentile(skiff_ms, 50) / percentile(direct_ms, 50),
                percentile(skiff_ms, 99) / percentile(direct_ms, 99));
    api.request("DELETE", server.url() + "/api/v1/namespaces/default/pods?labelSelector=bench", "",
                {});
    for (int i = 0; i <= single_runs; ++i) direct_remove(direct, "direct-" + std::to_string(i));
    for (auto deadline = Steady::now() + 120s; Steady::now() < deadline;) {
      auto left = api.request("GET", server.url() + "/api/v1/namespaces/default/pods");
      if (Json::parse(left.body)["items"].empty()) break;
      std::this_thread::sleep_for(200ms);
    }

    // A 30-replica Deployment against 30 concurrent direct starts.
    constexpr int kReplicas = 30;
    const std::string deployment = Json{{"apiVersion", "apps/v1"},
                                        {"kind", "Deployment"},
                                        {"metadata", {{"name", "web"}}},
                                        {"spec",
                                         {{"replicas", kReplicas},
                                          {"selector", {{"matchLabels", {{"app", "web"}}}}},
                                          {"template",
                                           {{"metadata", {{"labels", {{"app", "web"}}}}},
                                            {"spec", pod_json("x", env.image())["spec"]}}}}}}
                                       .dump();
    auto start = Steady::now();
    auto created =
        api.request("POST", server.url() + "/apis/apps/v1/namespaces/default/deployments",
                    deployment, {{"Content-Type", "application/json"}});
    if (created.status != 201) throw std::runtime_error("create deployment: " + created.body);
    while (watch.running_count("web-") < kReplicas) {
      if (Steady::now() - start > 300s) throw std::runtime_error("the Deployment did not run");
      std::this_thread::sleep_for(20ms);
    }
    const double deployment_ms = millis(Steady::now() - start);
    std::vector<double> per_pod = watch.running_after(watch.first_seen("web-"));

    start = Steady::now();
    std::vector<std::thread> starters;
    std::vector<double> direct_each(kReplicas);
    for (int i = 0; i < kReplicas; ++i) {
      starters.emplace_back([&, i] {
        rt::podman::PodmanClient client(env.socket_path());
        const auto t0 = Steady::now();
        direct_start(client, "burst-" + std::to_string(i), env.image());
        direct_each[i] = millis(Steady::now() - t0);
      });
    }
    for (auto& t : starters) t.join();
    const double direct_total = millis(Steady::now() - start);
    std::printf(
        "%d-replica Deployment: all Running after %.0f ms; 30 concurrent direct starts: "
        "%.0f ms (ratio %.2fx)\n",
        kReplicas, deployment_ms, direct_total, deployment_ms / direct_total);
    report("  skiff, per pod (created -> Running)", per_pod);
    report("  direct, per pod", direct_each);
    for (int i = 0; i < kReplicas; ++i) direct_remove(direct, "burst-" + std::to_string(i));

    report_idle("idle, 30 pods: skiff server + agent", server.pid(), podman_pid, idle_seconds);

    api.request("DELETE", server.url() + "/apis/apps/v1/namespaces/default/deployments/web", "",
                {});
    for (auto deadline = Steady::now() + 180s; Steady::now() < deadline;) {
      auto left = api.request("GET", server.url() + "/api/v1/namespaces/default/pods");
      if (Json::parse(left.body)["items"].empty()) break;
      std::this_thread::sleep_for(200ms);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "pod_startup_bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
