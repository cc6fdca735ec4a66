// The fake runtime keeps the Runtime contracts the pod workers rely on, and its scripts do what
// their names say.
#include <gtest/gtest.h>

#include <thread>

#include "agent/runtime/fake/fake_runtime.h"

namespace skiff::agent::runtime::fake {
namespace {

constexpr const char* kImage = "localhost/busybox:1";

PodSandboxConfig pod(const std::string& name, const std::string& uid) {
  PodSandboxConfig config;
  config.metadata = {name, "default", uid, 0};
  config.labels = {{"app", name}};
  return config;
}

ContainerConfig container(const std::string& name, uint32_t attempt = 0) {
  ContainerConfig config;
  config.name = name;
  config.attempt = attempt;
  config.image = kImage;
  return config;
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

class FakeRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override { runtime.add_image(kImage, "sha256:busybox"); }

  // A running container `name` in a fresh sandbox.
  std::pair<std::string, std::string> running(const std::string& name) {
    PodSandboxConfig config = pod("web", "uid-" + name);
    std::string sandbox = runtime.run_pod_sandbox(config);
    std::string id = runtime.create_container(sandbox, container(name), config);
    runtime.start_container(id);
    return {sandbox, id};
  }

  FakeRuntime runtime;
};

TEST_F(FakeRuntimeTest, SandboxGetsAnIpAndKubernetesLabels) {
  std::string id = runtime.run_pod_sandbox(pod("web", "uid-1"));
  PodSandboxStatus status = runtime.pod_sandbox_status(id);
  EXPECT_EQ(status.state, SandboxState::Ready);
  EXPECT_EQ(status.ip, "10.88.0.2");
  EXPECT_EQ(status.metadata.name, "web");
  EXPECT_EQ(status.labels.at("io.kubernetes.pod.name"), "web");
  EXPECT_EQ(status.labels.at("io.kubernetes.pod.namespace"), "default");
  EXPECT_EQ(status.labels.at("io.kubernetes.pod.uid"), "uid-1");
  EXPECT_EQ(runtime.pod_sandbox_status(runtime.run_pod_sandbox(pod("db", "uid-2"))).ip,
            "10.88.0.3");
  EXPECT_EQ(code_of([&] { runtime.run_pod_sandbox(pod("web", "uid-1")); }),
            ErrorCode::AlreadyExists);
}

TEST_F(FakeRuntimeTest, ContainerLifecycleWithExitCodesAndReasons) {
  PodSandboxConfig config = pod("web", "uid-1");
  std::string sandbox = runtime.run_pod_sandbox(config);
  std::string id = runtime.create_container(sandbox, container("app"), config);
  ContainerStatus created = runtime.container_status(id);
  EXPECT_EQ(created.state, ContainerState::Created);
  EXPECT_EQ(created.image_id, "sha256:busybox");
  EXPECT_EQ(created.labels.at("io.kubernetes.container.name"), "app");
  EXPECT_EQ(created.labels.at("io.kubernetes.pod.uid"), "uid-1");

  runtime.start_container(id);
  EXPECT_EQ(runtime.container_status(id).state, ContainerState::Running);
  EXPECT_TRUE(runtime.container_status(id).started_at);

  runtime.exit_container(id, 3);
  ContainerStatus exited = runtime.container_status(id);
  EXPECT_EQ(exited.state, ContainerState::Exited);
  EXPECT_EQ(exited.exit_code, 3);
  EXPECT_EQ(exited.reason, "Error");
  EXPECT_TRUE(exited.finished_at);
}

TEST_F(FakeRuntimeTest, ScriptedExitsOnStartAndOom) {
  runtime.exit_on_start("crasher", 1);
  auto [sandbox, id] = running("crasher");
  EXPECT_EQ(runtime.container_status(id).state, ContainerState::Exited);
  EXPECT_EQ(runtime.container_status(id).exit_code, 1);

  auto [sandbox2, hog] = running("hog");
  runtime.exit_container(hog, 137, /*oom_killed=*/true);
  EXPECT_EQ(runtime.container_status(hog).reason, "OOMKilled");

  auto [sandbox3, done] = running("job");
  runtime.exit_container(done, 0);
  EXPECT_EQ(runtime.container_status(done).reason, "Completed");
}

TEST_F(FakeRuntimeTest, VerbsAreIdempotent) {
  auto [sandbox, id] = running("app");
  runtime.stop_container(id, std::chrono::seconds(1));
  EXPECT_EQ(runtime.container_status(id).exit_code, 143);
  runtime.stop_container(id, std::chrono::seconds(1));
  EXPECT_EQ(runtime.container_status(id).exit_code, 143);  // not stopped twice
  runtime.remove_container(id);
  runtime.remove_container(id);
  runtime.stop_container(id, std::chrono::seconds(1));
  EXPECT_EQ(code_of([&] { runtime.container_status(id); }), ErrorCode::NotFound);

  runtime.stop_pod_sandbox(sandbox);
  runtime.stop_pod_sandbox(sandbox);
  runtime.remove_pod_sandbox(sandbox);
  runtime.remove_pod_sandbox(sandbox);
  runtime.stop_pod_sandbox(sandbox);
  EXPECT_EQ(code_of([&] { runtime.pod_sandbox_status(sandbox); }), ErrorCode::NotFound);
}

TEST_F(FakeRuntimeTest, StoppingASandboxKillsItsContainersAndReleasesTheIp) {
  auto [sandbox, id] = running("app");
  runtime.stop_pod_sandbox(sandbox);
  EXPECT_EQ(runtime.container_status(id).state, ContainerState::Exited);
  EXPECT_EQ(runtime.container_status(id).exit_code, 137);
  EXPECT_EQ(runtime.pod_sandbox_status(sandbox).state, SandboxState::NotReady);
  EXPECT_EQ(runtime.pod_sandbox_status(sandbox).ip, "");
  EXPECT_EQ(
      code_of([&] { runtime.create_container(sandbox, container("late"), pod("web", "uid-app")); }),
      ErrorCode::FailedPrecondition);
  runtime.remove_pod_sandbox(sandbox);
  EXPECT_EQ(code_of([&] { runtime.container_status(id); }), ErrorCode::NotFound);
}

TEST_F(FakeRuntimeTest, ExitOnStopSetsTheCodeOfAStoppedContainer) {
  runtime.exit_on_stop("stubborn", 137);
  auto [sandbox, id] = running("stubborn");
  runtime.stop_container(id, std::chrono::seconds(2));
  EXPECT_EQ(runtime.container_status(id).exit_code, 137);
}

TEST_F(FakeRuntimeTest, ListsByLabelsSandboxAndState) {
  auto [web_sandbox, web] = running("web-app");
  auto [db_sandbox, db] = running("db-app");
  runtime.exit_container(db, 0);

  EXPECT_EQ(runtime.list_pod_sandboxes({{{"io.kubernetes.pod.uid", "uid-db-app"}}, {}}).size(), 1u);
  EXPECT_EQ(runtime.list_pod_sandboxes({}).size(), 2u);
  auto by_name = runtime.list_containers({"", {{"io.kubernetes.container.name", "web-app"}}, {}});
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].id, web);
  auto in_db = runtime.list_containers({db_sandbox, {}, {}});
  ASSERT_EQ(in_db.size(), 1u);
  EXPECT_EQ(in_db[0].id, db);
  EXPECT_EQ(runtime.list_containers({"", {}, ContainerState::Running}).size(), 1u);
}

