// The podman runtime against real podman (a private storage root and API service per test run,
// see support/podman_test_env.h): sandboxes with reachable IPs, container lifecycle with exit
// codes and explicit stop timeouts, exec, logs, finding things by labels, idempotent verbs and
// the errors a pod worker acts on. Skips where podman cannot run (not root, not installed).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "agent/runtime/container_log.h"
#include "agent/runtime/podman/podman_runtime.h"
#include "tests/integration/support/podman_test_env.h"
#include "tests/integration/support/test_server.h"

namespace skiff::agent::runtime::podman {
namespace {

using namespace std::chrono_literals;
using skiff::testing::PodmanTest;
using Steady = std::chrono::steady_clock;

std::string random_suffix() {
  static std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) out += kHex[random() % 16];
  return out;
}

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const RuntimeError& error) {
    return error.code();
  }
  ADD_FAILURE() << "no RuntimeError";
  return ErrorCode::Internal;
}

class PodmanRuntimeTest : public PodmanTest {
 protected:
  void SetUp() override {
    PodmanTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    runtime = std::make_unique<PodmanRuntime>(PodmanRuntimeOptions{env().socket_path()});
  }

  // Whatever a test made is removed even when it fails half-way.
  void TearDown() override {
    if (!runtime) return;
    for (const auto& id : sandboxes) {
      try {
        runtime->remove_pod_sandbox(id);
      } catch (const RuntimeError& error) {
        ADD_FAILURE() << "cleanup: " << error.what();
      }
    }
  }

  PodSandboxConfig pod_config(const std::string& name) {
    PodSandboxConfig config;
    config.metadata = {name, "default", "uid-" + random_suffix(), 0};
    config.labels = {{"skiff-test", run_label}};
    return config;
  }

  std::string run_sandbox(const PodSandboxConfig& config) {
    std::string id = runtime->run_pod_sandbox(config);
    sandboxes.push_back(id);
    return id;
  }

  ContainerConfig busybox(const std::string& name, std::vector<std::string> command) {
    ContainerConfig config;
    config.name = name;
    config.image = env().image();
    config.command = std::move(command);
    return config;
  }

  const std::string run_label = random_suffix();
  std::unique_ptr<PodmanRuntime> runtime;
  std::vector<std::string> sandboxes;
};

