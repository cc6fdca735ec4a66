// Idle-writes benchmark: does a cluster in which nothing happens write to disk?
//
// k3s writes to its database several times a second on an idle cluster, which wears out the SD
// cards of Raspberry Pis. skiff keeps heartbeats in memory (server/apiserver/heartbeat.h,
// Store::update_volatile) and should write nothing at all.
//
// Starts `skiff server --disable-agent` in a temp dir and plays the kubelets of --nodes nodes:
// each registers a Ready Node and a Lease in kube-node-lease (holderIdentity = node name,
// leaseDurationSeconds 40), --pods pods are created bound to them (spec.nodeName) and marked
// Running and Ready through the status subresource. Then, for --seconds, the cluster idles as a
// kubelet keeps it: every --renew-interval seconds each Lease is renewed (GET, then PUT with a
// new spec.renewTime) and every --heartbeat-interval seconds each Node reports status (a
// strategic merge PATCH of status.conditions with new lastHeartbeatTime). Measured over that
// window:
//   - every file under the data dir: size and mtime before and after;
//   - inotify on the data dir: write, create and delete events per file (SQLite writes its
//     database and WAL with write(); only the -shm index is written through mmap, unseen);
//   - the server's /proc/<pid>/io: write_bytes (bytes it sent towards the disk: data dir and its
//     log file, page-granular) and wchar/syscw (write() and kin on files and pipes; the HTTP
//     replies go out with sendmsg, which these do not count);
//   - a watch on every resource: the objects that changed, how often and which fields. The
//     heartbeats the bench sends itself are expected; anything else is a component writing
//     while nothing changes (with the field paths that moved, to find it).
// Goal: 0 bytes per minute into the data dir.
//
// Run: build/tests/idle_writes_bench [--seconds 60] [--renew-interval 10]
//          [--heartbeat-interval 10] [--nodes 3] [--pods 30] [--deployment]
// --deployment: the pods are the replicas of one Deployment, placed by the scheduler, so the
// Deployment and ReplicaSet controllers have objects to keep (and must not write either).

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "pkg/api/json.h"
#include "tests/bench/support/api_change_recorder.h"
#include "tests/bench/support/disk_activity.h"
#include "tests/integration/support/admin_tls.h"
#include "tests/integration/support/test_server.h"

namespace asio = boost::asio;
using skiff::Json;
using Clock = std::chrono::steady_clock;
using skiff::bench::ApiChangeRecorder;
using skiff::bench::Change;
using skiff::bench::file_size_or_zero;
using skiff::bench::FileEventCounter;
using skiff::bench::files_under;
using skiff::bench::FileState;
using skiff::bench::proc_io;

namespace {

struct Flags {
  int seconds = 60;
  int renew_interval = 10;
  int heartbeat_interval = 10;
  int nodes = 3;
  int pods = 30;
  // The pods come from a Deployment, placed by the scheduler, instead of being created bound.
  bool deployment = false;
};

Flags parse_flags(int argc, char** argv) {
  Flags flags;
  const std::map<std::string, int*> known = {{"--seconds", &flags.seconds},
                                             {"--renew-interval", &flags.renew_interval},
                                             {"--heartbeat-interval", &flags.heartbeat_interval},
                                             {"--nodes", &flags.nodes},
                                             {"--pods", &flags.pods}};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--deployment") {
      flags.deployment = true;
      continue;
    }
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    auto it = known.find(arg);
    int parsed = 0;
    try {
      parsed = std::stoi(value);
    } catch (const std::exception&) {
      parsed = 0;
    }
    if (it == known.end() || parsed <= 0) {
      std::fprintf(stderr,
                   "usage: idle_writes_bench [--seconds N] [--renew-interval N] "
                   "[--heartbeat-interval N] [--nodes N] [--pods N] (positive integers) "
                   "[--deployment]\n");
      std::exit(2);
    }
    *it->second = parsed;
  }
  return flags;
}

// RFC 3339 in UTC; `micro` for MicroTime fields (Lease renewTime).
std::string now_rfc3339(bool micro = false) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out = text;
  if (micro) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) %
              std::chrono::seconds(1);
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lld", static_cast<long long>(us.count()));
    out += fraction;
  }
  return out + "Z";
}

// --- talking to the API ---

class Api {
 public:
  explicit Api(std::string url) : url_(std::move(url)) {}