TEST_F(FakeRuntimeTest, MissingImagesAndPulls) {
  PodSandboxConfig config = pod("web", "uid-1");
  std::string sandbox = runtime.run_pod_sandbox(config);
  ContainerConfig missing = container("app");
  missing.image = "localhost/missing:1";
  EXPECT_EQ(code_of([&] { runtime.create_container(sandbox, missing, config); }),
            ErrorCode::NotFound);
  EXPECT_FALSE(runtime.image_status("localhost/missing:1"));
  EXPECT_EQ(code_of([&] { runtime.pull_image("localhost/missing:1"); }), ErrorCode::NotFound);

  runtime.fail_pull("registry.example/app:1", RuntimeError(ErrorCode::Unavailable, "offline"));
  EXPECT_EQ(code_of([&] { runtime.pull_image("registry.example/app:1"); }), ErrorCode::Unavailable);
  runtime.allow_pull("registry.example/app:1", "sha256:app");
  EXPECT_EQ(runtime.pull_image("registry.example/app:1"), "sha256:app");
  EXPECT_EQ(runtime.image_status("registry.example/app:1")->id, "sha256:app");
  runtime.remove_image("registry.example/app:1");
  runtime.remove_image("registry.example/app:1");
  EXPECT_FALSE(runtime.image_status("registry.example/app:1"));
}

TEST_F(FakeRuntimeTest, FailNextFailsOnceThenWorks) {
  PodSandboxConfig config = pod("web", "uid-1");
  std::string sandbox = runtime.run_pod_sandbox(config);
  std::string id = runtime.create_container(sandbox, container("app"), config);
  runtime.fail_next("start_container", RuntimeError(ErrorCode::Internal, "runc exploded"));
  EXPECT_EQ(code_of([&] { runtime.start_container(id); }), ErrorCode::Internal);
  runtime.start_container(id);
  EXPECT_EQ(runtime.container_status(id).state, ContainerState::Running);
}

