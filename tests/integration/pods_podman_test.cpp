// The pod workers against real podman (a private storage root and API service, see
// support/podman_test_env.h): a busybox httpd pod with a configMap volume and a readiness probe
// becomes Ready and serves the file on its pod IP, sees its env and secret values, and picks up
// a configMap change; a crashing container backs off; a failing liveness probe restarts its
// container; an agent that restarts keeps the running containers; deleting removes everything.
// Skips where podman cannot run (not root, not installed).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "agent/pods/pod_manager.h"
#include "agent/pods/runtime_probe_runner.h"
#include "agent/runtime/podman/podman_runtime.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

using Steady = std::chrono::steady_clock;

std::string random_suffix() {
  static std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) out += kHex[random() % 16];
  return out;
}

// "podman://<id>" -> "<id>"
std::string runtime_id(const Json& container_status) {
  const std::string id = container_status.value("containerID", "");
  return id.substr(id.find("://") + 3);
}

class PodsPodmanTest : public skiff::testing::PodmanTest {
 protected:
  void SetUp() override {
    PodmanTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    runtime = std::make_unique<runtime::podman::PodmanRuntime>(
        runtime::podman::PodmanRuntimeOptions{env().socket_path()});
    probe_runner = std::make_unique<RuntimeProbeRunner>(*runtime);
    manager = make_manager();
  }

  // Whatever a test left running is removed, also when it failed half-way.
  void TearDown() override {
    manager.reset();
    if (!runtime) return;
    for (const auto& uid : uids)
      for (const auto& sandbox :
           runtime->list_pod_sandboxes({{{std::string(runtime::kPodUidLabel), uid}}, {}}))
        runtime->remove_pod_sandbox(sandbox.id);
  }

  std::unique_ptr<PodManager> make_manager() {
    PodManagerOptions options;
    options.worker.root_dir = data.path();
    options.worker.host_ip = "192.0.2.10";
    options.relist_period = std::chrono::milliseconds(200);
    auto made =
        std::make_unique<PodManager>(*runtime, objects, sink, *probe_runner, clock, options);
    made->start();
    return made;
  }

  Json pod(const std::string& name, Json containers, Json extra_spec = Json::object()) {
    const std::string uid = "uid-" + random_suffix();
    uids.push_back(uid);
    for (auto& container : containers) {
      container["image"] = env().image();
      container["imagePullPolicy"] = "IfNotPresent";
    }
    return make_pod(std::move(containers), std::move(extra_spec), name, uid);
  }
  static std::string uid_of(const Json& pod) { return pod["metadata"]["uid"]; }

  // Waits until the pod's reported status satisfies `predicate`.
  void await(const Json& pod, const std::function<bool(const Json&)>& predicate,
             const std::string& what, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    ASSERT_TRUE(sink.wait_for(uid_of(pod), predicate, timeout))
        << what << "; last status: " << sink.latest(uid_of(pod)).dump(2);
  }

  void delete_pod(Json pod, int grace) {
    pod["metadata"]["deletionTimestamp"] = "2027-01-15T08:01:00Z";
    pod["metadata"]["deletionGracePeriodSeconds"] = grace;
    manager->update_pod(pod);
    ASSERT_TRUE(sink.wait_stopped(uid_of(pod), std::chrono::seconds(30)));
  }

  std::vector<runtime::ContainerStatus> containers_of(const Json& pod) {
    return runtime->list_containers({"", {{std::string(runtime::kPodUidLabel), uid_of(pod)}}, {}});
  }

  skiff::testing::TempDir data;
  SystemClock clock;
  MapObjects objects;
  RecordingSink sink;
  std::unique_ptr<runtime::podman::PodmanRuntime> runtime;
  std::unique_ptr<RuntimeProbeRunner> probe_runner;
  std::unique_ptr<PodManager> manager;
  std::vector<std::string> uids;
};