  Json call(const std::string& method, const std::string& path, const Json& body = nullptr,
            const std::string& content_type = "application/json", long expect = 0) {
    std::vector<std::string> headers = {"Accept: application/json"};
    if (!body.is_null()) headers.push_back("Content-Type: " + content_type);
    auto result =
        skiff::testing::http(method, url_ + path, body.is_null() ? "" : body.dump(), headers);
    if (result.status < 200 || result.status >= 300 || (expect && result.status != expect)) {
      throw std::runtime_error(method + " " + path + ": HTTP " + std::to_string(result.status) +
                               ": " + result.body);
    }
    return Json::parse(result.body);
  }

 private:
  std::string url_;
};

std::vector<Json> node_conditions(const std::string& heartbeat, const std::string& transition) {
  std::vector<Json> conditions;
  for (const auto& [type, status, reason] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"MemoryPressure", "False", "KubeletHasSufficientMemory"},
           {"DiskPressure", "False", "KubeletHasNoDiskPressure"},
           {"PIDPressure", "False", "KubeletHasSufficientPID"},
           {"Ready", "True", "KubeletReady"}}) {
    conditions.push_back({{"type", type},
                          {"status", status},
                          {"reason", reason},
                          {"message", "simulated by idle_writes_bench"},
                          {"lastHeartbeatTime", heartbeat},
                          {"lastTransitionTime", transition}});
  }
  return conditions;
}

// One simulated kubelet: its Node, its Lease and the heartbeats that keep both alive.
class SimulatedKubelet {
 public:
  SimulatedKubelet(Api& api, std::string name, int index)
      : api_(api), name_(std::move(name)), index_(index), registered_at_(now_rfc3339()) {}

  void register_node() {
    const std::string now = now_rfc3339();
    Json resources = {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
    Json node = {
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata",
         {{"name", name_},
          {"labels", {{"kubernetes.io/hostname", name_}, {"kubernetes.io/os", "linux"}}}}},
        {"spec", {{"podCIDR", "10.42." + std::to_string(index_) + ".0/24"}}},
        {"status",
         {{"capacity", resources},
          {"allocatable", resources},
          {"conditions", node_conditions(now, registered_at_)},
          {"addresses", Json::array({{{"type", "InternalIP"},
                                      {"address", "192.0.2." + std::to_string(index_)}}})}}}};
    api_.call("POST", "/api/v1/nodes", node, "application/json", 201);
    heartbeat();  // a create may drop status, as for other kinds with a status subresource

    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", name_}, {"namespace", "kube-node-lease"}}},
                  {"spec",
                   {{"holderIdentity", name_},
                    {"leaseDurationSeconds", 40},
                    {"renewTime", now_rfc3339(true)}}}};
    lease_ = api_.call("POST", lease_path(false), lease, "application/json", 201);
  }

  // As the kubelet's lease controller: update the Lease it last read with a new renewTime.
  void renew_lease() {
    Json lease = lease_;
    lease["spec"]["renewTime"] = now_rfc3339(true);
    try {
      lease_ = api_.call("PUT", lease_path(true), lease);
    } catch (const std::runtime_error&) {
      lease_ = api_.call("GET", lease_path(true));  // 409: read again, renew next time
    }
  }

  // As the kubelet's node status loop: report the conditions with a new heartbeat time.
  void heartbeat() {
    Json patch = {{"status", {{"conditions", node_conditions(now_rfc3339(), registered_at_)}}}};
    api_.call("PATCH", "/api/v1/nodes/" + name_ + "/status", patch,
              "application/strategic-merge-patch+json");
  }

  const std::string& name() const { return name_; }

 private:
  std::string lease_path(bool named) const {
    return "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases" +
           (named ? "/" + name_ : "");
  }

  Api& api_;
  std::string name_;
  int index_;
  std::string registered_at_;
  Json lease_;
};

Json pod_template_spec() {
  return {{"containers", Json::array({{{"name", "app"},
                                       {"image", "registry.example/idle:1"},
                                       {"resources", {{"requests", {{"cpu", "10m"}}}}}}})}};
}

// As the kubelet once the containers run: phase Running, Ready, container statuses.
void mark_running(Api& api, const std::string& name, int index) {
  const std::string now = now_rfc3339();
  Json ready = {{"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", now}};
  Json conditions = Json::array();
  for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    Json condition = ready;
    condition["type"] = type;
    conditions.push_back(condition);
  }
  Json status = {
      {"status",
       {{"phase", "Running"},
        {"conditions", conditions},
        {"hostIP", "192.0.2.1"},
        {"podIP", "10.42.0." + std::to_string(10 + index)},
        {"startTime", now},
        {"containerStatuses", Json::array({{{"name", "app"},
                                            {"ready", true},
                                            {"started", true},
                                            {"restartCount", 0},
                                            {"image", "registry.example/idle:1"},
                                            {"imageID", ""},
                                            {"state", {{"running", {{"startedAt", now}}}}}}})}}}};
  api.call("PATCH", "/api/v1/namespaces/default/pods/" + name + "/status", status,
           "application/merge-patch+json");
}