TEST_F(PodmanRuntimeTest, SandboxIpServesHttpFromTheHost) {
  // A read-only mounted folder served by busybox httpd, asked from the host on the pod IP.
  const std::filesystem::path www = std::filesystem::path(env().dir()) / ("www-" + run_label);
  std::filesystem::create_directories(www);
  std::ofstream(www / "index.html") << "hello from the pod\n";

  PodSandboxConfig pod = pod_config("web");
  std::string sandbox = run_sandbox(pod);
  PodSandboxStatus status = runtime->pod_sandbox_status(sandbox);
  EXPECT_EQ(status.state, SandboxState::Ready);
  EXPECT_EQ(status.metadata.name, "web");
  EXPECT_EQ(status.metadata.uid, pod.metadata.uid);
  ASSERT_FALSE(status.ip.empty());

  ContainerConfig httpd = busybox("httpd", {"/bin/httpd", "-f", "-p", "8080", "-h", "/www"});
  httpd.mounts = {{www.string(), "/www", true}};
  std::string id = runtime->create_container(sandbox, httpd, pod);
  runtime->start_container(id);

  const std::string url = "http://" + status.ip + ":8080/index.html";
  std::string body, last_error;
  for (auto deadline = Steady::now() + 10s; Steady::now() < deadline;) {
    try {
      auto reply = skiff::testing::http("GET", url);
      if (reply.status == 200) {
        body = reply.body;
        break;
      }
      last_error = "status " + std::to_string(reply.status);
    } catch (const std::exception& error) {
      last_error = error.what();
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(body, "hello from the pod\n") << last_error;

  // The mount is read-only inside the container.
  ExecResult write = runtime->exec_sync(id, {"/bin/sh", "-c", "echo x > /www/index.html"}, 10s);
  EXPECT_NE(write.exit_code, 0);
}

TEST_F(PodmanRuntimeTest, ContainerRunsToItsExitCode) {
  PodSandboxConfig pod = pod_config("job");
  std::string sandbox = run_sandbox(pod);
  std::string id =
      runtime->create_container(sandbox, busybox("job", {"/bin/sh", "-c", "exit 3"}), pod);
  ContainerStatus created = runtime->container_status(id);
  EXPECT_EQ(created.state, ContainerState::Created);
  EXPECT_EQ(created.name, "job");
  EXPECT_EQ(created.sandbox_id, sandbox);
  EXPECT_FALSE(created.started_at);

  runtime->start_container(id);
  ASSERT_TRUE(runtime->wait_container(id, 10s));
  ContainerStatus exited = runtime->container_status(id);
  EXPECT_EQ(exited.state, ContainerState::Exited);
  EXPECT_EQ(exited.exit_code, 3);
  EXPECT_EQ(exited.reason, "Error");
  ASSERT_TRUE(exited.started_at && exited.finished_at);
  EXPECT_LE(*exited.started_at, *exited.finished_at);
  EXPECT_FALSE(exited.image_id.empty());
  EXPECT_EQ(exited.image, env().image());
  EXPECT_FALSE(exited.log_path.empty());

  // A restart as the pod worker does it: a new container with the next attempt.
  ContainerConfig again = busybox("job", {"/bin/sh", "-c", "exit 0"});
  again.attempt = 1;
  std::string second = runtime->create_container(sandbox, again, pod);
  EXPECT_NE(second, id);
  runtime->start_container(second);
  ASSERT_TRUE(runtime->wait_container(second, 10s));
  ContainerStatus completed = runtime->container_status(second);
  EXPECT_EQ(completed.attempt, 1u);
  EXPECT_EQ(completed.exit_code, 0);
  EXPECT_EQ(completed.reason, "Completed");
  // The previous instance is still there for its status and log.
  EXPECT_EQ(runtime->container_status(id).exit_code, 3);
}

TEST_F(PodmanRuntimeTest, StopHonoursTheExplicitTimeoutAndTheContainerCanRestart) {
  PodSandboxConfig pod = pod_config("stubborn");
  std::string sandbox = run_sandbox(pod);
  // busybox httpd as PID 1 ignores SIGTERM: only the SIGKILL after the timeout stops it.
  std::string id =
      runtime->create_container(sandbox, busybox("httpd", {"/bin/httpd", "-f", "-p", "8081"}), pod);
  runtime->start_container(id);
  EXPECT_EQ(runtime->container_status(id).state, ContainerState::Running);

  const auto started = Steady::now();
  runtime->stop_container(id, 1s);
  const auto took = Steady::now() - started;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 9s) << "podman's own 10 s default must not apply";
  ContainerStatus stopped = runtime->container_status(id);
  EXPECT_EQ(stopped.state, ContainerState::Exited);
  EXPECT_EQ(stopped.exit_code, 137);
  EXPECT_EQ(stopped.reason, "Error");

  runtime->start_container(id);
  EXPECT_EQ(runtime->container_status(id).state, ContainerState::Running);
  runtime->stop_container(id, 0s);
  EXPECT_EQ(runtime->container_status(id).state, ContainerState::Exited);
}

TEST_F(PodmanRuntimeTest, ExecSyncReturnsExitCodeAndBothStreams) {
  PodSandboxConfig pod = pod_config("exec");
  std::string sandbox = run_sandbox(pod);
  ContainerConfig config = busybox("app", {"/bin/sleep", "3600"});
  config.env = {{"GREETING", "hello"}, {"GREETING", "hello again"}};
  config.working_dir = "/tmp";
  std::string id = runtime->create_container(sandbox, config, pod);
  runtime->start_container(id);

  ExecResult result = runtime->exec_sync(
      id, {"/bin/sh", "-c", "echo \"$GREETING from $(pwd)\"; echo oops >&2; exit 4"}, 10s);
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_EQ(result.stdout_text, "hello again from /tmp\n");
  EXPECT_EQ(result.stderr_text, "oops\n");
  EXPECT_EQ(runtime->exec_sync(id, {"true"}, 10s).exit_code, 0);

  const auto started = Steady::now();
  EXPECT_EQ(code_of([&] {
              runtime->exec_sync(id, {"/bin/sleep", "30"}, 500ms);
            }),
            ErrorCode::DeadlineExceeded);
  EXPECT_LT(Steady::now() - started, 5s);

  EXPECT_NE(runtime->exec_sync(id, {"/no/such/binary"}, 10s).exit_code, 0);

  runtime->stop_container(id, 0s);
  EXPECT_EQ(code_of([&] { runtime->exec_sync(id, {"true"}, 10s); }), ErrorCode::FailedPrecondition);
}

TEST_F(PodmanRuntimeTest, RunAsUserAndLimitsReachTheContainer) {
  PodSandboxConfig pod = pod_config("limits");
  std::string sandbox = run_sandbox(pod);
  ContainerConfig config = busybox("app", {"/bin/sleep", "3600"});
  config.run_as_user = 1234;
  config.memory_limit_bytes = 64 * 1024 * 1024;
  config.cpu_limit_millicores = 500;
  std::string id = runtime->create_container(sandbox, config, pod);
  runtime->start_container(id);
  EXPECT_EQ(runtime->exec_sync(id, {"/bin/id", "-u"}, 10s).stdout_text, "1234\n");
  auto inspect =
      env().podman({"inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.CpuQuota}}", id});
  EXPECT_EQ(inspect.out, "67108864 50000\n") << inspect.err;
}

TEST_F(PodmanRuntimeTest, TheSandboxsDnsSettingsAreTheContainersResolvConf) {
  PodSandboxConfig pod = pod_config("dns");
  pod.dns_servers = {"10.43.0.10"};
  pod.dns_searches = {"default.svc.cluster.local", "svc.cluster.local", "cluster.local"};
  pod.dns_options = {"ndots:5"};
  std::string sandbox = run_sandbox(pod);
  std::string id = runtime->create_container(sandbox, busybox("app", {"/bin/sleep", "3600"}), pod);
  runtime->start_container(id);
  const std::string resolv =
      runtime->exec_sync(id, {"/bin/cat", "/etc/resolv.conf"}, 10s).stdout_text;
  EXPECT_NE(resolv.find("nameserver 10.43.0.10"), std::string::npos) << resolv;
  EXPECT_NE(resolv.find("search default.svc.cluster.local svc.cluster.local cluster.local"),
            std::string::npos)
      << resolv;
  EXPECT_NE(resolv.find("options ndots:5"), std::string::npos) << resolv;
  EXPECT_EQ(resolv.find("nameserver"), resolv.rfind("nameserver"))
      << "only the cluster DNS: " << resolv;
}

TEST_F(PodmanRuntimeTest, LogsWithTailTimestampsAndFollow) {
  PodSandboxConfig pod = pod_config("logs");
  std::string sandbox = run_sandbox(pod);
  ContainerConfig config = busybox(
      "app", {"/bin/sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; echo problem >&2"});
  config.log_path = env().dir() + "/logs-" + run_label + ".log";
  std::string id = runtime->create_container(sandbox, config, pod);
  EXPECT_EQ(runtime->container_status(id).log_path, config.log_path);
  runtime->start_container(id);
  ASSERT_TRUE(runtime->wait_container(id, 10s));

  std::vector<LogLine> lines;
  auto collect = [&](const LogLine& line) {
    lines.push_back(line);
    return true;
  };
  runtime->read_container_log(id, {}, collect);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].text, "line1");
  EXPECT_EQ(lines[5].text, "problem");
  EXPECT_EQ(lines[5].stream, LogStream::Stderr);

  lines.clear();
  LogOptions tail;
  tail.tail_lines = 2;
  runtime->read_container_log(id, tail, collect);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "line5");
  EXPECT_EQ(format_log_line(lines[1], false), "problem\n");
  const std::string stamped = format_log_line(lines[1], true);
  EXPECT_TRUE(stamped.ends_with(" problem\n")) << stamped;
  EXPECT_TRUE(stamped.starts_with("20")) << stamped;

  // Following a running container returns when it exits, with everything it wrote.
  ContainerConfig slow = busybox("slow", {"/bin/sh", "-c", "echo first; sleep 1; echo second"});
  std::string slow_id = runtime->create_container(sandbox, slow, pod);
  runtime->start_container(slow_id);
  lines.clear();
  LogOptions follow;
  follow.follow = true;
  follow.poll_interval = 20ms;
  runtime->read_container_log(slow_id, follow, collect);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "first");
  EXPECT_EQ(lines[1].text, "second");
  EXPECT_EQ(runtime->container_status(slow_id).state, ContainerState::Exited);
}