// GET url until it answers 200 with `expected`, or the deadline passes; returns the last body.
std::string get_until(const std::string& url, const std::string& expected) {
  std::string last;
  for (auto deadline = Steady::now() + std::chrono::seconds(15); Steady::now() < deadline;) {
    try {
      auto reply = skiff::testing::http("GET", url);
      last = std::to_string(reply.status) + " " + reply.body;
      if (reply.status == 200 && reply.body == expected) return reply.body;
    } catch (const std::exception& error) {
      last = error.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

TEST_F(PodsPodmanTest, HttpdPodWithConfigMapAndReadinessServesOnItsPodIp) {
  objects.put_config_map("site", {{"index.html", "hello from skiff\n"}});
  objects.put_config_map("settings", {{"mode", "fast"}});
  objects.put_secret("creds", {{"password", "s3cr3t"}});
  Json web = pod(
      "web",
      {{{"name", "httpd"},
        {"command", {"/bin/httpd", "-f", "-p", "8080", "-h", "/www"}},
        {"ports", {{{"name", "http"}, {"containerPort", 8080}}}},
        {"volumeMounts", {{{"name", "www"}, {"mountPath", "/www"}}}},
        {"env",
         {{{"name", "GREETING"}, {"value", "hello $(MODE)"}},
          {{"name", "MODE"},
           {"valueFrom", {{"configMapKeyRef", {{"name", "settings"}, {"key", "mode"}}}}}},
          {{"name", "PASSWORD"},
           {"valueFrom", {{"secretKeyRef", {{"name", "creds"}, {"key", "password"}}}}}},
          {{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}}},
        {"readinessProbe",
         {{"httpGet", {{"port", "http"}, {"path", "/index.html"}}}, {"periodSeconds", 1}}}}},
      {{"volumes", {{{"name", "www"}, {"configMap", {{"name", "site"}}}}}}});
  manager->update_pod(web);
  await(
      web, [](const Json& s) { return condition(s, "Ready")["status"] == "True"; }, "Ready");

  const Json status = sink.latest(uid_of(web));
  EXPECT_EQ(status["phase"], "Running");
  const std::string ip = status["podIP"];
  ASSERT_FALSE(ip.empty());
  const Json httpd = container_status(status, "httpd");
  EXPECT_EQ(httpd["ready"], true);
  EXPECT_EQ(httpd["restartCount"], 0);
  EXPECT_TRUE(httpd["containerID"].get<std::string>().starts_with("podman://"));
  EXPECT_FALSE(httpd["imageID"].get<std::string>().empty());
  EXPECT_EQ(get_until("http://" + ip + ":8080/index.html", "hello from skiff\n"),
            "hello from skiff\n");

  // The probe runners on their own: TCP and HTTP from the host to the pod IP.
  ProbeSpec probe;
  probe.port = 8080;
  EXPECT_EQ(tcp_socket_probe(probe, ip).result, ProbeResult::Success);
  probe.path = "/index.html";
  EXPECT_EQ(http_get_probe(probe, ip).result, ProbeResult::Success);
  probe.path = "/missing";
  EXPECT_EQ(http_get_probe(probe, ip).message, "HTTP probe failed with statuscode: 404");
  probe.port = 8081;  // nothing listens there
  const ProbeOutcome refused = tcp_socket_probe(probe, ip);
  EXPECT_EQ(refused.result, ProbeResult::Failure);
  EXPECT_EQ(refused.message, "dial tcp " + ip + ":8081: Connection refused");
  EXPECT_EQ(http_get_probe(probe, ip).result, ProbeResult::Failure);

  // The environment inside the container.
  const runtime::ExecResult env =
      runtime->exec_sync(runtime_id(httpd), {"env"}, std::chrono::seconds(10));
  EXPECT_NE(env.stdout_text.find("GREETING=hello $(MODE)\n"), std::string::npos)
      << "MODE is defined after GREETING, so it is not expanded:\n"
      << env.stdout_text;
  EXPECT_NE(env.stdout_text.find("MODE=fast\n"), std::string::npos) << env.stdout_text;
  EXPECT_NE(env.stdout_text.find("PASSWORD=s3cr3t\n"), std::string::npos) << env.stdout_text;
  EXPECT_NE(env.stdout_text.find("POD_IP=" + ip + "\n"), std::string::npos) << env.stdout_text;

  // A configMap change reaches the served file without a restart.
  objects.put_config_map("site", {{"index.html", "changed\n"}});
  manager->object_changed("ConfigMap", "default", "site");
  EXPECT_EQ(get_until("http://" + ip + ":8080/index.html", "changed\n"), "changed\n");
  EXPECT_EQ(containers_of(web).size(), 1u);

  // Deleting stops and removes everything: containers, sandbox, volumes.
  const auto started = Steady::now();
  delete_pod(web, 1);
  EXPECT_LT(Steady::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(containers_of(web).empty());
  EXPECT_TRUE(runtime->list_pod_sandboxes({{{std::string(runtime::kPodUidLabel), uid_of(web)}}, {}})
                  .empty());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(data.path()) / "pods" / uid_of(web)));
  const Json last = sink.latest(uid_of(web));
  EXPECT_TRUE(last["phase"] == "Failed" || last["phase"] == "Succeeded") << last["phase"];
}

TEST_F(PodsPodmanTest, ACrashingContainerBacksOff) {
  Json crash =
      pod("crash", {{{"name", "app"}, {"command", {"/bin/sh", "-c", "echo bye; exit 3"}}}});
  manager->update_pod(crash);
  await(
      crash,
      [](const Json& s) {
        const Json app = container_status(s, "app");
        return app["state"].contains("waiting") &&
               app["state"]["waiting"]["reason"] == "CrashLoopBackOff";
      },
      "CrashLoopBackOff");
  const Json app = container_status(sink.latest(uid_of(crash)), "app");
  EXPECT_GE(app["restartCount"].get<int>(), 1);
  EXPECT_EQ(app["lastState"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(app["lastState"]["terminated"]["reason"], "Error");
  EXPECT_TRUE(app["state"]["waiting"]["message"].get<std::string>().starts_with(
      "back-off 10s restarting failed container=app"))
      << app.dump(2);
  EXPECT_EQ(sink.latest(uid_of(crash))["phase"], "Running");
  EXPECT_LE(containers_of(crash).size(), 2u) << "older dead instances are removed";
  delete_pod(crash, 1);
}

TEST_F(PodsPodmanTest, AFailingLivenessProbeRestartsTheContainer) {
  Json sick = pod(
      "sick",
      {{{"name", "app"},
        {"command", {"/bin/sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600"}},
        {"livenessProbe",
         {{"exec", {{"command", {"cat", "/tmp/healthy"}}}},
          {"periodSeconds", 1},
          {"failureThreshold", 1}}}}},
      {{"terminationGracePeriodSeconds", 1}});
  manager->update_pod(sick);
  await(
      sick,
      [](const Json& s) {
        const Json app = container_status(s, "app");
        return app["restartCount"] == 1 && app["state"].contains("running");
      },
      "restarted once by its liveness probe");
  const Json app = container_status(sink.latest(uid_of(sick)), "app");
  EXPECT_EQ(app["lastState"]["terminated"]["exitCode"], 137)
      << "sh as PID 1 ignores SIGTERM: killed after the 2 s minimum grace";
  delete_pod(sick, 0);
}

TEST_F(PodsPodmanTest, AnAgentThatRestartsKeepsTheRunningContainers) {
  // Its readiness probe knocks on a port nobody listens on: running, never Ready.
  Json keep =
      pod("keep", {{{"name", "app"},
                    {"command", {"/bin/sleep", "3600"}},
                    {"readinessProbe", {{"tcpSocket", {{"port", 9999}}}, {"periodSeconds", 1}}}}});
  manager->update_pod(keep);
  await(
      keep, [](const Json& s) { return s["phase"] == "Running"; }, "Running");
  EXPECT_EQ(condition(sink.latest(uid_of(keep)), "Ready")["status"], "False");
  EXPECT_EQ(condition(sink.latest(uid_of(keep)), "Ready")["message"],
            "containers with unready status: [app]");
  const std::string id = runtime_id(container_status(sink.latest(uid_of(keep)), "app"));
  keep["status"] = sink.latest(uid_of(keep));
  const size_t reports = sink.reports();

  manager.reset();  // the agent stops; podman keeps the containers
  manager = make_manager();
  EXPECT_EQ(manager->adopt().size(), 1u);
  manager->set_pods({keep});
  for (auto deadline = Steady::now() + std::chrono::seconds(10);
       !manager->status(uid_of(keep)) || manager->status(uid_of(keep))->empty();) {
    ASSERT_LT(Steady::now(), deadline) << "the adopted pod was never synced";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto containers = containers_of(keep);
  ASSERT_EQ(containers.size(), 1u) << "not duplicated";
  EXPECT_EQ(containers[0].id, id) << "not restarted";
  EXPECT_EQ(containers[0].state, runtime::ContainerState::Running);
  EXPECT_EQ(sink.reports(), reports) << "an unchanged status is not sent again";
  delete_pod(keep, 0);
}

}  // namespace
}  // namespace skiff::agent::pods::testing
