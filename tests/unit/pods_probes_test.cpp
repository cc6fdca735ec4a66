// Probes: the tracker's timing and thresholds, readiness driving the Ready condition, liveness
// and startup failures restarting the container, exec probes through the runtime, and probe
// state kept across an agent restart.
#include "agent/pods/probe_tracker.h"
#include "agent/pods/runtime_probe_runner.h"
#include "tests/unit/support/pods_fixture.h"

namespace skiff::agent::pods::testing {
namespace {

using runtime::ContainerState;

ProbeSpec probe_spec(int initial_delay, int period, int success, int failure) {
  ProbeSpec spec;
  spec.initial_delay = std::chrono::seconds(initial_delay);
  spec.period = std::chrono::seconds(period);
  spec.success_threshold = success;
  spec.failure_threshold = failure;
  return spec;
}

Json exec_probe(int period, int failure_threshold, int initial_delay = 0) {
  return {{"exec", {{"command", {"cat", "/tmp/healthy"}}}},
          {"periodSeconds", period},
          {"failureThreshold", failure_threshold},
          {"initialDelaySeconds", initial_delay}};
}

TEST(ProbeTrackerTest, TimingAndThresholds) {
  const TimePoint start{std::chrono::seconds(1000)};
  ProbeTracker readiness(ProbeType::Readiness, probe_spec(5, 2, 2, 3), start);
  EXPECT_FALSE(readiness.succeeded()) << "not ready before any result";
  EXPECT_FALSE(readiness.due(start + std::chrono::seconds(4)));
  EXPECT_TRUE(readiness.due(start + std::chrono::seconds(5)));
  readiness.record(ProbeResult::Success, start + std::chrono::seconds(5));
  EXPECT_FALSE(readiness.succeeded()) << "successThreshold 2";
  EXPECT_EQ(*readiness.next_due(), start + std::chrono::seconds(7));
  readiness.record(ProbeResult::Success, start + std::chrono::seconds(7));
  EXPECT_TRUE(readiness.succeeded());
  readiness.record(ProbeResult::Failure, start + std::chrono::seconds(9));
  readiness.record(ProbeResult::Failure, start + std::chrono::seconds(11));
  EXPECT_TRUE(readiness.succeeded()) << "failureThreshold 3";
  readiness.record(ProbeResult::Success, start + std::chrono::seconds(13));
  readiness.record(ProbeResult::Failure, start + std::chrono::seconds(15));
  EXPECT_TRUE(readiness.succeeded()) << "the failures must be consecutive";
  for (int i = 0; i < 3; ++i) readiness.record(ProbeResult::Failure, start);
  EXPECT_TRUE(readiness.failed());
  EXPECT_TRUE(readiness.next_due()) << "readiness keeps probing";

  ProbeTracker liveness(ProbeType::Liveness, probe_spec(0, 1, 1, 1), start);
  EXPECT_TRUE(liveness.succeeded()) << "alive before any result";
  liveness.record(ProbeResult::Failure, start);
  EXPECT_TRUE(liveness.failed());
  EXPECT_FALSE(liveness.next_due()) << "holds once failed: the container is restarted";

  ProbeTracker startup(ProbeType::Startup, probe_spec(0, 1, 1, 3), start);
  EXPECT_FALSE(startup.succeeded());
  startup.record(ProbeResult::Success, start);
  EXPECT_TRUE(startup.succeeded());
  EXPECT_FALSE(startup.next_due()) << "a startup probe stops once it succeeded";
}

class PodProbesTest : public PodsTest {};

TEST_F(PodProbesTest, ReadinessDrivesTheReadyCondition) {
  probes.set("app", ProbeType::Readiness, ProbeResult::Failure);
  Json pod = make_pod({container("app", {{"readinessProbe", exec_probe(2, 1, 3)}})});
  auto worker = make_worker(pod);
  std::optional<TimePoint> wake = worker->sync();
  EXPECT_EQ(*wake, clock.now() + 3s) << "the first probe after initialDelaySeconds";
  EXPECT_EQ(probes.calls("app", ProbeType::Readiness), 0);
  Json status = sink.latest();
  EXPECT_EQ(container_status(status, "app")["ready"], false);
  EXPECT_EQ(container_status(status, "app")["started"], true);
  EXPECT_EQ(condition(status, "Ready")["status"], "False");
  EXPECT_EQ(condition(status, "ContainersReady")["message"],
            "containers with unready status: [app]");
  EXPECT_EQ(status["phase"], "Running");

  clock.advance(3s);
  EXPECT_EQ(*worker->sync(), clock.now() + 2s);
  EXPECT_EQ(probes.calls("app", ProbeType::Readiness), 1);
  EXPECT_EQ(condition(sink.latest(), "Ready")["status"], "False");

  probes.set("app", ProbeType::Readiness, ProbeResult::Success);
  clock.advance(2s);
  worker->sync();
  status = sink.latest();
  EXPECT_EQ(container_status(status, "app")["ready"], true);
  EXPECT_EQ(condition(status, "Ready")["status"], "True");
  EXPECT_EQ(condition(status, "Ready")["lastTransitionTime"], "2027-01-15T08:00:05Z");
  const size_t reports = sink.reports();

  clock.advance(2s);
  worker->sync();
  EXPECT_EQ(sink.reports(), reports) << "a passing probe changes nothing";
  probes.set("app", ProbeType::Readiness, ProbeResult::Failure);
  clock.advance(2s);
  worker->sync();
  EXPECT_EQ(condition(sink.latest(), "Ready")["status"], "False");
  EXPECT_EQ(count_calls("stop_container"), 0u) << "readiness never restarts";
}

TEST_F(PodProbesTest, LivenessFailureRestartsTheContainer) {
  Json pod = make_pod({container("app", {{"livenessProbe", exec_probe(1, 3)}})});
  auto worker = make_worker(pod);
  worker->sync();
  const std::string first = newest("app").id;
  probes.queue("app", ProbeType::Liveness, {ProbeResult::Failure, ProbeResult::Failure});
  for (int i = 0; i < 2; ++i) {
    clock.advance(1s);
    worker->sync();
  }
  EXPECT_EQ(newest("app").id, first) << "two failures of three";
  probes.queue(
      "app", ProbeType::Liveness,
      {ProbeResult::Success, ProbeResult::Failure, ProbeResult::Failure, ProbeResult::Failure});
  for (int i = 0; i < 3; ++i) {
    clock.advance(1s);
    worker->sync();
  }
  EXPECT_EQ(newest("app").id, first) << "a success resets the count";
  clock.advance(1s);
  worker->sync();
  EXPECT_NE(newest("app").id, first);
  EXPECT_EQ(newest("app").attempt, 1u);
  EXPECT_EQ(newest("app").state, ContainerState::Running);
  EXPECT_EQ(runtime.container_status(first).exit_code, 143) << "stopped with SIGTERM";
  bool stopped_with_grace = false;
  for (const auto& call : runtime.calls())
    stopped_with_grace |= call == "stop_container " + first + " 30s";
  EXPECT_TRUE(stopped_with_grace) << "the pod's grace period";
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["restartCount"], 1);
  EXPECT_EQ(app["lastState"]["terminated"]["exitCode"], 143);