TEST_F(PodmanRuntimeTest, FindsSandboxesAndContainersByLabels) {
  PodSandboxConfig first = pod_config("first");
  PodSandboxConfig second = pod_config("second");
  std::string first_id = run_sandbox(first);
  std::string second_id = run_sandbox(second);
  std::string a = runtime->create_container(first_id, busybox("a", {"/bin/sleep", "3600"}), first);
  std::string b = runtime->create_container(second_id, busybox("b", {"/bin/true"}), second);
  runtime->start_container(a);

  // What an agent that restarted does: find its pods by their labels, with a fresh client.
  PodmanRuntime fresh(PodmanRuntimeOptions{env().socket_path()});
  auto ours = fresh.list_pod_sandboxes({{{"skiff-test", run_label}}, {}});
  EXPECT_EQ(ours.size(), 2u);
  auto by_uid = fresh.list_pod_sandboxes({{{"io.kubernetes.pod.uid", second.metadata.uid}}, {}});
  ASSERT_EQ(by_uid.size(), 1u);
  EXPECT_EQ(by_uid[0].id, second_id);
  EXPECT_EQ(by_uid[0].metadata.name, "second");
  EXPECT_EQ(by_uid[0].state, SandboxState::Ready);

  auto in_first = fresh.list_containers({first_id, {}, {}});
  ASSERT_EQ(in_first.size(), 1u) << "the infra container is not listed";
  EXPECT_EQ(in_first[0].id, a);
  EXPECT_EQ(in_first[0].name, "a");
  EXPECT_EQ(in_first[0].state, ContainerState::Running);
  EXPECT_EQ(in_first[0].labels.at("io.kubernetes.pod.namespace"), "default");
  EXPECT_EQ(in_first[0].labels.at("io.kubernetes.pod.name"), "first");
  EXPECT_EQ(in_first[0].labels.at("io.kubernetes.pod.uid"), first.metadata.uid);
  auto named_b = fresh.list_containers(
      {"",
       {{"io.kubernetes.pod.uid", second.metadata.uid}, {"io.kubernetes.container.name", "b"}},
       {}});
  ASSERT_EQ(named_b.size(), 1u);
  EXPECT_EQ(named_b[0].id, b);
  EXPECT_EQ(named_b[0].state, ContainerState::Created);
  auto running_in_pods = fresh.list_containers({first_id, {}, ContainerState::Running});
  EXPECT_EQ(running_in_pods.size(), 1u);
}

