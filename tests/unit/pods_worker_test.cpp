// The pod worker on the fake runtime: starting a pod, what it asks the runtime for, restart
// policies with the crash-loop backoff on a fake clock, init containers, images and their pull
// policies, config errors, and reporting only when the status changed.
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

using runtime::ContainerState;

class PodWorkerTest : public PodsTest {};

TEST_F(PodWorkerTest, StartsTheSandboxAndContainersAndReportsRunning) {
  Json pod = make_pod(
      {container("app", {{"command", {"/bin/httpd"}},
                         {"args", {"-f", "-p", "8080"}},
                         {"workingDir", "/srv"},
                         {"ports", {{{"containerPort", 8080}, {"name", "http"}}}},
                         {"securityContext", {{"runAsUser", 1000}}},
                         {"resources", {{"limits", {{"memory", "64Mi"}, {"cpu", "250m"}}}}}})});
  auto worker = make_worker(pod);
  EXPECT_FALSE(worker->sync()) << "nothing to wait for";

  auto sandboxes = runtime.list_pod_sandboxes({});
  ASSERT_EQ(sandboxes.size(), 1u);
  EXPECT_EQ(sandboxes[0].metadata.name, "web");
  EXPECT_EQ(sandboxes[0].metadata.uid, "uid-1");
  EXPECT_EQ(sandboxes[0].labels.at("app"), "web");
  EXPECT_EQ(capturing.sandbox_config(sandboxes[0].id).hostname, "web");

  const auto app = newest("app");
  EXPECT_EQ(app.state, ContainerState::Running);
  EXPECT_EQ(app.attempt, 0u);
  const auto config = capturing.config(app.id);
  EXPECT_EQ(config.command, std::vector<std::string>{"/bin/httpd"});
  EXPECT_EQ(config.args, (std::vector<std::string>{"-f", "-p", "8080"}));
  EXPECT_EQ(config.working_dir, "/srv");
  ASSERT_EQ(config.ports.size(), 1u);
  EXPECT_EQ(config.ports[0].container_port, 8080);
  EXPECT_EQ(config.run_as_user, 1000);
  EXPECT_EQ(config.memory_limit_bytes, 64 * 1024 * 1024);
  EXPECT_EQ(config.cpu_limit_millicores, 250);
  EXPECT_EQ(config.labels.at("io.kubernetes.pod.terminationGracePeriod"), "30");

  Json status = sink.latest();
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["podIP"], "10.88.0.2");
  EXPECT_EQ(status["podIPs"], Json::parse(R"([{"ip":"10.88.0.2"}])"));
  EXPECT_EQ(status["hostIP"], "192.168.1.10");
  EXPECT_EQ(status["hostIPs"], Json::parse(R"([{"ip":"192.168.1.10"}])"));
  EXPECT_EQ(status["startTime"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(status["qosClass"], "Guaranteed") << "limits alone make requests equal to them";
  EXPECT_FALSE(status.contains("initContainerStatuses"));
  for (const char* type :
       {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    EXPECT_EQ(condition(status, type)["status"], "True") << type;
    EXPECT_EQ(condition(status, type)["lastTransitionTime"], "2027-01-15T08:00:00Z") << type;
    EXPECT_TRUE(condition(status, type)["lastProbeTime"].is_null()) << type;
  }
  EXPECT_EQ(status["conditions"][0]["type"], "PodReadyToStartContainers");
  EXPECT_EQ(status["conditions"][4]["type"], "PodScheduled");

  Json expected = {{"name", "app"},
                   {"image", kImage},
                   {"imageID", "sha256:busybox"},
                   {"containerID", "podman://" + app.id},
                   {"ready", true},
                   {"started", true},
                   {"restartCount", 0},
                   {"lastState", Json::object()},
                   {"state", {{"running", {{"startedAt", "2027-01-15T08:00:00Z"}}}}}};
  EXPECT_EQ(container_status(status, "app"), expected) << container_status(status, "app").dump(2);
}

TEST_F(PodWorkerTest, ReportsOnlyWhenTheStatusChanged) {
  auto worker = make_worker(make_pod({container("app")}));
  worker->sync();
  EXPECT_EQ(sink.reports(), 1u);
  worker->sync();
  clock.advance(1h);
  worker->sync();
  worker->update(make_pod({container("app")}));
  worker->sync();
  EXPECT_EQ(sink.reports(), 1u) << "a pod that does nothing new writes nothing";
  EXPECT_EQ(count_calls("create_container"), 1u);

  runtime.exit_container(newest("app").id, 0);
  worker->sync();
  EXPECT_EQ(sink.reports(), 2u);
}

TEST_F(PodWorkerTest, AStatusTheApiAlreadyHasIsNotSentAgain) {
  // What an agent that restarted sees: the running pod and the status it reported before.
  Json pod = make_pod({container("app")});
  make_worker(pod)->sync();
  pod["status"] = sink.latest();
  clock.advance(10min);
  auto adopted = make_worker(pod);
  adopted->sync();
  EXPECT_EQ(sink.reports(), 1u);
  EXPECT_EQ(count_calls("create_container"), 1u);
}

TEST_F(PodWorkerTest, CrashLoopBackOffDoublesFromTenSecondsToFiveMinutes) {
  auto worker = make_worker(make_pod({container("app")}));
  worker->sync();
  // The first restart is immediate.
  runtime.exit_container(newest("app").id, 1);
  worker->sync();
  EXPECT_EQ(newest("app").attempt, 1u);
  EXPECT_EQ(newest("app").state, ContainerState::Running);
  Json status = container_status(sink.latest(), "app");
  EXPECT_EQ(status["restartCount"], 1);
  EXPECT_EQ(status["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_EQ(status["lastState"]["terminated"]["reason"], "Error");

  const std::vector<int> delays = {10, 20, 40, 80, 160, 300, 300};
  for (size_t i = 0; i < delays.size(); ++i) {
    const auto delay = std::chrono::seconds(delays[i]);
    runtime.exit_container(newest("app").id, 2);
    const TimePoint exited = clock.now();
    std::optional<TimePoint> wake = worker->sync();
    ASSERT_TRUE(wake);
    EXPECT_EQ(*wake, exited + delay) << "restart " << i + 2;
    status = container_status(sink.latest(), "app");
    EXPECT_EQ(status["state"]["waiting"]["reason"], "CrashLoopBackOff");
    EXPECT_EQ(status["state"]["waiting"]["message"],
              "back-off " + go_duration(delay) +
                  " restarting failed container=app pod=web_default(uid-1)");
    EXPECT_EQ(status["restartCount"], i + 1);
    EXPECT_EQ(status["lastState"]["terminated"]["exitCode"], 2);
    EXPECT_EQ(status["ready"], false);
    EXPECT_EQ(sink.latest()["phase"], "Running");
    EXPECT_EQ(condition(sink.latest(), "Ready")["status"], "False");
    EXPECT_EQ(condition(sink.latest(), "Ready")["reason"], "ContainersNotReady");
    EXPECT_EQ(condition(sink.latest(), "Ready")["message"],
              "containers with unready status: [app]");

    clock.advance(delay - 1s);
    worker->sync();
    EXPECT_EQ(newest("app").state, ContainerState::Exited) << "still backing off";
    clock.advance(1s);
    worker->sync();
    EXPECT_EQ(newest("app").state, ContainerState::Running);
    EXPECT_EQ(newest("app").attempt, i + 2);
  }
  EXPECT_EQ(go_duration(300s), "5m0s");
  EXPECT_EQ(go_duration(80s), "1m20s");
}

TEST_F(PodWorkerTest, TenMinutesOfRunningResetsTheBackoff) {
  auto worker = make_worker(make_pod({container("app")}));
  worker->sync();
  for (int i = 0; i < 3; ++i) {  // up to a 20 s backoff
    runtime.exit_container(newest("app").id, 1);
    worker->sync();
    clock.advance(1min);
    worker->sync();
  }
  ASSERT_EQ(newest("app").attempt, 3u);
  clock.advance(11min);
  runtime.exit_container(newest("app").id, 1);
  worker->sync();
  EXPECT_EQ(newest("app").attempt, 4u) << "restarted at once";
  runtime.exit_container(newest("app").id, 1);
  EXPECT_EQ(*worker->sync(), clock.now() + 10s) << "and the next backoff is 10 s again";
}

TEST_F(PodWorkerTest, OnFailureRestartsFailuresAndFinishesOnSuccess) {
  auto worker = make_worker(make_pod({container("app")}, {{"restartPolicy", "OnFailure"}}));
  worker->sync();
  runtime.exit_container(newest("app").id, 3);
  worker->sync();
  EXPECT_EQ(newest("app").attempt, 1u);
  runtime.exit_container(newest("app").id, 0);
  EXPECT_FALSE(worker->sync());
  EXPECT_EQ(newest("app").attempt, 1u);

  Json status = sink.latest();
  EXPECT_EQ(status["phase"], "Succeeded");
  Json app = container_status(status, "app");
  EXPECT_EQ(app["state"]["terminated"]["exitCode"], 0);
  EXPECT_EQ(app["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(app["state"]["terminated"]["containerID"], "podman://" + newest("app").id);
  EXPECT_EQ(app["lastState"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(condition(status, "Ready")["reason"], "PodCompleted");
  EXPECT_EQ(condition(status, "PodReadyToStartContainers")["status"], "False");
  EXPECT_EQ(status["podIP"], "10.88.0.2") << "a finished pod keeps its IP in status";
  EXPECT_EQ(runtime.list_pod_sandboxes({})[0].state, runtime::SandboxState::NotReady);

  // Terminal stays terminal.
  clock.advance(1h);
  worker->sync();
  EXPECT_EQ(count_calls("create_container"), 2u);
}

TEST_F(PodWorkerTest, NeverDoesNotRestartAndFails) {
  auto worker =
      make_worker(make_pod({container("app"), container("side")}, {{"restartPolicy", "Never"}}));
  worker->sync();
  runtime.exit_container(newest("app").id, 1);
  worker->sync();
  EXPECT_EQ(sink.latest()["phase"], "Running") << "side still runs";
  runtime.exit_container(newest("side").id, 0);
  worker->sync();
  EXPECT_EQ(sink.latest()["phase"], "Failed");
  EXPECT_EQ(count_calls("create_container"), 2u);
  EXPECT_EQ(container_status(sink.latest(), "app")["state"]["terminated"]["reason"], "Error");
}

TEST_F(PodWorkerTest, OomKilledIsReported) {
  auto worker = make_worker(make_pod({container("app")}, {{"restartPolicy", "Never"}}));
  worker->sync();
  runtime.exit_container(newest("app").id, 137, true);
  worker->sync();
  EXPECT_EQ(container_status(sink.latest(), "app")["state"]["terminated"]["reason"], "OOMKilled");
  EXPECT_EQ(container_status(sink.latest(), "app")["state"]["terminated"]["exitCode"], 137);
}

TEST_F(PodWorkerTest, InitContainersRunInOrderBeforeTheContainers) {
  Json pod =
      make_pod({container("app")}, {{"initContainers", {container("one"), container("two")}}});
  auto worker = make_worker(pod);
  worker->sync();
  EXPECT_EQ(newest("one").state, ContainerState::Running);
  EXPECT_TRUE(runtime.list_containers({"", {{"io.kubernetes.container.name", "two"}}, {}}).empty());
  Json status = sink.latest();
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(container_status(status, "one", "initContainerStatuses")["state"].begin().key(),
            "running");
  EXPECT_EQ(container_status(status, "two", "initContainerStatuses")["state"]["waiting"]["reason"],
            "PodInitializing");
  EXPECT_EQ(container_status(status, "app")["state"]["waiting"]["reason"], "PodInitializing");
  EXPECT_EQ(condition(status, "Initialized")["status"], "False");
  EXPECT_EQ(condition(status, "Initialized")["reason"], "ContainersNotInitialized");
  EXPECT_EQ(condition(status, "Initialized")["message"],
            "containers with incomplete status: [one two]");

  runtime.exit_container(newest("one").id, 0);
  worker->sync();
  EXPECT_EQ(newest("two").state, ContainerState::Running);
  clock.advance(5s);
  runtime.exit_container(newest("two").id, 0);
  worker->sync();
  EXPECT_EQ(newest("app").state, ContainerState::Running);
  status = sink.latest();
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(condition(status, "Initialized")["status"], "True");
  EXPECT_EQ(condition(status, "Initialized")["lastTransitionTime"], "2027-01-15T08:00:05Z");
  Json two = container_status(status, "two", "initContainerStatuses");
  EXPECT_EQ(two["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(two["ready"], false);
}

TEST_F(PodWorkerTest, AFailedInitContainerIsRetriedWithBackoffOrFailsThePodUnderNever) {
  Json pod = make_pod({container("app")}, {{"initContainers", {container("init")}}});
  auto worker = make_worker(pod);
  worker->sync();
  runtime.exit_container(newest("init").id, 1);
  worker->sync();
  EXPECT_EQ(newest("init").attempt, 1u);
  runtime.exit_container(newest("init").id, 1);
  worker->sync();
  Json init = container_status(sink.latest(), "init", "initContainerStatuses");
  EXPECT_EQ(init["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(sink.latest()["phase"], "Pending");

  Json never = make_pod({container("app")},
                        {{"restartPolicy", "Never"}, {"initContainers", {container("init")}}},
                        "job", "uid-2");
  auto job = make_worker(never);
  job->sync();
  runtime.exit_container(newest("init", "uid-2").id, 1);
  job->sync();
  EXPECT_EQ(sink.latest("uid-2")["phase"], "Failed");
  EXPECT_TRUE(runtime
                  .list_containers({"",
                                    {{"io.kubernetes.pod.uid", "uid-2"},
                                     {"io.kubernetes.container.name", "app"}},
                                    {}})
                  .empty());
}

TEST_F(PodWorkerTest, ImagePullPolicies) {
  runtime.allow_pull("localhost/fresh:2", "sha256:fresh");
  runtime.add_image("localhost/latest", "sha256:latest");
  Json pod = make_pod({container("present"),
                       {{"name", "pulled"}, {"image", "localhost/fresh:2"}},
                       {{"name", "always"}, {"image", "localhost/latest"}}});
  auto worker = make_worker(pod);
  worker->sync();
  EXPECT_EQ(count_calls("pull_image localhost/busybox:1"), 0u) << "IfNotPresent and present";
  EXPECT_EQ(count_calls("pull_image localhost/fresh:2"), 1u) << "IfNotPresent, missing";
  EXPECT_EQ(count_calls("pull_image localhost/latest"), 1u) << "no tag: Always";
  EXPECT_EQ(container_status(sink.latest(), "pulled")["imageID"], "sha256:fresh");

  runtime.exit_container(newest("always").id, 1);
  runtime.exit_container(newest("pulled").id, 1);
  worker->sync();
  EXPECT_EQ(count_calls("pull_image localhost/latest"), 2u) << "Always pulls on every start";
  EXPECT_EQ(count_calls("pull_image localhost/fresh:2"), 1u);
}

TEST_F(PodWorkerTest, ErrImagePullThenImagePullBackOff) {
  runtime.fail_pull(
      "localhost/nope:1",
      runtime::RuntimeError(runtime::ErrorCode::NotFound, "localhost/nope:1: manifest unknown"));
  auto worker = make_worker(make_pod({{{"name", "app"}, {"image", "localhost/nope:1"}}}));
  EXPECT_EQ(*worker->sync(), clock.now() + 10s);
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["state"]["waiting"]["reason"], "ErrImagePull");
  EXPECT_EQ(app["state"]["waiting"]["message"], "localhost/nope:1: manifest unknown");
  EXPECT_EQ(sink.latest()["phase"], "Pending");
  EXPECT_EQ(condition(sink.latest(), "PodReadyToStartContainers")["status"], "True");

  clock.advance(5s);
  worker->sync();
  app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["state"]["waiting"]["reason"], "ImagePullBackOff");
  EXPECT_EQ(app["state"]["waiting"]["message"], "Back-off pulling image \"localhost/nope:1\"");
  EXPECT_EQ(count_calls("pull_image"), 1u);

  clock.advance(5s);
  EXPECT_EQ(*worker->sync(), clock.now() + 20s) << "the backoff doubles";
  EXPECT_EQ(count_calls("pull_image"), 2u);
  EXPECT_EQ(container_status(sink.latest(), "app")["state"]["waiting"]["reason"], "ErrImagePull");

  runtime.allow_pull("localhost/nope:1");
  clock.advance(20s);
  worker->sync();
  EXPECT_EQ(container_status(sink.latest(), "app")["state"].begin().key(), "running");
}

TEST_F(PodWorkerTest, NeverPullWithoutTheImageIsErrImageNeverPull) {
  auto worker = make_worker(
      make_pod({{{"name", "app"}, {"image", "localhost/absent:1"}, {"imagePullPolicy", "Never"}}}));
  worker->sync();
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["state"]["waiting"]["reason"], "ErrImageNeverPull");
  EXPECT_EQ(app["state"]["waiting"]["message"],
            "Container image \"localhost/absent:1\" is not present with pull policy of Never");
  EXPECT_EQ(count_calls("pull_image"), 0u);
}

TEST_F(PodWorkerTest, AMissingConfigMapKeyIsCreateContainerConfigErrorUntilItAppears) {
  objects.put_config_map("settings", {{"other", "x"}});
  Json pod = make_pod({container(
      "app",
      {{"env",
        {{{"name", "MODE"},
          {"valueFrom", {{"configMapKeyRef", {{"name", "settings"}, {"key", "mode"}}}}}}}}})});
  auto worker = make_worker(pod);
  std::optional<TimePoint> wake = worker->sync();
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["state"]["waiting"]["reason"], "CreateContainerConfigError");
  EXPECT_EQ(app["state"]["waiting"]["message"],
            "couldn't find key mode in ConfigMap default/settings");
  ASSERT_TRUE(wake);
  EXPECT_EQ(*wake, clock.now() + 10s);

  objects.put_config_map("settings", {{"mode", "fast"}});
  ASSERT_TRUE(worker->references("ConfigMap", "settings"));
  EXPECT_FALSE(worker->references("Secret", "settings"));
  worker->objects_changed();
  worker->sync();
  ASSERT_EQ(newest("app").state, ContainerState::Running);
  EXPECT_EQ(capturing.config(newest("app").id).env, (EnvList{{"MODE", "fast"}}));
}

TEST_F(PodWorkerTest, ASandboxThatDiedIsMadeAgainAndTheContainersRestart) {
  auto worker = make_worker(make_pod({container("app")}));
  worker->sync();
  const std::string first_sandbox = runtime.list_pod_sandboxes({})[0].id;
  runtime.stop_pod_sandbox(first_sandbox);  // e.g. the machine rebooted
  worker->sync();
  auto sandboxes = runtime.list_pod_sandboxes({{}, runtime::SandboxState::Ready});
  ASSERT_EQ(sandboxes.size(), 1u);
  EXPECT_EQ(sandboxes[0].metadata.attempt, 1u);
  EXPECT_EQ(newest("app").attempt, 1u);
  EXPECT_EQ(newest("app").sandbox_id, sandboxes[0].id);
  EXPECT_EQ(sink.latest()["podIP"], sandboxes[0].ip);
  worker->sync();
  EXPECT_EQ(runtime.list_pod_sandboxes({}).size(), 1u) << "the dead sandbox is removed";
}

TEST_F(PodWorkerTest, AnUnusableSpecIsReportedNotRun) {
  Json pod = make_pod({container("app", {{"livenessProbe", {{"grpc", {{"port", 9000}}}}}})});
  auto worker = make_worker(pod);
  worker->sync();
  EXPECT_TRUE(runtime.list_pod_sandboxes({}).empty());
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["state"]["waiting"]["reason"], "CreateContainerConfigError");
  EXPECT_EQ(app["state"]["waiting"]["message"],
            "spec.containers[0].livenessProbe.grpc: gRPC probes are not supported by skiff yet");
  EXPECT_EQ(sink.latest()["phase"], "Pending");
}

TEST_F(PodWorkerTest, ACreatedButNeverStartedContainerIsStartedNotDuplicated) {
  runtime.fail_next("start_container", runtime::RuntimeError(runtime::ErrorCode::Internal, "boom"));
  auto worker = make_worker(make_pod({container("app")}));
  worker->sync();
  EXPECT_EQ(newest("app").state, ContainerState::Created);
  EXPECT_EQ(container_status(sink.latest(), "app")["state"]["waiting"]["reason"],
            "RunContainerError");
  clock.advance(10s);
  worker->sync();
  EXPECT_EQ(newest("app").state, ContainerState::Running);
  EXPECT_EQ(count_calls("create_container"), 1u);
}

TEST_F(PodWorkerTest, AnUnreachableRuntimeIsRetriedLater) {
  runtime.fail_next("list_pod_sandboxes",
                    runtime::RuntimeError(runtime::ErrorCode::Unavailable, "socket gone"));
  auto worker = make_worker(make_pod({container("app")}));
  EXPECT_EQ(*worker->sync(), clock.now() + 5s);
  EXPECT_EQ(sink.reports(), 0u);
  worker->sync();
  EXPECT_EQ(sink.latest()["phase"], "Running");
}

}  // namespace
}  // namespace skiff::agent::pods::testing