  // The new instance is probed afresh.
  clock.advance(1s);
  worker->sync();
  EXPECT_EQ(newest("app").attempt, 1u);
}

TEST_F(PodProbesTest, LivenessRestartFollowsTheRestartPolicy) {
  Json pod = make_pod({container("app", {{"livenessProbe", exec_probe(1, 1)}})},
                      {{"restartPolicy", "Never"}});
  probes.set("app", ProbeType::Liveness, ProbeResult::Failure);
  auto worker = make_worker(pod);
  worker->sync();
  EXPECT_EQ(newest("app").state, ContainerState::Exited) << "probed at once and killed";
  EXPECT_EQ(newest("app").attempt, 0u) << "Never: not restarted";
  EXPECT_EQ(sink.latest()["phase"], "Failed");
}

TEST_F(PodProbesTest, StartupProbeHoldsTheOthersBackAndRestartsOnFailure) {
  probes.queue("app", ProbeType::Startup, {ProbeResult::Failure, ProbeResult::Success});
  Json pod = make_pod({container("app", {{"startupProbe", exec_probe(1, 3)},
                                         {"livenessProbe", exec_probe(1, 1)},
                                         {"readinessProbe", exec_probe(1, 1)}})});
  auto worker = make_worker(pod);
  worker->sync();
  Json app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["started"], false);
  EXPECT_EQ(app["ready"], false);
  EXPECT_EQ(probes.calls("app", ProbeType::Liveness), 0);
  EXPECT_EQ(probes.calls("app", ProbeType::Readiness), 0);
  clock.advance(1s);
  worker->sync();
  app = container_status(sink.latest(), "app");
  EXPECT_EQ(app["started"], true);
  EXPECT_EQ(app["ready"], true);
  EXPECT_EQ(probes.calls("app", ProbeType::Startup), 2);
  EXPECT_EQ(probes.calls("app", ProbeType::Liveness), 1);
  clock.advance(1s);
  worker->sync();
  EXPECT_EQ(probes.calls("app", ProbeType::Startup), 2) << "done once it succeeded";