TEST_F(FakeRuntimeTest, ExecRunsTheHandlerOnlyInRunningContainers) {
  auto [sandbox, id] = running("app");
  EXPECT_EQ(runtime.exec_sync(id, {"true"}, std::chrono::seconds(1)).exit_code, 0);
  runtime.set_exec_handler(
      [](const ContainerStatus& container, const std::vector<std::string>& argv) {
        if (argv[0] == "hang") throw RuntimeError(ErrorCode::DeadlineExceeded, "timed out");
        return ExecResult{2, container.name + " says " + argv.back(), "warn"};
      });
  ExecResult result = runtime.exec_sync(id, {"echo", "hi"}, std::chrono::seconds(1));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_text, "app says hi");
  EXPECT_EQ(result.stderr_text, "warn");
  EXPECT_EQ(code_of([&] { runtime.exec_sync(id, {"hang"}, std::chrono::seconds(1)); }),
            ErrorCode::DeadlineExceeded);
  EXPECT_EQ(runtime.exec_calls(id), (std::vector<std::string>{"true", "echo hi", "hang"}));
  EXPECT_EQ(code_of([&] { runtime.exec_sync(id, {}, std::chrono::seconds(1)); }),
            ErrorCode::Invalid);
  runtime.exit_container(id, 0);
  EXPECT_EQ(code_of([&] { runtime.exec_sync(id, {"true"}, std::chrono::seconds(1)); }),
            ErrorCode::FailedPrecondition);
}

TEST_F(FakeRuntimeTest, WaitReturnsWhenTheContainerExits) {
  auto [sandbox, id] = running("app");
  EXPECT_FALSE(runtime.wait_container(id, std::chrono::milliseconds(1)));
  std::thread exiter([&] { runtime.exit_container(id, 0); });
  EXPECT_TRUE(runtime.wait_container(id, std::chrono::seconds(30)));
  exiter.join();
  EXPECT_EQ(code_of([&] { runtime.wait_container("nope", std::chrono::seconds(1)); }),
            ErrorCode::NotFound);
}

TEST_F(FakeRuntimeTest, LogsWithTailAndFollow) {
  auto [sandbox, id] = running("app");
  for (const char* text : {"one", "two", "three"}) runtime.append_log(id, LogStream::Stdout, text);
  std::vector<std::string> seen;
  auto collect = [&](const LogLine& line) {
    seen.push_back(line.text);
    return true;
  };
  LogOptions options;
  options.tail_lines = 2;
  runtime.read_container_log(id, options, collect);
  EXPECT_EQ(seen, (std::vector<std::string>{"two", "three"}));

  seen.clear();
  options = {};
  options.follow = true;
  options.poll_interval = std::chrono::milliseconds(5);
  std::thread writer([&] {
    runtime.append_log(id, LogStream::Stderr, "four");
    runtime.exit_container(id, 0);
  });
  runtime.read_container_log(id, options, collect);  // returns once the container exited
  writer.join();
  EXPECT_EQ(seen, (std::vector<std::string>{"one", "two", "three", "four"}));
}

TEST_F(FakeRuntimeTest, RestartsAreNewContainersWithTheNextAttempt) {
  PodSandboxConfig config = pod("web", "uid-1");
  std::string sandbox = runtime.run_pod_sandbox(config);
  std::string first = runtime.create_container(sandbox, container("app", 0), config);
  EXPECT_EQ(code_of([&] { runtime.create_container(sandbox, container("app", 0), config); }),
            ErrorCode::AlreadyExists);
  std::string second = runtime.create_container(sandbox, container("app", 1), config);
  EXPECT_NE(first, second);
  EXPECT_EQ(runtime.container_status(second).attempt, 1u);
}

TEST_F(FakeRuntimeTest, InjectedClockDrivesTimes) {
  const TimePoint fixed = TimePoint(std::chrono::seconds(1'800'000'000));
  runtime.set_clock([&] { return fixed; });
  auto [sandbox, id] = running("app");
  EXPECT_EQ(*runtime.container_status(id).started_at, fixed);
  EXPECT_EQ(*runtime.pod_sandbox_status(sandbox).created_at, fixed);
}

TEST_F(FakeRuntimeTest, RecordsCalls) {
  auto [sandbox, id] = running("app");
  auto calls = runtime.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], "run_pod_sandbox default/web");
  EXPECT_EQ(calls[1], "create_container app");
  EXPECT_EQ(calls[2], "start_container " + id);
}

}  // namespace
}  // namespace skiff::agent::runtime::fake