void create_running_pod(Api& api, const std::string& name, const std::string& node, int index) {
  Json spec = pod_template_spec();
  spec["nodeName"] = node;
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"labels", {{"app", "idle"}}}}},
              {"spec", spec}};
  api.call("POST", "/api/v1/namespaces/default/pods", pod, "application/json", 201);
  mark_running(api, name, index);
}

// Waits (bounded) until `done` holds, polling every 200 ms; false on timeout.
bool wait_until(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

// A Deployment of `replicas` pods; once the scheduler has bound them all, each is marked running
// as its kubelet would, and the Deployment is awaited Available.
void create_running_deployment(Api& api, int replicas) {
  Json deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "idle"}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", {{"app", "idle"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "idle"}}}}}, {"spec", pod_template_spec()}}}}}};
  api.call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment, "application/json",
           201);
  Json pods;
  auto all_bound = [&] {
    pods = api.call("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Didle");
    const auto& items = pods["items"];
    return static_cast<int>(items.size()) == replicas &&
           std::all_of(items.begin(), items.end(),
                       [](const Json& pod) { return !pod["spec"].value("nodeName", "").empty(); });
  };
  if (!wait_until(all_bound, std::chrono::seconds(60)))
    throw std::runtime_error("the Deployment's pods were not all created and bound within 60 s");
  int index = 0;
  for (const auto& pod : pods["items"]) mark_running(api, pod["metadata"]["name"], index++);
  auto available = [&] {
    Json object = api.call("GET", "/apis/apps/v1/namespaces/default/deployments/idle");
    return object.value("status", Json::object()).value("availableReplicas", 0) == replicas;
  };
  if (!wait_until(available, std::chrono::seconds(60)))
    throw std::runtime_error("the Deployment did not become Available within 60 s");
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv);
  try {
    skiff::testing::TestServer server;
    Api api(server.url());

    // The cluster: nodes with leases, pods bound to them and running.
    std::vector<std::unique_ptr<SimulatedKubelet>> kubelets;
    for (int i = 1; i <= flags.nodes; ++i) {
      kubelets.push_back(std::make_unique<SimulatedKubelet>(api, "sim-" + std::to_string(i), i));
      kubelets.back()->register_node();
    }
    if (flags.deployment) {
      create_running_deployment(api, flags.pods);
    } else {
      for (int i = 0; i < flags.pods; ++i) {
        create_running_pod(api, "idle-" + std::to_string(i), kubelets[i % kubelets.size()]->name(),
                           i);
      }
    }
    // One round of heartbeats before measuring (the first one reserves a block of revisions),
    // and a moment for the controllers to settle.
    for (auto& kubelet : kubelets) {
      kubelet->renew_lease();
      kubelet->heartbeat();
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));

    const std::string data_dir = server.data_dir();
    asio::ssl::context tls = skiff::testing::admin_tls_context(server);
    ApiChangeRecorder api_changes([&api](const std::string& path) { return api.call("GET", path); },
                                  server.port(), tls);
    FileEventCounter file_events(data_dir);
    const auto files_before = files_under(data_dir);
    const auto io_before = proc_io(server.pid());
    const uintmax_t log_before = file_size_or_zero(server.log_path());

    std::printf(
        "skiff idle-writes benchmark: %d nodes, %d running pods%s, %d s idle; leases renewed "
        "every %d s, node heartbeats every %d s; watching %zu resources\n\n",
        flags.nodes, flags.pods, flags.deployment ? " of a Deployment" : "", flags.seconds,
        flags.renew_interval, flags.heartbeat_interval, api_changes.resources());
    std::fflush(stdout);

    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(flags.seconds);
    auto next_renew = start + std::chrono::seconds(flags.renew_interval);
    auto next_heartbeat = start + std::chrono::seconds(flags.heartbeat_interval);
    int renewals = 0, heartbeats = 0;
    for (;;) {
      const auto wake = std::min({next_renew, next_heartbeat, end});
      std::this_thread::sleep_until(wake);
      if (Clock::now() >= end) break;
      if (Clock::now() >= next_renew) {
        for (auto& kubelet : kubelets) kubelet->renew_lease();
        renewals += flags.nodes;
        next_renew += std::chrono::seconds(flags.renew_interval);
      }
      if (Clock::now() >= next_heartbeat) {
        for (auto& kubelet : kubelets) kubelet->heartbeat();
        heartbeats += flags.nodes;
        next_heartbeat += std::chrono::seconds(flags.heartbeat_interval);
      }
    }
    const double minutes = std::chrono::duration<double>(Clock::now() - start).count() / 60.0;

    const auto io_after = proc_io(server.pid());
    const auto files_after = files_under(data_dir);
    const uintmax_t log_after = file_size_or_zero(server.log_path());
    const auto events = file_events.stop();
    const auto changes = api_changes.stop();

    auto delta = [&](const char* key) {
      auto before = io_before.find(key), after = io_after.find(key);
      return before == io_before.end() || after == io_after.end() ? -1LL
                                                                  : after->second - before->second;
    };
    auto per_minute = [&](double value) { return value / minutes; };
    int file_writes = 0;
    for (const auto& [name, count] : events) file_writes += count;
    long long grown = 0;
    int files_changed = 0;
    std::set<std::string> names;
    for (const auto& [name, state] : files_before) names.insert(name);
    for (const auto& [name, state] : files_after) names.insert(name);
    for (const auto& name : names) {
      auto before = files_before.find(name), after = files_after.find(name);
      FileState a = before == files_before.end() ? FileState{} : before->second;
      FileState b = after == files_after.end() ? FileState{} : after->second;
      if (a == b) continue;
      ++files_changed;
      grown += static_cast<long long>(b.size) - static_cast<long long>(a.size);
    }
    const long long log_growth = static_cast<long long>(log_after - log_before);
    const long long write_bytes = delta("write_bytes");

    std::printf("| measurement (per minute)                          | value        |\n");
    std::printf("|---------------------------------------------------|--------------|\n");
    std::printf("| API writes sent: lease renewals + node heartbeats  | %12.1f |\n",
                per_minute(renewals + heartbeats));
    std::printf("| data dir: write/create/delete events (inotify)     | %12.1f |\n",
                per_minute(file_writes));
    std::printf("| data dir: files whose size or mtime changed        | %12d |\n", files_changed);
    std::printf("| data dir: bytes the files grew by                  | %12.1f |\n",
                per_minute(static_cast<double>(grown)));
    std::printf("| server write_bytes (data dir + its log, pages)     | %12.1f |\n",
                per_minute(static_cast<double>(write_bytes)));
    std::printf("| server log bytes written (outside the data dir)    | %12.1f |\n",
                per_minute(static_cast<double>(log_growth)));
    std::printf("| server wchar (bytes passed to write() and kin)     | %12.1f |\n",
                per_minute(static_cast<double>(delta("wchar"))));
    std::printf("| server write() calls (syscw)                       | %12.1f |\n",
                per_minute(static_cast<double>(delta("syscw"))));
    std::printf("\n");

    for (const auto& [name, count] : events)
      std::printf("file event: %s x%d\n", name.c_str(), count);
    for (const auto& name : names) {
      auto before = files_before.find(name), after = files_after.find(name);
      if (before != files_before.end() && after != files_after.end() &&
          before->second == after->second)
        continue;
      std::printf("file changed: %s size %lld -> %lld\n", name.c_str(),
                  before == files_before.end() ? -1LL : static_cast<long long>(before->second.size),
                  after == files_after.end() ? -1LL : static_cast<long long>(after->second.size));
    }

    // Objects that changed through the API: the bench's own heartbeats, then anything else.
    std::set<std::string> own;
    for (const auto& kubelet : kubelets) {
      own.insert("Lease kube-node-lease/" + kubelet->name());
      own.insert("Node " + kubelet->name());
    }
    int unexpected = 0;
    for (const auto& [key, change] : changes) {
      const bool expected = own.count(key) > 0;
      if (!expected) ++unexpected;
      std::string types, paths;
      for (const auto& t : change.types) types += (types.empty() ? "" : ",") + t;
      for (const auto& p : change.paths) paths += (paths.empty() ? "" : " ") + p;
      std::printf("%s %s: %d events (%s) changed: %s\n", expected ? "heartbeat " : "UNEXPECTED",
                  key.c_str(), change.events, types.c_str(), paths.empty() ? "-" : paths.c_str());
    }
    std::printf("\nobjects changed by something other than the heartbeats: %d\n", unexpected);
    const bool quiet = file_writes == 0 && files_changed == 0;
    std::printf("result: %s\n", quiet ? "0 bytes per minute written into the data dir"
                                      : "the data dir was written to while idle (see above)");
    return quiet ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "idle_writes_bench: %s\n", error.what());
    return 2;
  }
}