  Json slow =
      make_pod({container("app", {{"startupProbe", exec_probe(1, 2)}})}, {}, "slow", "uid-2");
  probes.set("app", ProbeType::Startup, ProbeResult::Failure);
  auto slow_worker = make_worker(slow);
  slow_worker->sync();
  clock.advance(1s);
  slow_worker->sync();
  EXPECT_EQ(newest("app", "uid-2").attempt, 1u) << "startup failed twice: restarted";
}

TEST_F(PodProbesTest, ExecProbesRunThroughTheRuntime) {
  int calls = 0;
  runtime.set_exec_handler(
      [&](const runtime::ContainerStatus& c, const std::vector<std::string>& argv) {
        ++calls;
        EXPECT_EQ(c.name, "app");
        EXPECT_EQ(argv, (std::vector<std::string>{"cat", "/tmp/healthy"}));
        return runtime::ExecResult{calls == 1 ? 0 : 1, "", calls == 1 ? "" : "No such file"};
      });
  RuntimeProbeRunner runner(runtime);
  Json pod = make_pod({container("app", {{"readinessProbe", exec_probe(1, 1)}})});
  PodWorker worker({capturing, objects, sink, runner, clock}, options(), pod);
  worker.sync();
  EXPECT_EQ(condition(sink.latest(), "Ready")["status"], "True");
  clock.advance(1s);
  worker.sync();
  EXPECT_EQ(condition(sink.latest(), "Ready")["status"], "False");

  ProbeSpec spec;
  spec.command = {"sleep", "100"};
  runtime.set_exec_handler(
      [](const runtime::ContainerStatus&, const std::vector<std::string>&) -> runtime::ExecResult {
        throw runtime::RuntimeError(runtime::ErrorCode::DeadlineExceeded, "too slow");
      });
  ProbeOutcome outcome = runner.run(ProbeType::Liveness, spec, {newest("app").id, "app", ""});
  EXPECT_EQ(outcome.result, ProbeResult::Failure);
  EXPECT_EQ(outcome.message, "command timed out after 1s");
  outcome = runner.run(ProbeType::Liveness, spec, {"no-such-container", "app", ""});
  EXPECT_EQ(outcome.result, ProbeResult::Failure);
}

TEST_F(PodProbesTest, AReadyContainerStaysReadyWhenTheAgentRestarts) {
  Json pod = make_pod({container("app", {{"readinessProbe", exec_probe(10, 1)}})});
  make_worker(pod)->sync();
  ASSERT_EQ(condition(sink.latest(), "Ready")["status"], "True");
  pod["status"] = sink.latest();
  const size_t reports = sink.reports();

  auto adopted = make_worker(pod);
  adopted->sync();
  EXPECT_EQ(sink.reports(), reports) << "no NotReady blip, no write";
  EXPECT_EQ(condition(adopted->status(), "Ready")["status"], "True");
}

}  // namespace
}  // namespace skiff::agent::pods::testing