TEST_F(PodmanRuntimeTest, VerbsAreIdempotent) {
  PodSandboxConfig pod = pod_config("idem");
  std::string sandbox = run_sandbox(pod);
  std::string id = runtime->create_container(sandbox, busybox("app", {"/bin/sleep", "3600"}), pod);
  runtime->stop_container(id, 0s);  // never started
  runtime->start_container(id);
  runtime->start_container(id);  // already running
  runtime->stop_container(id, 0s);
  runtime->stop_container(id, 0s);  // already stopped
  runtime->remove_container(id);
  runtime->remove_container(id);  // already gone
  runtime->stop_container(id, 0s);
  EXPECT_EQ(code_of([&] { runtime->container_status(id); }), ErrorCode::NotFound);

  const auto started = Steady::now();
  runtime->stop_pod_sandbox(sandbox);
  EXPECT_EQ(runtime->pod_sandbox_status(sandbox).state, SandboxState::NotReady);
  runtime->stop_pod_sandbox(sandbox);
  runtime->remove_pod_sandbox(sandbox);
  runtime->remove_pod_sandbox(sandbox);
  runtime->stop_pod_sandbox(sandbox);
  EXPECT_LT(Steady::now() - started, 8s);
  EXPECT_EQ(code_of([&] { runtime->pod_sandbox_status(sandbox); }), ErrorCode::NotFound);
}

TEST_F(PodmanRuntimeTest, RemovingASandboxRemovesItsRunningContainersQuickly) {
  PodSandboxConfig pod = pod_config("teardown");
  std::string sandbox = run_sandbox(pod);
  std::string id =
      runtime->create_container(sandbox, busybox("httpd", {"/bin/httpd", "-f", "-p", "8082"}), pod);
  runtime->start_container(id);
  const auto started = Steady::now();
  runtime->remove_pod_sandbox(sandbox);
  EXPECT_LT(Steady::now() - started, 8s);
  EXPECT_EQ(code_of([&] { runtime->container_status(id); }), ErrorCode::NotFound);
  EXPECT_TRUE(runtime->list_pod_sandboxes({{{"skiff-test", run_label}}, {}}).empty());
}

TEST_F(PodmanRuntimeTest, MissingImagesAndNamesInUse) {
  PodSandboxConfig pod = pod_config("errors");
  std::string sandbox = run_sandbox(pod);
  EXPECT_FALSE(runtime->image_status("localhost/skiff-missing:1"));
  auto present = runtime->image_status(env().image());
  ASSERT_TRUE(present);
  EXPECT_FALSE(present->id.empty());
  bool listed = false;
  for (const auto& image : runtime->list_images())
    for (const auto& tag : image.repo_tags) listed |= tag == env().image();
  EXPECT_TRUE(listed);

  ContainerConfig missing = busybox("app", {"/bin/true"});
  missing.image = "localhost/skiff-missing:1";
  EXPECT_EQ(code_of([&] { runtime->create_container(sandbox, missing, pod); }),
            ErrorCode::NotFound);
  // Nothing listens on port 1 of this machine: the pull fails without leaving it.
  EXPECT_EQ(code_of([&] { runtime->pull_image("localhost:1/skiff-missing:1"); }),
            ErrorCode::Unavailable);

  runtime->create_container(sandbox, busybox("app", {"/bin/true"}), pod);
  EXPECT_EQ(
      code_of([&] { runtime->create_container(sandbox, busybox("app", {"/bin/true"}), pod); }),
      ErrorCode::AlreadyExists);
  EXPECT_EQ(code_of([&] { runtime->run_pod_sandbox(pod); }), ErrorCode::AlreadyExists);
  EXPECT_EQ(code_of([&] { runtime->create_container("no-such-pod", busybox("x", {}), pod); }),
            ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { runtime->start_container("no-such-container"); }), ErrorCode::NotFound);
  EXPECT_EQ(code_of([&] { runtime->create_container(sandbox, busybox("", {}), pod); }),
            ErrorCode::Invalid);
}

TEST_F(PodmanRuntimeTest, AnAbsentSocketIsUnavailable) {
  PodmanRuntime nowhere(PodmanRuntimeOptions{env().dir() + "/no-such.sock"});
  EXPECT_EQ(code_of([&] { nowhere.version(); }), ErrorCode::Unavailable);
  RuntimeVersion version = runtime->version();
  EXPECT_EQ(version.name, "podman");
  EXPECT_FALSE(version.version.empty());
}

}  // namespace
}  // namespace skiff::agent::runtime::podman
